"""The domain speaks domain: no message of domain/ spells a Metrc wire field name.

Services name the field they refuse in domain terms (`RuleViolation(field="count")`) and each
dialect writes its own wire name. This walks every string literal of the domain package and
looks for the PascalCase names of the Metrc body schemas that are not plain words (PlantCount,
ItemCategory, EncodedImageBase64...).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from leafledger.dialects.metrc.table import ROWS

DOMAIN = Path(__file__).parents[2] / "src" / "leafledger" / "domain"
COMPOUND = re.compile(r"^[A-Z][a-z0-9]+(?:[A-Z][A-Za-z0-9]*)+$")


def wire_names() -> set[str]:
    names: set[str] = set()
    for row in ROWS:
        if row.schema is None:
            continue
        for info in row.schema.model_fields.values():
            if info.alias and COMPOUND.match(info.alias):
                names.add(info.alias)
    return names


def domain_strings() -> list[tuple[str, int, str]]:
    """Every string literal of the domain that is prose: not a docstring, not a name listed in
    `__all__`, not a lone word (a value such as a filter kind)."""
    found = []
    for path in sorted(DOMAIN.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
                and " " in node.value.strip()
            ):
                found.append((path.name, node.lineno, node.value))
    return found


def test_the_schemas_have_compound_wire_names_to_look_for() -> None:
    assert {"PlantCount", "ItemCategory", "UnitOfWeight"} <= wire_names()


def test_no_domain_message_spells_a_metrc_wire_name() -> None:
    names = wire_names()
    offenders = [
        f"{file}:{line}: {word} in {text!r}"
        for file, line, text in domain_strings()
        for word in re.findall(r"\b[A-Z][A-Za-z0-9]+\b", text)
        if word in names
    ]
    assert offenders == []
