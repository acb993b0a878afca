"""Request bodies: each row names the schema of its objects; the kit turns them into commands.

A schema is a Pydantic model whose fields are named as the domain command's fields and whose
aliases are the dialect's wire names (each dialect has its own base, with its alias rule:
PascalCase for Metrc, snake_case as it is for Trace). For every object of a body the kit:

1. validates it against the schema; the first problem is a 400 naming the object's row and
   the field by its wire name;
2. loads the rows that `Loads` fields name (the id or label of a facility-owned row, or a
   list of labels), in the body and in the bodies nested in it: a missing one is a 400 for
   that row, one of another facility a 401, as for path ids;
3. builds the schema's `command` (a domain dataclass) from the fields of the same names, with
   the loaded rows in place of their ids and nested bodies (a package's ingredients) made into
   their own commands; a schema with no command is its own command.

Validators may read the facility the body is read for (`info.context["facility"]`, absent when a
body is validated outside a request): a dialect's reference ids can depend on it (Trace's type
ids carry the facility's state).

When a service refuses a command field (`RuleViolation(field=...)`), `wire_name` gives that
field's wire name from the same schema (its alias, or the path a nested wire value is read
from), so the error speaks the dialect's words.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, ClassVar, TypeVar

from pydantic import AliasChoices, AliasPath, BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from leafledger.dialects.kit.loaders import load_all_by_key, load_by_id, load_by_key
from leafledger.domain.errors import FieldPath, NotFound, RuleViolation
from leafledger.domain.models import Facility
from leafledger.domain.models.base import fits
from leafledger.domain.queries.id_sets import id_set_of, ids_value


@dataclass(frozen=True)
class Loads:
    """Annotated metadata of a field naming a facility-owned row: the facility's `model` row
    it names is loaded and handed to the command in the field's place (`what` names it in
    messages). The field names the row by its id, or by the column `key` (a label); a field
    holding a list of keys loads every row it lists, in order, in one statement."""

    model: type[Any]
    what: str
    key: str | None = None


class WireBody(BaseModel):
    """Base of every body schema. Subclasses set `command` to the domain dataclass they make."""

    command: ClassVar[Callable[..., Any] | None] = None

    def to_command(
        self, loaded: Mapping[str, Any], nested: Callable[[WireBody], Any] | None = None
    ) -> Any:
        """The command: the fields it declares, from this body (loaded rows replacing ids,
        nested bodies made into their own commands, by `nested` when given)."""
        target = type(self).command
        if target is None:
            return self
        inner = nested or _unloaded_command
        may_nest = _fields_of(type(self)).may_nest
        values = {}
        for name in type(self).model_fields:
            if name in loaded:
                values[name] = loaded[name]
            elif name in may_nest:
                values[name] = _nested_command(getattr(self, name), inner)
            else:
                values[name] = getattr(self, name)
        wanted = _init_fields(target)
        if wanted is not None:
            values = {name: value for name, value in values.items() if name in wanted}
        return target(**values)


@cache
def _init_fields(target: Callable[..., Any]) -> frozenset[str] | None:
    """The fields a dataclass command takes (None: `target` takes whatever it is given)."""
    if not dataclasses.is_dataclass(target):
        return None
    return frozenset(f.name for f in dataclasses.fields(target) if f.init)


@dataclass(frozen=True)
class _Fields:
    """What the kit looks into in a schema's bodies: the fields that may hold a nested body
    (by their type), and those that load a row by its id."""

    may_nest: frozenset[str]
    load_by_id: tuple[tuple[str, Loads], ...]


@cache
def _fields_of(schema: type[WireBody]) -> _Fields:
    loads = _loads_of(schema)
    return _Fields(
        may_nest=frozenset(
            name
            for name, info in schema.model_fields.items()
            if name not in loads and _may_hold_body(info.annotation)
        ),
        load_by_id=tuple((name, meta) for name, meta in loads.items() if meta.key is None),
    )


def _may_hold_body(annotation: Any) -> bool:
    """Whether a field of type `annotation` may hold a body, or a list of them: a scalar type
    (text, a number, a date) cannot; anything not known to be scalar may."""
    if annotation is None or annotation is type(None) or annotation is Ellipsis:
        return False
    if isinstance(annotation, type) and not typing.get_args(annotation):
        return issubclass(annotation, WireBody) or annotation in (object, list, tuple)
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return False
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _may_hold_body(args[0])  # the rest are validators and constraints
    if not args:
        return True  # Any, a type variable, or something else not known to be scalar
    return any(_may_hold_body(arg) for arg in args)


def _unloaded_command(body: WireBody) -> Any:
    return body.to_command({})


def _nested_command(value: Any, command_of: Callable[[WireBody], Any]) -> Any:
    """A field's value for a command: a nested body (or each of a list of them) as its own
    command (`command_of`), so that a command holds domain objects all the way down."""
    if isinstance(value, WireBody):
        return command_of(value)
    if isinstance(value, list | tuple):
        return type(value)(_nested_command(item, command_of) for item in value)
    return value


B = TypeVar("B", bound=WireBody)


def _plain(message: str, kind: str) -> str:
    if kind == "missing":
        return "is required"
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    return message[:1].lower() + message[1:]


def validate(schema: type[B], obj: Any, row: int | None, facility: Facility | None = None) -> B:
    """`obj` as a `schema`, or a RuleViolation at `row` naming the wire field and the fault;
    validators find `facility` in their context."""
    try:
        return schema.model_validate(obj, context={"facility": facility})
    except ValidationError as exc:
        error = exc.errors(include_url=False, include_context=False)[0]
        field = _loc_text(error["loc"]) or "body"
        raise RuleViolation(f"{field}: {_plain(error['msg'], error['type'])}", row=row) from None


def _loc_text(loc: tuple[str | int, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


@cache
def _loads_of(schema: type[WireBody]) -> dict[str, Loads]:
    found = {}
    for name, info in schema.model_fields.items():
        for meta in info.metadata:
            if isinstance(meta, Loads):
                found[name] = meta
    return found


def _load_refs(session: Session, facility: Facility | None, body: WireBody) -> dict[str, Any]:
    loaded: dict[str, Any] = {}
    for name, loads in _loads_of(type(body)).items():
        value = getattr(body, name)
        if value is None:
            continue
        if facility is None:
            raise RuntimeError(
                f"{type(body).__name__}.{name} loads a row but the row has no licence"
            )
        loaded[name] = _load(session, facility, loads, value)
    return loaded


def _load(session: Session, facility: Facility, loads: Loads, value: Any) -> Any:
    if loads.key is None:
        return load_by_id(session, loads.model, value, facility, loads.what)
    column = getattr(loads.model, loads.key)
    if isinstance(value, list | tuple):
        rows = load_all_by_key(session, loads.model, column, value, facility, loads.what)
        return type(value)(rows)
    return load_by_key(session, loads.model, column, value, facility, loads.what)


def _loaded_command(session: Session, facility: Facility | None, body: WireBody) -> Any:
    """`body`'s command, with the rows its `Loads` fields (and its nested bodies') name."""
    loaded = _load_refs(session, facility, body)
    return body.to_command(loaded, lambda inner: _loaded_command(session, facility, inner))


def commands(
    session: Session,
    facility: Facility | None,
    schema: type[WireBody],
    objects: list[Any],
    *,
    rows: bool,
) -> list[Any]:
    """The command of every object, in order (`rows`: errors name each object's index).

    The bodies are validated first, and the rows they name by id read ahead, one statement
    per kind of row (`_read_ahead`); each object's command then finds its rows in the session
    instead of reading them one at a time. A refusal is the one the objects would give taken
    one by one: the first object's fault, be it its shape or a row it names."""
    bodies: list[WireBody] = []
    invalid: RuleViolation | None = None
    for index, obj in enumerate(objects):
        try:
            bodies.append(validate(schema, obj, index if rows else None, facility))
        except RuleViolation as exc:
            invalid = exc
            break
    read = _read_ahead(session, bodies)  # held: the session keeps rows only while referenced
    made = []
    for index, body in enumerate(bodies):
        try:
            made.append(_loaded_command(session, facility, body))
        except NotFound as exc:
            raise RuleViolation(exc.message, row=index if rows else None) from None
    del read
    if invalid is not None:
        raise invalid
    return made


def _read_ahead(session: Session, bodies: list[WireBody]) -> list[Any]:
    """Read every row the bodies (and the bodies nested in them) name by id into the
    session, in one statement per model. Rows of other facilities are read too: loading
    refuses them afterwards, as it would have."""
    wanted: dict[type[Any], set[int]] = {}
    pending: list[Any] = list(bodies)
    while pending:
        value = pending.pop()
        if isinstance(value, list | tuple):
            pending.extend(value)
            continue
        if not isinstance(value, WireBody):
            continue
        fields = _fields_of(type(value))
        for name, loads in fields.load_by_id:
            field_value = getattr(value, name)
            if _is_id(field_value) and fits(loads.model.id, field_value):
                wanted.setdefault(loads.model, set()).add(field_value)
        pending.extend(getattr(value, name) for name in fields.may_nest)
    dialect = session.get_bind().dialect.name
    read: list[Any] = []
    for model, ids in wanted.items():
        if len(ids) > 1:
            listed = {"ids": ids_value(dialect, sorted(ids))}
            read.extend(session.scalars(_rows_by_id(model, dialect), listed).all())
    return read


_ROWS_BY_ID: dict[tuple[type[Any], str], Any] = {}


def _rows_by_id(model: type[Any], dialect: str) -> Any:
    """The rows of `model` whose ids the parameter `ids` lists; built once per model (a
    statement made at each call has its cache key worked out again)."""
    statement = _ROWS_BY_ID.get((model, dialect))
    if statement is None:
        ids = id_set_of(dialect, "ids")
        statement = _ROWS_BY_ID[model, dialect] = select(model).where(model.id.in_(ids))
    return statement


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    """The model inside `list[M] | None`, `M | None`, `Annotated[M, ...]`, if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _nested_model(typing.get_args(annotation)[0])
    if origin in (list, tuple, typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _nested_model(arg)
            if found is not None:
                return found
    return None


def _read_from(alias: Any) -> str | None:
    """The wire path a field is read from when it is not its alias: a nested value
    (`AliasPath("cannabinoids", "thc_percent")` -> "cannabinoids.thc_percent"), the first of
    several it may be read from."""
    if isinstance(alias, AliasChoices):
        return _read_from(alias.choices[0]) if alias.choices else None
    if isinstance(alias, str):
        return alias
    if isinstance(alias, AliasPath):
        return _loc_text(tuple(alias.path))
    return None


def wire_name(schema: type[BaseModel] | None, path: FieldPath, casing: Callable[[str], str]) -> str:
    """A command field path in the wire words of `schema`: ("ingredients", 0, "weight") ->
    "Ingredients[0].Weight". A field the schema does not carry is spelled by `casing`."""
    text = ""
    model = schema
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
            continue
        info = model.model_fields.get(part) if model is not None else None
        if info is None:
            name = casing(part)
        else:
            name = info.alias or _read_from(info.validation_alias) or part
        text += f".{name}" if text else name
        model = _nested_model(info.annotation) if info is not None else None
    return text
