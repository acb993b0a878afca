"""Genealogy and recall: the whole tree of where material came from and where it went.

The ledger records material moving along ten kinds of edge, each from a source to what was
made of it (`Relation`): a harvest, a package, a plant batch, a plant or a processing job
into a package (package sources), a package into a processing job (its inputs), a package
into a plant batch (plantings from a package), a plant into a plant batch (clones of a
mother), a plant batch into its plants, and plants into a harvest. A transfer moves no
material into anything new: an accepted package keeps its row and label and becomes the
receiver's, so a transfer is an annotation of the package (its shipments), not an edge.

`walk` reads the ancestors (backward), the descendants (forward) or both of one node in one
statement: two recursive CTEs over those edges, each taking one step per row through a small
"fan" table that names, for each node kind, the edge kinds leaving it; the join of each edge
kind probes its index only for its own fan row (its key is NULL on the others), so a step
costs one index probe per edge kind the node has. Rows are edges, deduplicated by UNION, so
the walk ends on any graph and a node reached by several paths is expanded once per edge
into it. The same statement joins each node's row, facility and shipments, each edge's
quantity, and whether the caller may see them. It is plain SQL that SQLite and PostgreSQL
both run.

Visibility: a caller sees what is kept at the facilities they are employed at (any of them,
not only the licence of the request). A node elsewhere is a placeholder (`Node.visible` is
false: its kind only, no id, label or quantity), except a package that a visible facility
shipped and that was received elsewhere: the shipper knows its label and the recipient, so
it appears as transferred, with those and what was received (its current quantity is the
holder's). An edge's quantity is shown when the facility that recorded the edge is visible.

A recall (every package holding material from a node) walks forward the same edge kinds
(`FORWARD`), but a generation at a time (`queries/recall.py`): it can reach tens of thousands
of packages, and then it needs only them, not the edges; its root is read by `node`.
"""

from __future__ import annotations

import gc
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import IntEnum
from types import SimpleNamespace
from typing import Any, NamedTuple

from sqlalchemy import TextClause, text
from sqlalchemy.orm import Session

from leafledger.domain.queries.processing import job_number


class Kind(IntEnum):
    # Hashed as the int it is (Enum's own hash is a Python call: nodes are keyed by kind).
    __hash__ = int.__hash__

    PACKAGE = 1
    HARVEST = 2
    PLANT = 3
    PLANT_BATCH = 4
    PROCESSING_JOB = 5


KIND_NAMES = {
    Kind.PACKAGE: "Package",
    Kind.HARVEST: "Harvest",
    Kind.PLANT: "Plant",
    Kind.PLANT_BATCH: "PlantBatch",
    Kind.PROCESSING_JOB: "ProcessingJob",
}


class Relation(IntEnum):
    """An edge kind: from a source to what was made of it."""

    __hash__ = int.__hash__

    HARVEST_PACKAGE = 1  # package_sources.source_harvest_id
    PACKAGE_FROM_PACKAGE = 2  # package_sources.source_package_id (splits, packages from packages)
    PLANT_BATCH_PACKAGE = 3  # package_sources.source_plant_batch_id
    PLANT_PACKAGE = 4  # package_sources.source_plant_id
    PROCESSING_JOB_OUTPUT = 5  # package_sources.source_processing_job_id
    PROCESSING_JOB_INPUT = 6  # processing_job_inputs
    PLANTING_FROM_PACKAGE = 7  # plant_batches.source_package_id
    PLANT_BATCH_FROM_PLANT = 8  # plant_batches.source_plant_id (clones of a mother)
    PLANT_FROM_PLANT_BATCH = 9  # plants.plant_batch_id
    HARVEST_FROM_PLANT = 10  # harvest_plants


RELATION_NAMES = {
    Relation.HARVEST_PACKAGE: "HarvestPackage",
    Relation.PACKAGE_FROM_PACKAGE: "PackageFromPackage",
    Relation.PLANT_BATCH_PACKAGE: "PlantBatchPackage",
    Relation.PLANT_PACKAGE: "PlantPackage",
    Relation.PROCESSING_JOB_OUTPUT: "ProcessingJobOutput",
    Relation.PROCESSING_JOB_INPUT: "ProcessingJobInput",
    Relation.PLANTING_FROM_PACKAGE: "PlantingFromPackage",
    Relation.PLANT_BATCH_FROM_PLANT: "PlantBatchFromPlant",
    Relation.PLANT_FROM_PLANT_BATCH: "PlantFromPlantBatch",
    Relation.HARVEST_FROM_PLANT: "HarvestFromPlant",
}

# A package's states in a genealogy or a recall.
ACTIVE, FINISHED, IN_TRANSIT, TRANSFERRED = "Active", "Finished", "InTransit", "Transferred"

# --- the statement -----------------------------------------------------------------------------

# The steps of each walk, one per edge kind: (the kind of node it leaves from, its join keyed
# on that node's id, the kind and id of the node it reaches, the relation, the edge record's
# id), in SQL over the step's joins. Backward (up) from a product to its sources; forward
# (down) from a source to its products.
_SOURCE_KIND = (
    "CASE WHEN a1.source_harvest_id IS NOT NULL THEN 2"
    " WHEN a1.source_package_id IS NOT NULL THEN 1"
    " WHEN a1.source_plant_batch_id IS NOT NULL THEN 4"
    " WHEN a1.source_plant_id IS NOT NULL THEN 3"
    " WHEN a1.source_processing_job_id IS NOT NULL THEN 5 END"
)
_SOURCE_ID = (
    "COALESCE(a1.source_harvest_id, a1.source_package_id, a1.source_plant_batch_id,"
    " a1.source_plant_id, a1.source_processing_job_id)"
)
_SOURCE_RELATION = (
    "CASE WHEN a1.source_harvest_id IS NOT NULL THEN 1"
    " WHEN a1.source_package_id IS NOT NULL THEN 2"
    " WHEN a1.source_plant_batch_id IS NOT NULL THEN 3"
    " WHEN a1.source_plant_id IS NOT NULL THEN 4"
    " WHEN a1.source_processing_job_id IS NOT NULL THEN 5 END"
)
_UP: tuple[tuple[Kind, str, str, str, str, str], ...] = (
    # (from node kind, join, next kind, next id, relation, record id)
    (Kind.PACKAGE, "package_sources a1 ON a1.package_id = {key}", _SOURCE_KIND, _SOURCE_ID,
     _SOURCE_RELATION, "a1.id"),
    (Kind.PROCESSING_JOB, "processing_job_inputs a2 ON a2.job_id = {key}", "1", "a2.package_id",
     "6", "a2.id"),
    (Kind.HARVEST, "harvest_plants a3 ON a3.harvest_id = {key}", "3", "a3.plant_id", "10",
     "a3.id"),
    (Kind.PLANT, "plants a4 ON a4.id = {key}", "4", "a4.plant_batch_id", "9", "a4.id"),
    (Kind.PLANT_BATCH, "plant_batches a5 ON a5.id = {key}", "1", "a5.source_package_id", "7",
     "a5.id"),
    (Kind.PLANT_BATCH, "plant_batches a6 ON a6.id = {key}", "3", "a6.source_plant_id", "8",
     "a6.id"),
)  # fmt: skip


class Step(NamedTuple):
    """An edge kind read forward: a row of `table` whose `from_column` holds the id of a
    node of `from_kind` holds in `to_column` the id of a node of `to_kind` made of it."""

    from_kind: Kind
    table: str
    from_column: str
    to_kind: Kind
    to_column: str
    relation: Relation


# Every edge kind, from a source to its products (`walk` goes down them, `recall` too).
FORWARD: tuple[Step, ...] = (
    Step(Kind.PACKAGE, "package_sources", "source_package_id", Kind.PACKAGE, "package_id",
         Relation.PACKAGE_FROM_PACKAGE),
    Step(Kind.PACKAGE, "processing_job_inputs", "package_id", Kind.PROCESSING_JOB, "job_id",
         Relation.PROCESSING_JOB_INPUT),
    Step(Kind.PACKAGE, "plant_batches", "source_package_id", Kind.PLANT_BATCH, "id",
         Relation.PLANTING_FROM_PACKAGE),
    Step(Kind.HARVEST, "package_sources", "source_harvest_id", Kind.PACKAGE, "package_id",
         Relation.HARVEST_PACKAGE),
    Step(Kind.PROCESSING_JOB, "package_sources", "source_processing_job_id", Kind.PACKAGE,
         "package_id", Relation.PROCESSING_JOB_OUTPUT),
    Step(Kind.PLANT_BATCH, "package_sources", "source_plant_batch_id", Kind.PACKAGE,
         "package_id", Relation.PLANT_BATCH_PACKAGE),
    Step(Kind.PLANT_BATCH, "plants", "plant_batch_id", Kind.PLANT, "id",
         Relation.PLANT_FROM_PLANT_BATCH),
    Step(Kind.PLANT, "package_sources", "source_plant_id", Kind.PACKAGE, "package_id",
         Relation.PLANT_PACKAGE),
    Step(Kind.PLANT, "harvest_plants", "plant_id", Kind.HARVEST, "harvest_id",
         Relation.HARVEST_FROM_PLANT),
    Step(Kind.PLANT, "plant_batches", "source_plant_id", Kind.PLANT_BATCH, "id",
         Relation.PLANT_BATCH_FROM_PLANT),
)  # fmt: skip
_DOWN: tuple[tuple[Kind, str, str, str, str, str], ...] = tuple(
    (
        step.from_kind,
        f"{step.table} d{n} ON d{n}.{step.from_column} = {{key}}",
        str(int(step.to_kind)),
        f"d{n}.{step.to_column}",
        str(int(step.relation)),
        f"d{n}.id",
    )
    for n, step in enumerate(FORWARD, 1)
)


def _case(slots: Sequence[str]) -> str:
    return "CASE f.slot " + " ".join(f"WHEN {n} THEN {e}" for n, e in enumerate(slots, 1)) + " END"


def _hinted(join: str, sqlite: bool) -> str:
    """A step's join; on SQLite, told to use the index of its key column. SQLite's statistics
    count the NULLs of a mostly empty source column (source_processing_job_id...) as one
    value shared by nearly every row, after which it would rather scan the whole table for
    each step than probe that index."""
    table, alias, _, _, column, *_ = join.replace(".", " ").split()
    if not sqlite or column == "id":
        return join
    return join.replace(f"{table} {alias} ON", f"{table} {alias} INDEXED BY ix_{table}_{column} ON")


def _step(name: str, steps: tuple[tuple[Kind, str, str, str, str, str], ...], sqlite: bool) -> str:
    """The recursive CTE `name`: rows (kind, id, from_kind, from_id, via, ref): a node
    reached, the node it was reached from, the edge kind and the edge's record id."""
    fan = ", ".join(f"({kind.value}, {n})" for n, (kind, *_) in enumerate(steps, 1))
    joins = " ".join(
        f"LEFT JOIN {_hinted(join, sqlite).format(key=f'(CASE WHEN f.slot = {n} THEN w.id END)')}"
        for n, (_, join, *_) in enumerate(steps, 1)
    )
    relations = [step[4] for step in steps]
    next_id = _case([step[3] for step in steps])
    return (
        f"fan_{name}(kind, slot) AS (VALUES {fan}),\n"
        f"{name}(kind, id, from_kind, from_id, via, ref) AS (\n"
        f"  SELECT CAST(:kind AS INTEGER), CAST(:id AS INTEGER), CAST(NULL AS INTEGER),"
        f" CAST(NULL AS INTEGER), CAST(NULL AS INTEGER), CAST(NULL AS INTEGER)"
        f" WHERE :{name} = 1\n"
        f"  UNION\n"
        f"  SELECT {_case([step[2] for step in steps])}, {next_id}, w.kind, w.id,"
        f" {_case(relations)}, {_case([step[5] for step in steps])}\n"
        f"  FROM {name} w JOIN fan_{name} f ON f.kind = w.kind {joins}\n"
        f"  WHERE {next_id} IS NOT NULL\n"
        f")"
    )


def _walked(sqlite: bool) -> str:
    """The CTEs: what the caller sees, both walks, and `walked`, their rows with a side."""
    return (
        "WITH RECURSIVE\n"
        "visible(facility_id) AS (SELECT facility_id FROM employees WHERE user_id = :user),\n"
        + _step("up", _UP, sqlite)
        + ",\n"
        + _step("down", _DOWN, sqlite)
        + ",\n"
        "walked(side, kind, id, from_kind, from_id, via, ref) AS (\n"
        "  SELECT 0, CAST(:kind AS INTEGER), CAST(:id AS INTEGER), CAST(NULL AS INTEGER),"
        " CAST(NULL AS INTEGER), CAST(NULL AS INTEGER), CAST(NULL AS INTEGER)\n"
        "  UNION ALL SELECT -1, kind, id, from_kind, from_id, via, ref FROM up"
        " WHERE from_kind IS NOT NULL\n"
        "  UNION ALL SELECT 1, kind, id, from_kind, from_id, via, ref FROM down"
        " WHERE from_kind IS NOT NULL\n"
        ")\n"
    )


# What a node is (over `w.kind`, `w.id`), and the shipments of a package (over `visible`).
_NODE_COLUMNS = (
    "  COALESCE(p.facility_id, h.facility_id, pl.facility_id, pb.facility_id, j.facility_id)"
    " AS facility_id,\n"
    "  nf.license_number,\n"
    "  CASE WHEN COALESCE(p.facility_id, h.facility_id, pl.facility_id, pb.facility_id,"
    " j.facility_id) IN (SELECT facility_id FROM visible) THEN 1 ELSE 0 END AS visible,\n"
    "  COALESCE(p.label, pl.label) AS label, COALESCE(h.name, pb.name, j.name) AS name,\n"
    "  p.quantity AS package_quantity, p.unit_of_measure_name AS package_unit,"
    " p.finished_date AS package_finished, p.in_transit, i.name AS item_name,"
    " p.packaged_date,\n"
    "  h.current_weight, h.unit_of_weight_name, h.finished_date AS harvest_finished,"
    " h.harvest_start_date,\n"
    "  pl.growth_phase, pl.state AS plant_state, pb.batch_type, pb.active AS batch_active,\n"
    "  j.finished_date AS job_finished, j.active AS job_active,\n"
)
SHIPMENT_COLUMNS = (  # last in a select list: see `shipment`
    "  sh.id AS shipment_id, sh.manifest_number, sh.recipient_license_number, sh.state"
    " AS shipment_state, sh.shipped_quantity, sh.shipped_unit, sh.received_quantity,"
    " sh.received_unit, sh.departed_at, sh.received_at, sf.license_number AS shipper_license,"
    " t.kind AS transfer_kind, t.shipper_license_number AS external_shipper,\n"
    "  CASE WHEN sh.facility_id IN (SELECT facility_id FROM visible) THEN 1 ELSE 0 END"
    " AS shipment_visible\n"
)
_NODE_JOINS = (
    "LEFT JOIN packages p ON w.kind = 1 AND p.id = w.id\n"
    "LEFT JOIN items i ON i.id = p.item_id\n"
    "LEFT JOIN harvests h ON w.kind = 2 AND h.id = w.id\n"
    "LEFT JOIN plants pl ON w.kind = 3 AND pl.id = w.id\n"
    "LEFT JOIN plant_batches pb ON w.kind = 4 AND pb.id = w.id\n"
    "LEFT JOIN processing_jobs j ON w.kind = 5 AND j.id = w.id\n"
    "LEFT JOIN facilities nf ON nf.id = COALESCE(p.facility_id, h.facility_id,"
    " pl.facility_id, pb.facility_id, j.facility_id)\n"
)

# What `SHIPMENT_COLUMNS` reads beside a shipment `sh`.
SHIPMENT_JOINS = (
    "LEFT JOIN transfer_deliveries td ON td.id = sh.delivery_id\n"
    "LEFT JOIN transfers t ON t.id = td.transfer_id\n"
    "LEFT JOIN facilities sf ON sf.id = sh.facility_id\n"
)
_SHIPMENTS = "LEFT JOIN package_shipments sh ON w.kind = 1 AND sh.package_id = w.id\n"


def _walk_statement(sqlite: bool) -> TextClause:
    """Every edge of the walks, each with the node it reached (and the root's row)."""
    return text(
        _walked(sqlite)
        + "SELECT w.side, w.kind, w.id, w.from_kind, w.from_id, w.via, w.ref,\n"
        + _NODE_COLUMNS
        + "  es.quantity AS source_quantity, es.unit_of_measure_name AS source_unit,\n"
        "  ei.quantity AS input_quantity, ei.unit_of_measure_name AS input_unit,\n"
        "  eh.wet_weight AS plant_weight, ehh.unit_of_weight_name AS plant_weight_unit,\n"
        "  CASE WHEN COALESCE(es.facility_id, ei.facility_id, eh.facility_id, eb.facility_id,"
        " ep.facility_id) IN (SELECT facility_id FROM visible) THEN 1 ELSE 0 END"
        " AS edge_visible,\n"
        + SHIPMENT_COLUMNS
        + "FROM walked w\n"
        + _NODE_JOINS
        + "LEFT JOIN package_sources es ON w.via IN (1, 2, 3, 4, 5) AND es.id = w.ref\n"
        "LEFT JOIN processing_job_inputs ei ON w.via = 6 AND ei.id = w.ref\n"
        "LEFT JOIN harvest_plants eh ON w.via = 10 AND eh.id = w.ref\n"
        "LEFT JOIN harvests ehh ON ehh.id = eh.harvest_id\n"
        "LEFT JOIN plant_batches eb ON w.via IN (7, 8) AND eb.id = w.ref\n"
        "LEFT JOIN plants ep ON w.via = 9 AND ep.id = w.ref\n"
        + _SHIPMENTS
        + SHIPMENT_JOINS
        + "ORDER BY w.side, w.kind, w.id, w.ref, sh.id"
    )


# One node, as `node` reads it (the root of a recall).
_NODE = text(
    "WITH visible(facility_id) AS (SELECT facility_id FROM employees WHERE user_id = :user)\n"
    "SELECT w.side, w.kind, w.id,\n"
    + _NODE_COLUMNS
    + SHIPMENT_COLUMNS
    + "FROM (SELECT 0 AS side, CAST(:kind AS INTEGER) AS kind, CAST(:id AS INTEGER) AS id) w\n"
    + _NODE_JOINS
    + _SHIPMENTS
    + SHIPMENT_JOINS
    + "ORDER BY sh.id"
)

# The statements as each database runs them (by SQLAlchemy dialect name; SQLite's with
# index hints).
_WALKS = {"sqlite": _walk_statement(sqlite=True), "postgresql": _walk_statement(sqlite=False)}

# --- what the walk answers ---------------------------------------------------------------------


@dataclass(frozen=True)
class Shipment:
    """A package on a transfer, as its shipper recorded it."""

    manifest_number: str
    shipper_license_number: str | None
    recipient_license_number: str
    state: str  # Shipped, Accepted, Rejected, Returned
    shipped_quantity: Decimal
    shipped_unit: str
    received_quantity: Decimal | None
    received_unit: str | None
    departed_at: datetime | None
    received_at: datetime | None


@dataclass
class Node:
    kind: Kind
    id: int
    facility_id: int | None
    visible: bool
    side: int = 0  # -1 ancestor, 0 the root, 1 descendant
    depth: int = 0
    license_number: str | None = None
    label: str | None = None
    name: str | None = None
    quantity: Decimal | None = None
    unit: str | None = None
    state: str | None = None
    item_name: str | None = None
    day: date | None = None  # packaged, harvest start
    shipments: list[Shipment] = field(default_factory=list)

    @property
    def known(self) -> bool:
        """Whether the caller may know which node this is (visible, or transferred by them)."""
        return self.visible or self.state == TRANSFERRED


@dataclass
class Edge:
    """Material moved from `source` to `product` (node keys), once per relation; quantities
    of several records of one relation (a job's adjustments) are summed."""

    source: tuple[Kind, int]
    product: tuple[Kind, int]
    relation: Relation
    quantity: Decimal | None
    unit: str | None
    visible: bool


@dataclass(frozen=True)
class Tree:
    root: tuple[Kind, int]
    nodes: dict[tuple[Kind, int], Node]
    edges: list[Edge]


# Plain lookups: calling an enum class costs more than the rest of a row's reading.
_KIND = {int(kind): kind for kind in Kind}
_RELATION = {int(relation): relation for relation in Relation}
_LAST_PACKAGE_SOURCE = int(Relation.PROCESSING_JOB_OUTPUT)  # 1 to 5: package sources
_JOB_INPUT, _PLANT_WEIGHT = int(Relation.PROCESSING_JOB_INPUT), int(Relation.HARVEST_FROM_PLANT)


def _decimal(value: Any) -> Decimal | None:
    """A quantity as the database gives it (text on SQLite, NUMERIC on PostgreSQL)."""
    if value is None or isinstance(value, Decimal):
        return value
    return Decimal(value)


def _day(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _moment(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def _node(row: Any, c: Any) -> Node:
    kind = _KIND[row[c.kind]]
    node = Node(kind, row[c.id], row[c.facility_id], bool(row[c.visible]), side=row[c.side])
    node.license_number, node.label, node.name = row[c.license_number], row[c.label], row[c.name]
    if kind is Kind.PACKAGE:
        node.quantity, node.unit = _decimal(row[c.package_quantity]), row[c.package_unit]
        node.item_name, node.day = row[c.item_name], _day(row[c.packaged_date])
        if row[c.in_transit]:
            node.state = IN_TRANSIT
        else:
            node.state = ACTIVE if row[c.package_finished] is None else FINISHED
    elif kind is Kind.HARVEST:
        node.quantity, node.unit = _decimal(row[c.current_weight]), row[c.unit_of_weight_name]
        node.day = _day(row[c.harvest_start_date])
        node.state = ACTIVE if row[c.harvest_finished] is None else FINISHED
    elif kind is Kind.PLANT:
        node.state, node.name = row[c.plant_state], row[c.growth_phase]
    elif kind is Kind.PLANT_BATCH:
        node.state = ACTIVE if row[c.batch_active] else "Inactive"
    else:
        node.name = row[c.name]
        node.label = job_number(row[c.id])
        node.state = ACTIVE if row[c.job_finished] is None and row[c.job_active] else FINISHED
    return node


def _edge(row: Any, c: Any) -> Edge:
    via = row[c.via]  # compared as a plain int: enum members cost a lookup each
    reached, came_from = (_KIND[row[c.kind]], row[c.id]), (_KIND[row[c.from_kind]], row[c.from_id])
    source, product = (reached, came_from) if row[c.side] < 0 else (came_from, reached)
    visible = bool(row[c.edge_visible])
    quantity, unit = None, None
    if not visible:
        pass
    elif via <= _LAST_PACKAGE_SOURCE:
        quantity, unit = _decimal(row[c.source_quantity]), row[c.source_unit]
    elif via == _JOB_INPUT:
        quantity, unit = _decimal(row[c.input_quantity]), row[c.input_unit]
    elif via == _PLANT_WEIGHT:
        quantity, unit = _decimal(row[c.plant_weight]), row[c.plant_weight_unit]
    return Edge(source, product, _RELATION[via], quantity, unit, visible)


def walk(
    session: Session,
    kind: Kind,
    node_id: int,
    *,
    user_id: int | None,
    ancestors: bool = True,
    descendants: bool = True,
) -> Tree:
    """The tree around one node, as the user `user_id` may see it (one statement)."""
    with collector_paused():
        return _walk(session, kind, node_id, user_id, ancestors, descendants)


@contextmanager
def collector_paused() -> Iterator[None]:
    """No garbage collection while a tree is read: its thousands of rows, nodes and edges all
    stay alive, so each collection the allocations would set off walks them all again, for
    nothing (it doubles the time of a large recall)."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def _read(
    session: Session,
    statements: dict[str, TextClause],
    kind: Kind,
    node_id: int,
    user_id: int | None,
    *,
    ancestors: bool,
    descendants: bool,
) -> tuple[list[Any], Any]:
    """The rows of one statement, and their columns' positions (rows are read by position:
    by name, reading costs ten times more)."""
    result = session.execute(
        statements[session.get_bind().dialect.name],
        {
            "kind": int(kind),
            "id": node_id,
            "user": -1 if user_id is None else user_id,
            "up": int(ancestors),
            "down": int(descendants),
        },
    )
    columns = SimpleNamespace(**{name: i for i, name in enumerate(result.keys())})
    return list(result.all()), columns


def _noted(row: Any, c: Any, nodes: dict[tuple[Kind, int], Node], shipped: set[int]) -> Node:
    """The row's node (made on its first row) with the row's shipment noted on it, when the
    caller may see that shipment: the package is theirs, or the shipper is."""
    key = (_KIND[row[c.kind]], row[c.id])
    node = nodes.get(key)
    if node is None:
        node = nodes[key] = _node(row, c)
    shipment_id = row[c.shipment_id]
    if shipment_id is None or shipment_id in shipped:
        return node
    shipped.add(shipment_id)
    if row[c.shipment_visible] or node.visible:
        node.shipments.append(shipment(row[c.shipment_id :]))
    return node


def shipment(columns: Sequence[Any]) -> Shipment:
    """The shipment of a row's `SHIPMENT_COLUMNS` (the row from its shipment id on)."""
    (
        _, manifest, recipient, state, shipped, shipped_unit, received, received_unit,
        departed_at, received_at, shipper, transfer_kind, external_shipper, _,
    ) = columns  # fmt: skip
    return Shipment(
        manifest,
        (shipper if transfer_kind != "External" else None) or external_shipper,
        recipient,
        state,
        _decimal(shipped) or Decimal(0),
        shipped_unit,
        _decimal(received),
        received_unit,
        _moment(departed_at),
        _moment(received_at),
    )


def _walk(
    session: Session,
    kind: Kind,
    node_id: int,
    user_id: int | None,
    ancestors: bool,
    descendants: bool,
) -> Tree:
    rows, c = _read(
        session, _WALKS, kind, node_id, user_id, ancestors=ancestors, descendants=descendants
    )
    root = (kind, node_id)
    nodes: dict[tuple[Kind, int], Node] = {}
    edges: dict[tuple[Any, ...], Edge] = {}
    seen_refs: set[tuple[int, int]] = set()
    shipped: set[int] = set()
    for row in rows:
        _noted(row, c, nodes, shipped)
        if row[c.via] is None or (row[c.via], row[c.ref]) in seen_refs:
            continue
        seen_refs.add((row[c.via], row[c.ref]))
        edge = _edge(row, c)
        edge_key = (edge.source, edge.product, edge.relation)
        before = edges.get(edge_key)
        if before is None:
            edges[edge_key] = edge
        elif before.quantity is not None and edge.quantity is not None:
            before.quantity += edge.quantity
    for node in nodes.values():
        _transferred(node)
    _depths(root, nodes, list(edges.values()))
    return Tree(root, nodes, list(edges.values()))


def _transferred(node: Node) -> None:
    """A package held elsewhere that a visible facility shipped and that was accepted there
    reads as transferred: its label, where it went and what was received."""
    if node.visible or node.kind is not Kind.PACKAGE:
        return
    last = last_accepted(node.shipments)
    if last is None:
        node.shipments.clear()  # a shipment seen only because the package is: none then
        return
    node.state = TRANSFERRED
    node.license_number = last.recipient_license_number
    node.quantity, node.unit = last.received_quantity, last.received_unit
    node.facility_id = None


def last_accepted(shipments: Sequence[Shipment]) -> Shipment | None:
    """The last shipment of a package that its recipient accepted, if any."""
    accepted = [s for s in shipments if s.state == "Accepted"]
    return accepted[-1] if accepted else None


def _depths(root: tuple[Kind, int], nodes: dict[tuple[Kind, int], Node], edges: list[Edge]) -> None:
    """Each node's distance from the root on its side (breadth first, over the edges)."""
    after: dict[tuple[Kind, int], list[tuple[Kind, int]]] = {}
    before: dict[tuple[Kind, int], list[tuple[Kind, int]]] = {}
    for edge in edges:
        after.setdefault(edge.source, []).append(edge.product)
        before.setdefault(edge.product, []).append(edge.source)
    for links, side in ((before, -1), (after, 1)):
        queue, depth = deque([root]), {root: 0}
        while queue:
            current = queue.popleft()
            for following in links.get(current, ()):
                node = nodes.get(following)
                if following in depth or node is None or node.side != side:
                    continue
                depth[following] = node.depth = depth[current] + 1
                queue.append(following)


def node(session: Session, kind: Kind, node_id: int, *, user_id: int | None) -> Node:
    """One node as the user `user_id` may see it, with its shipments (one statement)."""
    result = session.execute(
        _NODE, {"kind": int(kind), "id": node_id, "user": -1 if user_id is None else user_id}
    )
    columns = SimpleNamespace(**{name: i for i, name in enumerate(result.keys())})
    nodes: dict[tuple[Kind, int], Node] = {}
    shipped: set[int] = set()
    for row in result.all():
        _noted(row, columns, nodes, shipped)
    found = nodes[(kind, node_id)]
    _transferred(found)
    return found
