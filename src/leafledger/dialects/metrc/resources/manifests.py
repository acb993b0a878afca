"""The transfer manifest: `GET /transfers/v2/manifest/{id}/pdf` (the catalogue's) and
`GET /transfers/v2/manifest/{id}/html` (Metrc's Postman collection has it, its catalogue does
not), both from one read model (domain/queries/manifests.py), rendered by
documents/manifest.py.

{id} is a transfer id (a licensed or an external incoming transfer; a template has no
manifest). The licence must be the transfer's shipper (an external one's: its receiver),
which reads every destination, or a recipient, which reads its own; for any other licence,
as for an id that names no transfer, the manifest is not found (404): a manifest names
facilities, drivers and vehicles, so the answer does not tell whether it exists.
"""

from __future__ import annotations

from starlette.responses import Response

from leafledger.dialects.kit.call import Call
from leafledger.documents.manifest import HTML_TYPE, PDF_TYPE, render_html, render_pdf
from leafledger.domain.errors import NotFound
from leafledger.domain.models import Transfer
from leafledger.domain.models.base import fits
from leafledger.domain.queries.manifests import Manifest, manifest_for


def manifest(call: Call) -> Manifest:
    """The loader: the manifest of transfer {id}, as the licence may read it."""
    transfer_id = int(call.path_params["id"])
    found = (
        manifest_for(call.session, transfer_id, call.facility.id)
        if fits(Transfer.id, transfer_id)
        else None
    )
    if found is None:
        raise NotFound(f"No manifest of transfer {transfer_id} was found for this licence.")
    return found


def _name(found: Manifest, suffix: str) -> str:
    return f"manifest-{found.manifest_number or found.transfer_id}.{suffix}"


def pdf(call: Call) -> Response:
    found: Manifest = call.target
    return Response(
        render_pdf(found),
        media_type=PDF_TYPE,
        headers={"Content-Disposition": f'inline; filename="{_name(found, "pdf")}"'},
    )


def page(call: Call) -> Response:
    found: Manifest = call.target
    return Response(render_html(found), media_type=HTML_TYPE)
