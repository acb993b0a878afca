"""The extension's endpoint table: leafledger's own rows, outside every dialect's paths,
mounted by the same kit (kit/mount.py) and documented in the same OpenAPI document.

Permissions are the Metrc catalogue's names for the same work ("Manage Transfers"), so an
employee's grants mean the same thing on both tables. Rows are served by LeafledgerDialect
(Metrc conventions; writes answer their ids).
"""

from __future__ import annotations

from leafledger.dialects.kit.endpoint import Body, Endpoint, parse_permissions
from leafledger.dialects.leafledger import transfers
from leafledger.dialects.metrc.resources.transfers import OWN_TRANSFER

TRANSFERS = "Transfers"
MANAGE = parse_permissions("Manage Transfers")

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
)  # fmt: skip
