"""Genealogy and recall beyond Metrc's API (domain/queries/genealogy.py and recall.py walk).

- GET /leafledger/v1/genealogy/{packages|plants|plantbatches|harvests}/{id} (packages and
  plants also by `{label}`), `?direction=Ancestors|Descendants|Both` (default Both): the
  tree around the node: `Root` (its key), `Nodes` (each with its side, its depth from the
  root and, for packages, its shipments), `Edges` (from a source to what was made of it).
- GET /leafledger/v1/recall/{harvests|plantbatches|packages}/{id} (packages also by
  `{label}`): every package holding material from the node, with its licence, quantity,
  unit and state (Active, Finished, InTransit, Transferred), and the sales found of them.

The node named in the path must be the licence's (404 when nothing has that id or label, 401
when it is another facility's, as everywhere). What the tree reaches beyond it is shown as
the caller may see it: in full at every facility the user works at; elsewhere, a placeholder
that says only what kind of thing lies there (`Visible: false`, a `Hidden:n` key), except a
package the caller's facility shipped and another received, which shows its label, the
recipient's licence and what was received, as `Transferred`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from leafledger.dialects.kit.call import Call
from leafledger.dialects.kit.errors import bad_request
from leafledger.dialects.kit.loaders import ById, ByKey
from leafledger.dialects.kit.runner import json_number
from leafledger.domain.models import Harvest, Package, Plant, PlantBatch
from leafledger.domain.queries import genealogy as query
from leafledger.domain.queries import recall as recalls
from leafledger.domain.queries.genealogy import KIND_NAMES, RELATION_NAMES, Kind, Node
from leafledger.domain.queries.recall import Recalled
from leafledger.domain.queries.recall_sales import DeliveryHit, SaleHit

__all__ = ["Kind", "Root", "genealogy", "recall"]

DIRECTIONS = {"ancestors": (True, False), "descendants": (False, True), "both": (True, True)}
SIDES = {-1: "Ancestor", 0: "Root", 1: "Descendant"}
MODELS: dict[Kind, tuple[type[Any], str]] = {
    Kind.PACKAGE: (Package, "package"),
    Kind.PLANT: (Plant, "plant"),
    Kind.PLANT_BATCH: (PlantBatch, "plant batch"),
    Kind.HARVEST: (Harvest, "harvest"),
}


@dataclass(frozen=True)
class Root:
    """The loader of a genealogy or recall row: the licence's node named by the path, as
    (kind, id); a genealogy row also documents its `direction` parameter."""

    kind: Kind
    by_label: bool = False
    directed: bool = True

    def __call__(self, call: Call) -> tuple[Kind, int]:
        model, what = MODELS[self.kind]
        loader = ByKey(model, "label", what) if self.by_label else ById(model, what)
        return self.kind, loader(call).id

    def openapi_parameters(self) -> list[dict[str, Any]]:
        if not self.directed:
            return []
        schema = {"type": "string", "enum": ["Ancestors", "Descendants", "Both"]}
        return [{"name": "direction", "in": "query", "required": False, "schema": schema}]


def _direction(call: Call) -> tuple[bool, bool]:
    given = call.query.get("direction", "Both").strip()
    found = DIRECTIONS.get(given.lower())
    if found is None:
        raise bad_request(f"direction must be Ancestors, Descendants or Both, not {given!r}.")
    return found


class _Keys:
    """Wire keys of the nodes of one answer: `Kind:id` for what the caller may know of,
    `Hidden:n` (n from 1, in walking order) for the placeholders."""

    def __init__(self) -> None:
        self.hidden: dict[tuple[Kind, int], str] = {}

    def __call__(self, node: Node) -> str:
        return self.of(node.kind, node.id, node.known)

    def of(self, kind: Kind, node_id: int, known: bool) -> str:
        if known:
            return f"{KIND_NAMES[kind]}:{node_id}"
        key = (kind, node_id)
        if key not in self.hidden:
            self.hidden[key] = f"Hidden:{len(self.hidden) + 1}"
        return self.hidden[key]


def _shipment(shipment: query.Shipment) -> dict[str, Any]:
    return {
        "ManifestNumber": shipment.manifest_number,
        "ShipperFacilityLicenseNumber": shipment.shipper_license_number,
        "RecipientFacilityLicenseNumber": shipment.recipient_license_number,
        "ShipmentPackageState": shipment.state,
        "ShippedQuantity": shipment.shipped_quantity,
        "ShippedUnitOfMeasureName": shipment.shipped_unit,
        "ReceivedQuantity": shipment.received_quantity,
        "ReceivedUnitOfMeasureName": shipment.received_unit,
        "DepartedDateTime": shipment.departed_at,
        "ReceivedDateTime": shipment.received_at,
    }


def render_node(node: Node, key: Callable[[Node], str]) -> dict[str, Any]:
    known = node.known
    return {
        "Key": key(node),
        "Kind": KIND_NAMES[node.kind],
        "Id": node.id if known else None,
        "Label": node.label if known else None,
        "Name": node.name if node.visible else None,
        "FacilityLicenseNumber": node.license_number if known else None,
        "ItemName": node.item_name if node.visible else None,
        "Quantity": node.quantity if known else None,
        "UnitOfMeasureName": node.unit if known else None,
        "State": node.state if known else None,
        "Date": node.day if node.visible else None,
        "Visible": node.visible,
        "Side": SIDES[node.side],
        "Depth": node.depth,
        "Shipments": [_shipment(s) for s in node.shipments],
    }


def render_recalled(package: Recalled, key: _Keys) -> dict[str, Any]:
    """A package of a recall: what a recall notice needs of it, no more (recalls are long,
    hence the unpacking and the caller's own package first: this runs for each)."""
    package_id, label, licence, item, quantity, unit, state, visible, shipments = package
    # Made a JSON number here rather than by the encoder's fallback, called for each package.
    number = None if quantity is None else json_number(quantity)
    if visible:
        return {
            "Key": f"Package:{package_id}",
            "Id": package_id,
            "Label": label,
            "FacilityLicenseNumber": licence,
            "ItemName": item,
            "Quantity": number,
            "UnitOfMeasureName": unit,
            "State": state,
            "Visible": True,
            "Shipments": [_shipment(s) for s in shipments] if shipments else [],
        }
    known = state == query.TRANSFERRED
    return {
        "Key": key.of(Kind.PACKAGE, package_id, known),
        "Id": package_id if known else None,
        "Label": label if known else None,
        "FacilityLicenseNumber": licence if known else None,
        "ItemName": None,
        "Quantity": number if known else None,
        "UnitOfMeasureName": unit if known else None,
        "State": state if known else None,
        "Visible": False,
        "Shipments": [_shipment(s) for s in shipments],
    }


def render_tree(tree: query.Tree) -> dict[str, Any]:
    key = _Keys()
    order = sorted(tree.nodes.values(), key=lambda n: (n.side, n.depth, n.kind, n.id))
    nodes = [render_node(node, key) for node in order]
    edges = [
        {
            "From": key(tree.nodes[edge.source]),
            "To": key(tree.nodes[edge.product]),
            "Relation": RELATION_NAMES[edge.relation],
            "Quantity": edge.quantity,
            "UnitOfMeasureName": edge.unit,
        }
        for edge in tree.edges
        if edge.source in tree.nodes and edge.product in tree.nodes
    ]
    return {"Root": key(tree.nodes[tree.root]), "Nodes": nodes, "Edges": edges}


def genealogy(call: Call) -> dict[str, Any]:
    kind, node_id = call.target
    ancestors, descendants = _direction(call)
    tree = query.walk(
        call.session,
        kind,
        node_id,
        user_id=call.actor.user_id,
        ancestors=ancestors,
        descendants=descendants,
    )
    return render_tree(tree)


def _sale(sale: SaleHit) -> dict[str, Any]:
    return {
        "ReceiptId": sale.receipt_id,
        "ReceiptNumber": sale.receipt_number,
        "FacilityLicenseNumber": sale.license_number,
        "SalesDateTime": sale.sales_date_time,
        "PackageLabel": sale.package_label,
        "Quantity": sale.quantity,
        "UnitOfMeasureName": sale.unit,
        "Visible": sale.visible,
    }


def _delivery(line: DeliveryHit) -> dict[str, Any]:
    return {
        "DeliveryId": line.delivery_id,
        "DeliveryState": line.state,
        "FacilityLicenseNumber": line.license_number,
        "SalesDateTime": line.sales_date_time,
        "PackageLabel": line.package_label,
        "Quantity": line.quantity,
        "UnitOfMeasureName": line.unit,
        "ReturnedQuantity": line.returned_quantity,
        "ReturnedUnitOfMeasureName": line.returned_unit,
        "Visible": line.visible,
    }


def recall(call: Call) -> dict[str, Any]:
    kind, node_id = call.target
    found = recalls.recall(call.session, kind, node_id, user_id=call.actor.user_id)
    key = _Keys()
    root = render_node(found.root, key)  # first: its placeholder key, if any, is Hidden:1
    with query.collector_paused():
        packages = [render_recalled(package, key) for package in found.packages]
    return {
        "Root": root,
        "Packages": packages,
        "PackageCount": len(packages),
        "HiddenPackageCount": sum(1 for node in found.packages if not node.known),
        "Sales": [_sale(sale) for sale in found.sales],
        "SalesDeliveries": [_delivery(line) for line in found.deliveries],
    }


# --- the answers' shapes (OpenAPI) -----------------------------------------------------------

_TEXT = {"type": ["string", "null"]}
_NUMBER = {"type": ["number", "null"]}
_SHIPMENT = {
    "type": "object",
    "properties": {
        "ManifestNumber": {"type": "string"},
        "ShipperFacilityLicenseNumber": _TEXT,
        "RecipientFacilityLicenseNumber": {"type": "string"},
        "ShipmentPackageState": {"type": "string"},
        "ShippedQuantity": {"type": "number"},
        "ShippedUnitOfMeasureName": {"type": "string"},
        "ReceivedQuantity": _NUMBER,
        "ReceivedUnitOfMeasureName": _TEXT,
        "DepartedDateTime": _TEXT,
        "ReceivedDateTime": _TEXT,
    },
}
NODE = {
    "type": "object",
    "required": ["Key", "Kind", "Visible", "Side", "Depth"],
    "properties": {
        "Key": {"type": "string", "description": "Kind:id, or Hidden:n for a placeholder"},
        "Kind": {"type": "string", "enum": list(KIND_NAMES.values())},
        "Id": {"type": ["integer", "null"]},
        "Label": _TEXT,
        "Name": _TEXT,
        "FacilityLicenseNumber": _TEXT,
        "ItemName": _TEXT,
        "Quantity": _NUMBER,
        "UnitOfMeasureName": _TEXT,
        "State": _TEXT,
        "Date": _TEXT,
        "Visible": {"type": "boolean"},
        "Side": {"type": "string", "enum": list(SIDES.values())},
        "Depth": {"type": "integer", "minimum": 0},
        "Shipments": {"type": "array", "items": _SHIPMENT},
    },
}
TREE = {
    "type": "object",
    "required": ["Root", "Nodes", "Edges"],
    "properties": {
        "Root": {"type": "string"},
        "Nodes": {"type": "array", "items": NODE},
        "Edges": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "From": {"type": "string"},
                    "To": {"type": "string"},
                    "Relation": {"type": "string", "enum": list(RELATION_NAMES.values())},
                    "Quantity": _NUMBER,
                    "UnitOfMeasureName": _TEXT,
                },
            },
        },
    },
}
RECALLED = {
    "type": "object",
    "required": ["Key", "Visible"],
    "properties": {
        name: NODE["properties"][name]  # type: ignore[index]
        for name in (
            "Key", "Id", "Label", "FacilityLicenseNumber", "ItemName", "Quantity",
            "UnitOfMeasureName", "State", "Visible", "Shipments",
        )
    },
}  # fmt: skip
RECALL = {
    "type": "object",
    "required": [
        "Root",
        "Packages",
        "PackageCount",
        "HiddenPackageCount",
        "Sales",
        "SalesDeliveries",
    ],
    "properties": {
        "Root": NODE,
        "Packages": {"type": "array", "items": RECALLED},
        "PackageCount": {"type": "integer"},
        "HiddenPackageCount": {"type": "integer"},
        "Sales": {"type": "array", "items": {"type": "object"}},
        "SalesDeliveries": {"type": "array", "items": {"type": "object"}},
    },
}
