"""Recall: every package holding material from a harvest, a plant batch or a package, and every
sale of them.

A recall walks forward the edge kinds of genealogy (`genealogy.FORWARD`), a generation at a
time and set by set: each generation is one statement that, for each kind of node in the
frontier, follows every edge kind leaving that kind, each a join of its table with the
frontier's ids of that kind (passed as one value: `queries/id_sets.py`). Nodes reached before
are left out of the next frontier, so the walk ends on any graph, and a node reached by
several paths (a cycle, a diamond) is followed once. Why not genealogy's one recursive
statement: a recursion takes its steps a row at a time, each node probing the index of every
edge kind its kind has, and those probes were most of a large recall's time (60-70 ms of
10,000 packages on PostgreSQL); here each step is one join per edge kind over the whole
generation. The cost is a statement per generation: a recall of 10,000 packages costs the
same statements as one of a single package at the same depth.

Then one statement reads the packages reached (their items and facilities), one their
shipments (few packages have any), one the root (`genealogy.node`), and
`queries/recall_sales.py` the sales. Rows become `Recalled` tuples as they come, and the
collector stays off meanwhile: a recall may list tens of thousands.

On PostgreSQL each statement of a read reads its own snapshot (store/engine.py). Edges are
only ever added, so a walk over several snapshots still finds every package made before it
began, and nothing that did not come from the root.

What the caller sees follows genealogy's rules (see its docstring): a package kept at a
facility the caller is not employed at is a placeholder, unless a visible facility shipped it
and its recipient accepted it: then it reads as transferred, with the recipient and what was
received.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from operator import itemgetter
from typing import Any, NamedTuple

from sqlalchemy import TextClause, text
from sqlalchemy.orm import Session

from leafledger.domain.queries.genealogy import (
    ACTIVE,
    FINISHED,
    FORWARD,
    IN_TRANSIT,
    SHIPMENT_COLUMNS,
    SHIPMENT_JOINS,
    TRANSFERRED,
    Kind,
    Node,
    Shipment,
    collector_paused,
    last_accepted,
    node,
    shipment,
)
from leafledger.domain.queries.id_sets import ids_sql, ids_table, ids_value
from leafledger.domain.queries.recall_sales import DeliveryHit, SaleHit, deliveries_of, sales_of


class Recalled(NamedTuple):
    """A package of a recall (a tuple: a recall may hold tens of thousands)."""

    id: int
    label: str
    license_number: str | None
    item_name: str | None
    quantity: Decimal | None
    unit: str | None
    state: str  # Active, Finished, InTransit, Transferred
    visible: bool
    shipments: list[Shipment]

    @property
    def known(self) -> bool:
        """Whether the caller may know which package this is (visible, or transferred by them)."""
        return self.visible or self.state == TRANSFERRED


@dataclass(frozen=True)
class Recall:
    root: Node
    packages: list[Recalled]
    sales: list[SaleHit]
    deliveries: list[DeliveryHit]


def recall(session: Session, kind: Kind, node_id: int, *, user_id: int | None) -> Recall:
    """Every package holding material from the node (the node itself, for a package), each
    with its state, in package id order, and every sale of them."""
    dialect = session.get_bind().dialect.name
    with collector_paused():
        reached = _reached(session, dialect, kind, node_id)
        ids = sorted(
            reached_id for reached_kind, reached_id in reached if reached_kind == Kind.PACKAGE
        )
        packages = _packages(session, dialect, ids, user_id) if ids else []
    root = node(session, kind, node_id, user_id=user_id)
    sales, deliveries = sales_of(session, ids, user_id), deliveries_of(session, ids, user_id)
    return Recall(root, packages, sales, deliveries)


# --- the walk ----------------------------------------------------------------------------------


def _reached(session: Session, dialect: str, kind: Kind, node_id: int) -> set[tuple[int, int]]:
    """The node and every node made of it, as (kind, id), one generation per statement."""
    reached: set[tuple[int, int]] = {(kind, node_id)}
    frontier: dict[int, list[int]] = {kind: [node_id]}
    while frontier:
        kinds = tuple(sorted(frontier))
        bound = {f"k{k}": ids_value(dialect, ids) for k, ids in frontier.items()}
        frontier = {}
        for made_kind, made_id in session.execute(_generation(dialect, kinds), bound).all():
            if (made_kind, made_id) not in reached:
                reached.add((made_kind, made_id))
                frontier.setdefault(made_kind, []).append(made_id)
    return reached


@cache
def _generation(dialect: str, kinds: tuple[int, ...]) -> TextClause:
    """One step from nodes of `kinds` (their ids in parameters `k<kind>`): rows (kind, id) of
    what was made of them, through every edge kind leaving them."""
    return text(
        "\nUNION ALL\n".join(
            f"SELECT {int(step.to_kind)}, d.{step.to_column}"
            f" FROM {ids_table(dialect, f'k{int(step.from_kind)}')}"
            f" JOIN {_table(step.table, step.from_column, dialect)}"
            f" ON d.{step.from_column} = f.id"
            for step in FORWARD
            if step.from_kind in kinds
        )
    )


def _table(table: str, column: str, dialect: str) -> str:
    """A step's table, as `d`; on SQLite, told to use the index of its key column (its
    statistics count the NULLs of a mostly empty source column as one value shared by nearly
    every row, after which it would rather scan the table than probe that index)."""
    if dialect == "sqlite" and column != "id":
        return f"{table} d INDEXED BY ix_{table}_{column}"
    return f"{table} d"


# --- the packages ------------------------------------------------------------------------------

# The packages of parameter `ids`, as `_package` reads them (in no order: sorting is cheaper
# in Python, on rows that mostly come in the order of the ids); and their shipments, each with
# its package's id then genealogy.SHIPMENT_COLUMNS (apart: few packages have any, and a join
# would cost every package's row fourteen empty columns).
_PACKAGES = (
    "SELECT p.id, p.label, nf.license_number, i.name, p.quantity, p.unit_of_measure_name,"
    " p.in_transit, p.finished_date, CASE WHEN p.facility_id IN"
    " (SELECT facility_id FROM employees WHERE user_id = :user) THEN 1 ELSE 0 END\n"
    "FROM {ids}\n"
    "JOIN packages p ON p.id = f.id\n"
    "LEFT JOIN items i ON i.id = p.item_id\n"
    "LEFT JOIN facilities nf ON nf.id = p.facility_id"
)
_SHIPMENTS = (
    "WITH visible(facility_id) AS (SELECT facility_id FROM employees WHERE user_id = :user)\n"
    "SELECT sh.package_id,\n"
    + SHIPMENT_COLUMNS
    + "FROM package_shipments sh\n"
    + SHIPMENT_JOINS
    + "WHERE sh.package_id IN ({ids})\n"
    "ORDER BY sh.package_id, sh.id"
)
_STATEMENTS = {
    dialect: (
        text(_PACKAGES.format(ids=ids_table(dialect, "ids"))),
        text(_SHIPMENTS.format(ids=ids_sql(dialect, "ids"))),
    )
    for dialect in ("sqlite", "postgresql")
}


def _packages(
    session: Session, dialect: str, ids: Sequence[int], user_id: int | None
) -> list[Recalled]:
    """The packages of `ids`, in id order, as the user `user_id` may see them (two
    statements)."""
    packages, shipments = _STATEMENTS[dialect]
    bound = {"ids": ids_value(dialect, ids), "user": -1 if user_id is None else user_id}
    shipped: dict[int, list[Any]] = {}
    for row in session.execute(shipments, bound).all():
        shipped.setdefault(row[0], []).append(row)
    rows = sorted(session.execute(packages, bound).all(), key=itemgetter(0))
    return [_package(row, shipped.get(row[0])) for row in rows]


def _package(row: Any, shipment_rows: list[Any] | None) -> Recalled:
    package_id, label, licence, item, quantity, unit, in_transit, finished, visible = row
    if isinstance(quantity, str):  # SQLite keeps quantities as text
        quantity = Decimal(quantity)
    state = IN_TRANSIT if in_transit else ACTIVE if finished is None else FINISHED
    # The shipments the caller may see: all of their own package's, else those they shipped.
    shipments = (
        [shipment(shipped[1:]) for shipped in shipment_rows if visible or shipped[-1]]
        if shipment_rows
        else []
    )
    if visible:
        return Recalled(package_id, label, licence, item, quantity, unit, state, True, shipments)
    # Held elsewhere: transferred when a visible facility shipped it and it was accepted there.
    accepted = last_accepted(shipments)
    if accepted is None:
        return Recalled(package_id, label, licence, item, quantity, unit, state, False, [])
    return Recalled(
        package_id,
        label,
        accepted.recipient_license_number,
        item,
        accepted.received_quantity,
        accepted.received_unit,
        TRANSFERRED,
        False,
        shipments,
    )
