"""Declarative base and column helpers shared by every model."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    ColumnElement,
    DateTime,
    Dialect,
    Integer,
    MetaData,
    Numeric,
    SmallInteger,
    String,
    TypeDecorator,
    literal,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.sql import coercions, roles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import NullType, TypeEngine

# Stable constraint names keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# JSON on SQLite, JSONB on PostgreSQL.
JsonColumn = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend (SQLite keeps no offset of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; give a timezone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Quantity(TypeDecorator[Decimal]):
    """An exact decimal quantity or weight.

    PostgreSQL keeps it as NUMERIC. SQLite has no exact decimal type (its NUMERIC is a float), so
    there it is kept as canonical text: compare and add quantities in Python, not in SQL.
    """

    impl = Numeric(28, 10)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(64))
        return dialect.type_descriptor(Numeric(28, 10))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, Decimal) or not value.is_finite():
            raise ValueError(f"quantities are finite Decimals, got {value!r}")
        return format(value.normalize(), "f") if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        # Trailing zeros of the NUMERIC scale go, without switching to exponent notation.
        return Decimal(format(Decimal(value).normalize(), "f"))


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: dict[Any, Any] = {datetime: UtcDateTime(), Decimal: Quantity()}


class Timestamped:
    """Creation and last-modification times, kept in UTC."""

    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_modified: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class IsTrue(ColumnElement[Any]):
    """A boolean column as a bare condition (`locations.active`), on every database.

    SQLAlchemy writes a boolean condition as `active = 1` on SQLite and `active IS true` for
    `.is_(True)`; neither lets the database use an index made `WHERE active` (the unique-name
    indexes of active rows). Spelled bare, both databases match it to those indexes.
    """

    inherit_cache = True
    # Not typed Boolean: SQLAlchemy would compare a Boolean condition with 1 on SQLite.
    type: TypeEngine[Any] = NullType()
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement)]

    def __init__(self, column: Any) -> None:
        self.column = coercions.expect(roles.ExpressionElementRole, column)


@compiles(IsTrue)
def _bare_boolean(element: IsTrue, compiler: SQLCompiler, **kw: Any) -> str:
    return str(compiler.process(element.column, **kw))


def among(column: Any, values: Iterable[Any]) -> ColumnElement[bool]:
    """`column IN (...)` over a fixed set of values, compiled once.

    SQLAlchemy's `in_([...])` binds the list as one parameter that it expands into the SQL
    text at every execution, which costs about as much as a cached page statement's whole
    execution. The values of a fixed set become ordinary parameters instead.
    """
    return cast(ColumnElement[bool], column.in_([literal(v, column.type) for v in values]))


_INTEGER_RANGES: tuple[tuple[type[TypeEngine[Any]], int], ...] = (
    (SmallInteger, 2**15 - 1),
    (BigInteger, 2**63 - 1),
    (Integer, 2**31 - 1),
)


def largest_value(column: Any) -> int:
    """The largest integer `column` (a mapped attribute or a table column) can hold, on every
    database: an id past it names nothing, and must not reach SQL (PostgreSQL refuses it)."""
    column_type = getattr(column, "type", None)
    for kind, largest in _INTEGER_RANGES:
        if isinstance(column_type, kind):
            return largest
    raise TypeError(f"{column!r} is not an integer column")


def fits(column: Any, value: int) -> bool:
    """Whether `value` is a key `column` could hold (ids start at 1)."""
    return 1 <= value <= largest_value(column)
