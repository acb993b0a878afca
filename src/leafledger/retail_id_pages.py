"""What a Retail ID QR code leads to: public pages outside the Metrc paths, needing no keys.

A unit's QR code holds `<resolver>/<short code>` (domain/services/retail_id.py), where the
resolver is the public address of RESOLVER_PATH on this server. Under it:

- `GET {RESOLVER_PATH}/{shortCode}`: the public information of the code's unit, as JSON
  (domain/queries/retail_id.py `public_label`): product, category, strain, brand, package
  label, dates, lab testing state. Nothing else: no internal id, quantity, place or note;
- `GET {RESOLVER_PATH}/{shortCode}/qr.png` and `/qr.svg`: the code's QR code, to print;
- `GET {RESOLVER_PATH}/issuances/{issuanceId}`: a printable page of every QR code of one
  issuance (the `Url` POST /retailid/v2/generate answers).

Short codes and issuance ids are random (80 and 96 bits), so knowing one reveals no other.
QR codes are drawn by segno, with error correction level M (15 % of a code may be damaged).
"""

from __future__ import annotations

import html
import io
from typing import Any

import segno
from fastapi import FastAPI
from starlette.responses import HTMLResponse, Response

from leafledger.dialects.kit.runner import json_response
from leafledger.domain.queries import retail_id as queries
from leafledger.domain.queries.retail_id import PublicLabel
from leafledger.domain.services.retail_id import RESOLVER_PATH
from leafledger.store import Store

TAG = "Retail ID, public (leafledger)"
QR_SCALE = 8  # pixels (PNG) or user units (SVG) per module
QR_BORDER = 4  # modules of quiet zone around the code, as the QR standard asks


def qr_code(url: str) -> segno.QRCode:
    """The QR code of a URL (never a Micro QR code: phones do not read those)."""
    return segno.make_qr(url, error="m")


def qr_image(url: str, kind: str) -> bytes:
    """The QR code of `url` as an image: kind "png" or "svg"."""
    out = io.BytesIO()
    qr_code(url).save(out, kind=kind, scale=QR_SCALE, border=QR_BORDER)
    return out.getvalue()


def _iso(value: Any) -> str | None:
    return None if value is None else str(value.isoformat())


def render_public(label: PublicLabel) -> dict[str, Any]:
    return {
        "ShortCode": label.short_code,
        "Url": label.url,
        "ProductName": label.product_name,
        "ProductCategoryName": label.product_category_name,
        "StrainName": label.strain_name,
        "BrandName": label.brand_name,
        "PackageLabel": label.package_label,
        "PackagedDate": label.packaged_date.isoformat(),
        "ExpirationDate": _iso(label.expiration_date),
        "SellByDate": _iso(label.sell_by_date),
        "UseByDate": _iso(label.use_by_date),
        "LabTestingState": label.lab_testing_state,
        "LabTestingStateDate": _iso(label.lab_testing_state_date),
    }


def render_sheet(sheet: queries.IssuedSheet) -> str:
    """A page of an issuance's QR codes, each captioned with its short code."""
    title = html.escape(f"{sheet.product_name}, package {sheet.package_label}")
    figures = "\n".join(
        f"<figure>{qr_code(url).svg_inline(scale=4, border=QR_BORDER)}"
        f"<figcaption>{html.escape(short_code)}</figcaption></figure>"
        for short_code, url in sheet.codes
    )
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title><style>"
        "body{font-family:sans-serif}main{display:flex;flex-wrap:wrap;gap:8px}"
        "figure{margin:0;text-align:center}figcaption{font:10px monospace}"
        f"</style></head><body><h1>{title}</h1><p>Label set {sheet.label_set}, "
        f"{len(sheet.codes)} code(s).</p><main>{figures}</main></body></html>"
    )


def _unknown(what: str) -> Response:
    return json_response({"Message": f"No Retail ID {what} was found."}, 404)


PUBLIC_KEYS = (
    "ShortCode",
    "Url",
    "ProductName",
    "ProductCategoryName",
    "StrainName",
    "BrandName",
    "PackageLabel",
    "PackagedDate",
    "ExpirationDate",
    "SellByDate",
    "UseByDate",
    "LabTestingState",
    "LabTestingStateDate",
)
_PUBLIC = {
    "type": "object",
    "properties": {key: {"type": ["string", "null"]} for key in PUBLIC_KEYS},
}
_MISSING: dict[int | str, dict[str, Any]] = {404: {"description": "No such code or issuance."}}


def add_retail_id_pages(app: FastAPI, store: Store) -> None:
    """Mount the public Retail ID pages on `app`, reading from `store`."""

    @app.get(
        f"{RESOLVER_PATH}/issuances/{{issuance_id}}",
        tags=[TAG],
        summary="A printable page of an issuance's QR codes",
        response_class=HTMLResponse,
        responses=_MISSING,
    )
    def issuance_sheet(issuance_id: str) -> Response:
        with store.transaction(write=False) as session:
            sheet = queries.issued_sheet(session, issuance_id)
        return _unknown("issuance") if sheet is None else HTMLResponse(render_sheet(sheet))

    @app.get(
        f"{RESOLVER_PATH}/{{short_code}}",
        tags=[TAG],
        summary="What a Retail ID code tells anyone who scans it",
        response_class=Response,
        responses={
            200: {"content": {"application/json": {"schema": _PUBLIC}}},
            **_MISSING,
        },
    )
    def public_information(short_code: str) -> Response:
        with store.transaction(write=False) as session:
            label = queries.public_label(session, short_code)
        return _unknown("code") if label is None else json_response(render_public(label))

    for kind, media_type in (("png", "image/png"), ("svg", "image/svg+xml")):
        _add_image(app, store, kind, media_type)


def _add_image(app: FastAPI, store: Store, kind: str, media_type: str) -> None:
    """`GET {RESOLVER_PATH}/{shortCode}/qr.<kind>`: the code's QR code as an image."""

    @app.get(
        f"{RESOLVER_PATH}/{{short_code}}/qr.{kind}",
        tags=[TAG],
        summary=f"A Retail ID code's QR code ({kind.upper()})",
        response_class=Response,
        responses={200: {"content": {media_type: {}}}, **_MISSING},
        name=f"retail_id_qr_{kind}",
    )
    def qr(short_code: str) -> Response:
        with store.transaction(write=False) as session:
            label = queries.public_label(session, short_code)
        if label is None:
            return _unknown("code")
        return Response(qr_image(label.url, kind), media_type=media_type)
