"""The transfer manifest: `GET /transfers/v2/manifest/{id}/pdf` and its HTML twin (an extra
row, from Metrc's Postman collection). The PDF is read back with pypdf; a QR code is decoded
with zxing-cpp from a page rasterised by pypdfium2.
"""

from __future__ import annotations

import io
from typing import Any

import pypdfium2
import pytest
import zxingcpp
from fastapi.testclient import TestClient
from pypdf import PdfReader

from leafledger.dialects.metrc.table import EXTRA_ROWS
from leafledger.documents.manifest import render_pdf
from leafledger.domain.queries.manifests import manifest_for
from leafledger.store import Store
from tests.conftest import DemoAccess, Ledger
from tests.transfers import Carrier, Party, Shipping, accept, package_row, reject

PDF = "/transfers/v2/manifest/{id}/pdf"
HTML = "/transfers/v2/manifest/{id}/html"


@pytest.fixture()
def ship(client: TestClient, demo: DemoAccess, ledger: Ledger, store: Store) -> Shipping:
    return Shipping.start(client, demo, ledger, store)


@pytest.fixture()
def carrier(ship: Shipping) -> Carrier:
    return ship.carrier()


def pdf_text(content: bytes) -> str:
    """The text of every page, each run of white space (a line broken in a cell) one space."""
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def get(party: Party, path: str, transfer_id: int) -> Any:
    return party.api.call("GET", path.format(id=transfer_id))


def two_stops(ship: Shipping, carrier: Carrier) -> tuple[int, Party, Party, list[str], list[str]]:
    """A transfer to a dispensary (two packages) and a manufacturer (one), departed."""
    shop, maker = ship.party("Dispensary"), ship.party("Manufacturer")
    first = ship.packages("120.5", "80")
    second = ship.packages("7")
    transfer_id = ship.register(
        Shipping.destination(
            shop, first, [carrier.leg()], PlannedRoute="Main St <north> & \"Elm\" 'Rd'"
        ),
        Shipping.destination(maker, second, [carrier.leg()], InvoiceNumber="INV-42"),
    )
    ship.depart(transfer_id)
    return transfer_id, shop, maker, first, second


def test_the_pdf_manifest_shows_shipper_stops_transporters_and_packages(
    ship: Shipping, carrier: Carrier
) -> None:
    transfer_id, shop, maker, first, second = two_stops(ship, carrier)
    response = get(ship.shipper, PDF, transfer_id)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    text = pdf_text(response.content)
    manifest_number = f"{transfer_id:010d}"
    for expected in (
        "Transfer Manifest",
        f"Manifest No. {manifest_number}",
        ship.shipper.facility.name,
        ship.shipper.license,
        shop.facility.name,
        shop.license,
        maker.facility.name,
        "INV-42",
        carrier.facility.name,
        carrier.license,
        carrier.driver,
        carrier.plate,
        "Volvo FH16",
        "Main St <north>",
        *first,
        *second,
        "120.5 Grams",
        "80 Grams",
        "7 Grams",
        "TestPassed",
        "departed",
        "page 1 of",
    ):
        assert expected in text, expected


def test_the_html_manifest_shows_the_same_and_escapes_every_text(
    ship: Shipping, carrier: Carrier
) -> None:
    transfer_id, shop, _maker, first, second = two_stops(ship, carrier)
    response = get(ship.shipper, HTML, transfer_id)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    for expected in (
        f"Manifest No. {transfer_id:010d}",
        ship.shipper.license,
        shop.facility.name,
        carrier.driver,
        carrier.plate,
        *first,
        *second,
        "120.5",
        "TestPassed",
    ):
        assert expected in page, expected
    assert "Main St &lt;north&gt; &amp; &quot;Elm&quot; &#x27;Rd&#x27;" in page
    assert "<north>" not in page
    assert page.count("<svg") == 3  # a QR code for each package


def test_a_recipient_reads_its_own_stop_and_others_nothing(
    ship: Shipping, carrier: Carrier
) -> None:
    transfer_id, shop, maker, first, second = two_stops(ship, carrier)
    text = pdf_text(get(shop, PDF, transfer_id).content)
    assert all(label in text for label in first)
    assert not any(label in text for label in second)
    assert maker.facility.name not in text
    page = get(maker, HTML, transfer_id).text
    assert second[0] in page and first[0] not in page
    # The transporter, another facility, a missing id and a template: not found.
    stranger = ship.party("Dispensary")
    for party, wanted in ((carrier, transfer_id), (stranger, transfer_id), (shop, 999_999)):
        for path in (PDF, HTML):
            response = get(party, path, wanted)
            assert response.status_code == 404, response.text
            assert "Message" in response.json()


def test_a_templates_id_has_no_manifest(ship: Shipping, carrier: Carrier) -> None:
    shop = ship.party("Dispensary")
    labels = ship.packages("5")
    ship.shipper.api.ok(
        "POST",
        "/transfers/v2/templates/outgoing",
        [{"Name": "Weekly", "Destinations": [Shipping.destination(shop, labels, [carrier.leg()])]}],
    )
    (template,) = ship.shipper.api.ok("GET", "/transfers/v2/templates/outgoing")["Data"]
    assert get(ship.shipper, PDF, template["Id"]).status_code == 404


def test_a_received_manifest_says_what_arrived(ship: Shipping, carrier: Carrier) -> None:
    shop = ship.party("Dispensary")
    labels = ship.packages("10", "20")
    transfer_id = ship.register(Shipping.destination(shop, labels, [carrier.leg()]))
    ship.depart(transfer_id)
    response = Shipping.receive(
        shop, transfer_id, accept(labels[0], "9.5"), reject(labels[1], "Torn bag")
    )
    assert response.status_code == 200, response.text
    text = pdf_text(get(ship.shipper, PDF, transfer_id).content)
    assert "Accepted 9.5 Grams (short 0.5)" in text
    assert "Rejected: Torn bag" in text
    assert "received" in text


def test_a_long_transfer_runs_over_pages_with_every_package(
    ship: Shipping, carrier: Carrier, store: Store
) -> None:
    shop = ship.party("Dispensary")
    labels = ship.packages(*[str(n) for n in range(1, 31)])
    transfer_id = ship.register(Shipping.destination(shop, labels, [carrier.leg()]))
    content = get(ship.shipper, PDF, transfer_id).content
    reader = PdfReader(io.BytesIO(content))
    pages = len(reader.pages)
    assert pages >= 3
    text = pdf_text(content)
    assert all(label in text for label in labels)
    assert f"page {pages} of {pages}" in text
    # Every page repeats the header.
    assert all("Manifest No." in page.extract_text() for page in reader.pages)
    with store.read() as session:
        found = manifest_for(session, transfer_id, ship.shipper.facility.id)
    assert found is not None and len(found.packages) == 30
    assert render_pdf(found)[:5] == b"%PDF-"


def test_text_outside_latin_1_does_not_break_the_pdf(
    ship: Shipping, carrier: Carrier, store: Store
) -> None:
    shop = ship.party("Dispensary")
    labels = ship.packages("3")
    transfer_id = ship.register(
        Shipping.destination(shop, labels, [carrier.leg()], PlannedRoute="Łódź → Kraków ☃")
    )
    text = pdf_text(get(ship.shipper, PDF, transfer_id).content)
    assert "Lódz -> Kraków ?" in text
    assert "Łódź → Kraków ☃" in get(ship.shipper, HTML, transfer_id).text
    assert package_row(store, labels[0]).label == labels[0]


def test_a_package_qr_code_on_the_rendered_page_decodes_to_its_label(
    ship: Shipping, carrier: Carrier
) -> None:
    shop = ship.party("Dispensary")
    labels = ship.packages("1", "2")
    transfer_id = ship.register(Shipping.destination(shop, labels, [carrier.leg()]))
    document = pypdfium2.PdfDocument(get(ship.shipper, PDF, transfer_id).content)
    try:
        page = document[0].render(scale=150 / 72, grayscale=True).to_pil()
    finally:
        document.close()
    found = {code.text for code in zxingcpp.read_barcodes(page)}
    assert found == set(labels)


def test_the_html_row_is_an_extra_row_of_the_postman_collection() -> None:
    assert any(row.path == HTML and row.implemented for row in EXTRA_ROWS)
