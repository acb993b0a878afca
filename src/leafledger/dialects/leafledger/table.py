"""The extension's endpoint table: leafledger's own rows, outside every dialect's paths,
mounted by the same kit (kit/mount.py) and documented in the same OpenAPI document.

Permissions are the Metrc catalogue's names for the same work ("Manage Transfers"), so an
employee's grants mean the same thing on both tables. Rows are served by LeafledgerDialect
(Metrc conventions; writes answer their ids).
"""

from __future__ import annotations

from leafledger.dialects.kit.endpoint import Body, Endpoint, parse_permissions
from leafledger.dialects.leafledger import genealogy, transfers
from leafledger.dialects.leafledger.genealogy import RECALL, TREE, Root
from leafledger.dialects.metrc.resources.transfers import OWN_TRANSFER

TRANSFERS = "Transfers"
MANAGE = parse_permissions("Manage Transfers")
GENEALOGY, RECALLS = "Genealogy", "Recall"
PACKAGES = parse_permissions("View Packages")
K = genealogy.Kind


def _tree(kind: genealogy.Kind, noun: str, permissions: str, by_label: bool = False) -> Endpoint:
    key = "{label}" if by_label else "{id}"
    return Endpoint(
        resource=GENEALOGY, license_type="UNIVERSAL", version="v1", method="GET",
        path=f"/leafledger/v1/genealogy/{noun}/{key}", permissions=parse_permissions(permissions),
        loads=Root(kind, by_label), answers=TREE, handler=genealogy.genealogy,
    )  # fmt: skip


def _recall(kind: genealogy.Kind, noun: str, by_label: bool = False) -> Endpoint:
    key = "{label}" if by_label else "{id}"
    return Endpoint(
        resource=RECALLS, license_type="UNIVERSAL", version="v1", method="GET",
        path=f"/leafledger/v1/recall/{noun}/{key}", permissions=PACKAGES,
        loads=Root(kind, by_label, directed=False), answers=RECALL, handler=genealogy.recall,
    )  # fmt: skip


ROWS: tuple[Endpoint, ...] = (
    Endpoint(
        resource=TRANSFERS, license_type="UNIVERSAL", version="v1", method="POST",
        path="/leafledger/v1/transfers", permissions=MANAGE, body=Body.ARRAY,
        schema=transfers.NewTransferBody, handler=transfers.register,
    ),
    Endpoint(
        resource=TRANSFERS, license_type="UNIVERSAL", version="v1", method="DELETE",
        path="/leafledger/v1/transfers/{id}", permissions=MANAGE, loads=OWN_TRANSFER,
        handler=transfers.void,
    ),
    Endpoint(
        resource=TRANSFERS, license_type="UNIVERSAL", version="v1", method="POST",
        path="/leafledger/v1/transfers/{id}/depart", permissions=MANAGE, loads=OWN_TRANSFER,
        handler=transfers.depart,
    ),
    Endpoint(
        resource=TRANSFERS, license_type="UNIVERSAL", version="v1", method="POST",
        path="/leafledger/v1/transfers/{id}/receive", permissions=MANAGE, body=Body.OBJECT,
        schema=transfers.ReceiptBody, loads=transfers.delivery_to_licence,
        handler=transfers.receive,
    ),
    _tree(K.PACKAGE, "packages", "View Packages"),
    _tree(K.PACKAGE, "packages", "View Packages", by_label=True),
    _tree(K.PLANT, "plants", "View Veg/Flower Plants"),
    _tree(K.PLANT, "plants", "View Veg/Flower Plants", by_label=True),
    _tree(K.PLANT_BATCH, "plantbatches", "View Immature Plants"),
    _tree(K.HARVEST, "harvests", "View Harvests"),
    _recall(K.HARVEST, "harvests"),
    _recall(K.PLANT_BATCH, "plantbatches"),
    _recall(K.PACKAGE, "packages"),
    _recall(K.PACKAGE, "packages", by_label=True),
)  # fmt: skip
