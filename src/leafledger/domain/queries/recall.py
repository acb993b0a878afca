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

from collections.abc import Collection, Sequence
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
        ids = sorted(_reached(session, dialect, kind, node_id).get(Kind.PACKAGE, ()))
        listed = ids_value(dialect, ids)  # built once for the three statements that take them
        packages = _packages(session, dialect, ids, listed, user_id) if ids else []
    root = node(session, kind, node_id, user_id=user_id)
    sales = sales_of(session, ids, user_id, listed=listed)
    deliveries = deliveries_of(session, ids, user_id, listed=listed)
    return Recall(root, packages, sales, deliveries)


# --- the walk ----------------------------------------------------------------------------------


def _reached(session: Session, dialect: str, kind: Kind, node_id: int) -> dict[int, set[int]]:
    """The node and every node made of it, their ids by kind, one generation per statement."""
    reached: dict[int, set[int]] = {kind: {node_id}}
    frontier: dict[int, Collection[int]] = {kind: (node_id,)}
    while frontier:
        kinds = tuple(sorted(frontier))
        bound = {f"k{k}": ids_value(dialect, ids) for k, ids in frontier.items()}
        made: dict[int, list[int]] = {}
        for made_kind, made_id in session.execute(_generation(dialect, kinds), bound).all():
            made.setdefault(made_kind, []).append(made_id)
        frontier = {}
        for made_kind, made_ids in made.items():
            seen = reached.setdefault(made_kind, set())
            new = set(made_ids) - seen
            if new:
                seen |= new
                frontier[made_kind] = new
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

# The packages of parameter `ids`, narrow: their facility and item as ids, whose names and
# visibility `_NAMES` then reads once each (a recall's packages sit at a few facilities and
# hold a few items; joining the names to every row cost a third of the statement's time).
# Quantities come as text, each distinct one made a Decimal once (PostgreSQL's numerics cost
# a Decimal per row, a quarter of the statement's time; SQLite keeps them as text). In no
# order: sorting is cheaper in Python, on rows that mostly come in the order of the ids.
# Their shipments, each with its package's id then genealogy.SHIPMENT_COLUMNS, come apart:
# few packages have any, and a join would cost every package's row fourteen empty columns.
_PACKAGES = (
    "SELECT p.id, p.label, p.facility_id, p.item_id, CAST(p.quantity AS TEXT),"
    " p.unit_of_measure_name,"
    " p.in_transit, p.finished_date IS NOT NULL\n"
    "FROM {ids}\n"
    "JOIN packages p ON p.id = f.id"
)
# (0, facility id, licence, visible to :user) and (1, item id, item name, 0).
_NAMES = (
    "SELECT 0, nf.id, nf.license_number, CASE WHEN nf.id IN"
    " (SELECT facility_id FROM employees WHERE user_id = :user) THEN 1 ELSE 0 END\n"
    "FROM facilities nf WHERE nf.id IN ({facilities})\n"
    "UNION ALL\n"
    "SELECT 1, i.id, i.name, 0 FROM items i WHERE i.id IN ({items})"
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
        text(
            _NAMES.format(
                facilities=ids_sql(dialect, "facilities"), items=ids_sql(dialect, "items")
            )
        ),
        text(_SHIPMENTS.format(ids=ids_sql(dialect, "ids"))),
    )
    for dialect in ("sqlite", "postgresql")
}


def _packages(
    session: Session, dialect: str, ids: Sequence[int], listed: str, user_id: int | None
) -> list[Recalled]:
    """The packages of `ids` (`listed`: their ids_value), in id order, as the user `user_id`
    may see them (three statements)."""
    packages, names, shipments = _STATEMENTS[dialect]
    user = -1 if user_id is None else user_id
    bound = {"ids": listed, "user": user}
    rows = sorted(session.execute(packages, bound).all(), key=itemgetter(0))
    licences: dict[int, tuple[str, bool]] = {}
    items: dict[int | None, str | None] = {None: None}
    named = {
        "facilities": ids_value(dialect, {row[2] for row in rows}),
        "items": ids_value(dialect, {row[3] for row in rows if row[3] is not None}),
        "user": user,
    }
    for table, row_id, name, visible in session.execute(names, named).all():
        if table == 0:
            licences[row_id] = (name, bool(visible))
        else:
            items[row_id] = name
    shipped: dict[int, list[Any]] = {}
    for row in session.execute(shipments, bound).all():
        shipped.setdefault(row[0], []).append(row)
    quantities: dict[str, Decimal] = {}  # a recall's packages share a few quantities
    return [_package(row, licences, items, shipped, quantities) for row in rows]


def _package(
    row: Any,
    licences: dict[int, tuple[str, bool]],
    items: dict[int | None, str | None],
    shipped: dict[int, list[Any]],
    quantities: dict[str, Decimal],
) -> Recalled:
    package_id, label, facility_id, item_id, written, unit, in_transit, finished = row
    quantity = quantities.get(written)
    if quantity is None:
        quantity = quantities[written] = Decimal(written)
    licence, visible = licences[facility_id]
    item = items[item_id]
    state = IN_TRANSIT if in_transit else FINISHED if finished else ACTIVE
    # The shipments the caller may see: all of their own package's, else those they shipped.
    shipment_rows = shipped.get(package_id)
    shipments = (
        [shipment(shipped_row[1:]) for shipped_row in shipment_rows if visible or shipped_row[-1]]
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
