"""Retail ID through HTTP: allotment, generation, association, merge, packages info, receive,
the public page a code resolves to, and QR codes that decode back to their codes' URLs.

Packages are put straight into the ledger (`stock`); every refusal is checked to answer 400
(naming the object or the field) and to change nothing, codes and allotments included.
"""

from __future__ import annotations

import json
import re
import struct
import zlib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import zxingcpp
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from leafledger.domain.models import (
    PackageAdjustment,
    RetailIdAllotment,
    RetailIdCode,
    RetailIdIssuance,
)
from leafledger.domain.services import retail_id as service
from leafledger.retail_id_pages import qr_image
from leafledger.store import Store
from tests.conftest import DemoAccess, Ledger
from tests.metrc.test_harvests import Api, Grow
from tests.metrc.test_package_inventory import package_state, stock, stored_package
from tests.statements import counted_statements

CODE = re.compile(rf"^[{service.ALPHABET}]{{{service.SHORT_CODE_LENGTH}}}$")


@pytest.fixture(scope="module")
def examples(shared_dir: Path) -> dict[str, Any]:
    """Metrc's v2 response examples, by "METHOD path" (the tests using them are skipped
    without the shared folder)."""
    found = json.loads((shared_dir / "spec" / "metrc" / "v2-examples.json").read_text())
    return {key: value["response_example"] for key, value in found.items()}


@pytest.fixture()
def grow(ledger: Ledger, store: Store) -> Grow:
    return Grow.start(ledger, store, "Dispensary")


@pytest.fixture()
def api(client: TestClient, demo: DemoAccess, grow: Grow) -> Api:
    return Api(client, demo, grow.license)


@pytest.fixture()
def other(ledger: Ledger, store: Store) -> Grow:
    """Another facility the demo user works at."""
    return Grow.start(ledger, store, "Dispensary")


def units(grow: Grow, count: str = "10", **columns: Any) -> str:
    """A package of `count` units (Each) of a fresh count-based item; its label."""
    return stock(grow, count, "Each", grow.item("Edibles", "CountBased"), **columns)


def generate(api: Api, label: str, quantity: Any = 3) -> dict[str, Any]:
    answer: dict[str, Any] = api.ok(
        "POST", "/retailid/v2/generate", {"PackageLabel": label, "Quantity": quantity}
    )
    return answer


def short_code(url: str) -> str:
    return url.rsplit("/", 1)[1]


def retail_state(store: Store, grow: Grow) -> dict[str, Any]:
    """The packages of the facility and every Retail ID row of the ledger, to show that a
    refusal changed nothing."""
    state = package_state(store, grow.facility.id)
    with store.read() as session:
        state["codes"] = session.execute(
            select(RetailIdCode.short_code, RetailIdCode.package_id).order_by(RetailIdCode.id)
        ).all()
        state["issuances"] = session.scalar(select(func.count()).select_from(RetailIdIssuance))
        state["allotments"] = session.execute(
            select(RetailIdAllotment.facility_id, RetailIdAllotment.generated)
        ).all()
    return state


def refusal(api: Api, grow: Grow, method: str, path: str, body: Any, status: int = 400) -> Any:
    """The error body of a refused request, after checking it changed nothing."""
    before = retail_state(grow.store, grow)
    response = api.call(method, path, body)
    assert response.status_code == status, response.text
    assert retail_state(grow.store, grow) == before
    return response.json()


def refused(api: Api, grow: Grow, path: str, body: dict[str, Any]) -> str:
    """The message of a 400 to a single-object body."""
    message = refusal(api, grow, "POST", path, body)["Message"]
    assert isinstance(message, str)
    return message


def refused_row(api: Api, grow: Grow, body: list[dict[str, Any]], row: int = 0) -> str:
    """The message of a 400 to POST /retailid/v2/associate naming object `row`."""
    [error] = refusal(api, grow, "POST", "/retailid/v2/associate", body)
    assert error["row"] == row, error
    return str(error["message"])


# --- allotment and generation ----------------------------------------------------------------


def test_the_allotment_answers_the_example_keys_and_shrinks_with_each_generation(
    api: Api, grow: Grow, examples: dict[str, Any]
) -> None:
    first = api.ok("GET", "/retailid/v2/allotment")
    assert first.keys() == examples["GET /retailid/v2/allotment"].keys()
    assert first == {
        "FacilityId": grow.facility.id,
        "Allotment": service.DEFAULT_ALLOTMENT,
        "FacilityLicenseNumber": grow.license,
    }
    generate(api, units(grow), 4)
    assert api.ok("GET", "/retailid/v2/allotment")["Allotment"] == service.DEFAULT_ALLOTMENT - 4


def test_generate_answers_the_example_shape_with_unique_random_codes(
    api: Api, grow: Grow, store: Store, examples: dict[str, Any]
) -> None:
    label = units(grow, "20")
    made = generate(api, label, 10)
    documented = examples["POST /retailid/v2/generate"]
    assert made.keys() == documented.keys()
    assert made["Manifest"].keys() == documented["Manifest"].keys()
    assert re.fullmatch(r"[0-9a-f]{24}", made["IssuanceId"])
    qrs = made["Manifest"]["Qrs"]
    assert len(qrs) == len(set(qrs)) == 10
    for url in qrs:
        assert url.startswith(service.resolver() + "/")
        assert CODE.match(short_code(url)), url
    # Serials count the facility's codes: this generation is its first ten.
    assert made["Manifest"]["Ranges"] == [[1, 10]]
    assert made["Url"] == f"{service.resolver()}/issuances/{made['IssuanceId']}"
    assert made["CoaBl"] == f"{label}@leafledger~COA"
    again = generate(api, label, 5)
    assert again["Manifest"]["Ranges"] == [[11, 15]]
    assert again["IssuanceId"] != made["IssuanceId"]
    assert not set(again["Manifest"]["Qrs"]) & set(qrs)
    with store.read() as session:
        issuances = session.scalars(
            select(RetailIdIssuance)
            .where(RetailIdIssuance.facility_id == grow.facility.id)
            .order_by(RetailIdIssuance.id)
        ).all()
    assert [(i.label_set, i.quantity) for i in issuances] == [(0, 10), (1, 5)]


def test_generate_refusals_name_the_field_and_change_nothing(
    api: Api, grow: Grow, store: Store
) -> None:
    path = "/retailid/v2/generate"
    label = units(grow, "5")
    for quantity in (0, -1, service.MAX_CODES_PER_GENERATION + 1):
        message = refused(api, grow, path, {"PackageLabel": label, "Quantity": quantity})
        assert message.startswith("Quantity must be from 1 to 1000"), message
    message = refused(api, grow, path, {"PackageLabel": label, "Quantity": 6})
    assert message == f"Quantity 6 is more codes than the 5 units package {label} holds."
    finished = units(grow, "0", finished_date=stored_package(store, label).packaged_date)
    assert refused(api, grow, path, {"PackageLabel": finished, "Quantity": 1}) == (
        f"PackageLabel: Package {finished} is finished; unfinish it first."
    )
    sample = stock(grow, "10", is_testing_sample=True)
    assert "is a lab sample" in refused(api, grow, path, {"PackageLabel": sample, "Quantity": 1})
    assert refused(api, grow, path, {"PackageLabel": label}) == "Quantity: is required"
    assert "No package NO-SUCH-LABEL" in refused(
        api, grow, path, {"PackageLabel": "NO-SUCH-LABEL", "Quantity": 1}
    )
    # Over the allotment: the facility may generate 2 more.
    generate(api, label, 1)
    with store.transaction() as session:
        allotment = session.scalars(
            select(RetailIdAllotment).where(RetailIdAllotment.facility_id == grow.facility.id)
        ).one()
        allotment.granted = allotment.generated + 2
    message = refused(api, grow, path, {"PackageLabel": label, "Quantity": 3})
    assert message == "The facility may generate 2 more code(s); Quantity 3 is over its allotment."
    assert api.ok("GET", "/retailid/v2/allotment")["Allotment"] == 2


def test_a_weighed_package_takes_codes_up_to_the_per_generation_limit(api: Api, grow: Grow) -> None:
    label = stock(grow, "3", "Grams")
    made = generate(api, label, 12)
    assert len(made["Manifest"]["Qrs"]) == 12


# --- receive ---------------------------------------------------------------------------------


def test_receive_by_label_and_by_short_code_answer_the_codes_the_package_holds(
    api: Api, grow: Grow, examples: dict[str, Any]
) -> None:
    label = units(grow)
    qrs = generate(api, label, 3)["Manifest"]["Qrs"]
    by_label = api.ok("GET", f"/retailid/v2/receive/{label}")
    assert by_label.keys() == examples["GET /retailid/v2/receive/{label}"].keys()
    assert by_label == {
        "Eaches": qrs,
        "SiblingTags": [],
        "RequiresVerification": False,
        "Ranges": [[1, 3]],
        "QrCount": 3,
        "ChildTag": label,
        "LabelSource": "RetailId",
    }
    for url in qrs:
        by_code = api.ok("GET", f"/retailid/v2/receive/qr/{short_code(url)}")
        assert by_code == by_label
    empty = units(grow)
    assert api.ok("GET", f"/retailid/v2/receive/{empty}") == {
        **by_label,
        "Eaches": [],
        "Ranges": [],
        "QrCount": 0,
        "ChildTag": empty,
    }


def test_receive_answers_401_for_another_facility_and_404_for_nothing(
    api: Api, grow: Grow, other: Grow, client: TestClient, demo: DemoAccess
) -> None:
    theirs = units(other)
    their_code = short_code(
        generate(Api(client, demo, other.license), theirs, 1)["Manifest"]["Qrs"][0]
    )
    assert api.call("GET", f"/retailid/v2/receive/{theirs}").status_code == 401
    assert api.call("GET", f"/retailid/v2/receive/qr/{their_code}").status_code == 401
    assert api.call("GET", "/retailid/v2/receive/NO-SUCH-LABEL").status_code == 404
    assert api.call("GET", "/retailid/v2/receive/qr/NOSUCHCODE").status_code == 404


def test_packages_of_another_facility_in_bodies_answer_401_and_change_nothing(
    api: Api, grow: Grow, other: Grow
) -> None:
    mine, theirs = units(grow), units(other)
    labels = {"packageLabels": [mine, theirs]}
    for path, body in [
        ("/retailid/v2/generate", {"PackageLabel": theirs, "Quantity": 1}),
        ("/retailid/v2/associate", [{"PackageLabel": theirs, "QrUrls": ["https://x.test/AB"]}]),
        ("/retailid/v2/merge", labels),
        ("/retailid/v2/packages/info", labels),
    ]:
        answer = refusal(api, grow, "POST", path, body, status=401)
        assert theirs in answer["Message"], path


def test_receiving_costs_the_same_statements_for_one_code_or_many(
    api: Api, grow: Grow, client: TestClient, store: Store
) -> None:
    few, many = units(grow, "40"), units(grow, "40")
    generate(api, few, 1)
    codes = generate(api, many, 40)["Manifest"]["Qrs"]
    # A sibling, so that the siblings statement has something to find.
    api.ok("POST", "/retailid/v2/associate", [{"PackageLabel": few, "QrUrls": codes[:2]}])
    counts = []
    for label in (few, many, few, many):
        with counted_statements(store.engine) as seen:
            answer = api.ok("GET", f"/retailid/v2/receive/{label}")
        counts.append(len(seen))
    assert answer["QrCount"] == 38
    assert counts[2] == counts[3], counts


# --- associate -------------------------------------------------------------------------------


def test_associate_adds_codes_printed_elsewhere_and_answers_the_package_ids(
    api: Api, grow: Grow, store: Store
) -> None:
    first, second = units(grow), units(grow)
    body = [
        {"PackageLabel": first, "QrUrls": ["https://id.14a.com/3W5E11264SGPN", "id.14a.com/X7"]},
        {"PackageLabel": second, "QrUrls": ["https://id.14a.com/3W5E11264SGPv/extra"]},
    ]
    answer = api.ok("POST", "/retailid/v2/associate", body)
    ids = [stored_package(store, first).id, stored_package(store, second).id]
    assert answer == {"Ids": ids, "Warnings": None}
    received = api.ok("GET", f"/retailid/v2/receive/{first}")
    assert received["Eaches"] == ["https://id.14a.com/3W5E11264SGPN", "id.14a.com/X7"]
    assert received["Ranges"] == [] and received["QrCount"] == 2
    assert api.ok("GET", "/retailid/v2/receive/qr/3W5E11264SGPv")["ChildTag"] == second
    # Associating them again changes nothing; nothing is duplicated.
    api.ok("POST", "/retailid/v2/associate", body)
    assert api.ok("GET", f"/retailid/v2/receive/{first}")["QrCount"] == 2


def test_associate_moves_a_generated_code_and_makes_the_packages_siblings(
    api: Api, grow: Grow
) -> None:
    parent, child = units(grow), units(grow)
    qrs = generate(api, parent, 3)["Manifest"]["Qrs"]
    api.ok("POST", "/retailid/v2/associate", [{"PackageLabel": child, "QrUrls": qrs[2:]}])
    held = api.ok("GET", f"/retailid/v2/receive/{child}")
    assert held["Eaches"] == qrs[2:] and held["Ranges"] == [[3, 3]]
    assert held["SiblingTags"] == [parent] and held["RequiresVerification"] is True
    left = api.ok("GET", f"/retailid/v2/receive/{parent}")
    assert left["Eaches"] == qrs[:2] and left["SiblingTags"] == [child]
    assert api.ok("GET", f"/retailid/v2/receive/qr/{short_code(qrs[2])}")["ChildTag"] == child


def test_associate_refusals_name_the_row_and_field_and_change_nothing(
    api: Api, grow: Grow, other: Grow, client: TestClient, demo: DemoAccess
) -> None:
    label = units(grow)
    good = {"PackageLabel": label, "QrUrls": ["https://id.example/GOOD1"]}
    message = refused_row(api, grow, [good, {"PackageLabel": label, "QrUrls": ["https://id/"]}], 1)
    assert message == "QrUrls[0]: 'https://id/' names no Retail ID short code."
    twice = ["https://a.example/SAME", "https://b.example/SAME"]
    assert refused_row(api, grow, [{"PackageLabel": label, "QrUrls": twice}]) == (
        "QrUrls[1]: The code SAME is listed twice."
    )
    assert refused_row(api, grow, [{"PackageLabel": label, "QrUrls": []}]) == (
        "QrUrls must list from 1 to 1000 URLs, got 0."
    )
    theirs = units(other)
    their_url = generate(Api(client, demo, other.license), theirs, 1)["Manifest"]["Qrs"][0]
    assert refused_row(api, grow, [good, {"PackageLabel": label, "QrUrls": [their_url]}], 1) == (
        f"QrUrls[0]: The code {short_code(their_url)} is held by another facility."
    )
    assert "No package NONE" in refused_row(
        api, grow, [{"PackageLabel": "NONE", "QrUrls": ["x/Y"]}]
    )


# --- merge -----------------------------------------------------------------------------------


def test_merge_moves_the_source_quantity_and_codes_into_the_target(
    api: Api, grow: Grow, store: Store
) -> None:
    item = grow.item()
    target, source = stock(grow, "10", "Grams", item), stock(grow, "1", "Ounces", item)
    target_codes = generate(api, target, 2)["Manifest"]["Qrs"]
    source_codes = generate(api, source, 3)["Manifest"]["Qrs"]
    answer = api.ok("POST", "/retailid/v2/merge", {"packageLabels": [target, source]})
    ids = [stored_package(store, target).id, stored_package(store, source).id]
    assert answer == {"Ids": ids, "Warnings": None}
    assert stored_package(store, target).quantity == Decimal("38.349523125")
    assert stored_package(store, source).quantity == 0
    merged = api.ok("GET", f"/retailid/v2/receive/{target}")
    assert merged["Eaches"] == target_codes + source_codes
    assert merged["SiblingTags"] == [source] and merged["RequiresVerification"] is True
    assert api.ok("GET", f"/retailid/v2/receive/{source}")["QrCount"] == 0
    with store.read() as session:
        adjustments = session.execute(
            select(
                PackageAdjustment.package_id,
                PackageAdjustment.quantity,
                PackageAdjustment.reason_name,
            )
            .where(PackageAdjustment.facility_id == grow.facility.id)
            .order_by(PackageAdjustment.id)
        ).all()
    assert adjustments == [
        (ids[1], Decimal(-1), "Retail ID Merge"),
        (ids[0], Decimal("28.349523125"), "Retail ID Merge"),
    ]
    # PackageLabels (PascalCase) is read too.
    api.ok("POST", "/retailid/v2/merge", {"PackageLabels": [target, source]})


def test_merge_refusals_name_the_package_and_change_nothing(api: Api, grow: Grow) -> None:
    path = "/retailid/v2/merge"
    item = grow.item()
    target = stock(grow, "10", "Grams", item)
    cases = {
        "packageLabels must name the target package and at least one package to merge into it.": [
            target
        ],
        f"packageLabels[1]: Package {target} is named twice.": [target, target],
    }
    other_item = stock(grow, "10", "Grams")
    cases[
        f"packageLabels[1]: Package {other_item} holds another item than the target {target}."
    ] = [target, other_item]
    held = stock(grow, "10", "Grams", item, is_on_hold=True)
    cases[f"packageLabels[1]: Package {held} is on hold."] = [target, held]
    passed = stock(grow, "10", "Grams", item, lab_testing_state="TestPassed")
    cases[
        f"packageLabels[1]: Package {passed} is TestPassed in lab testing, the target {target} "
        "NotSubmitted."
    ] = [target, passed]
    for expected, labels in cases.items():
        assert refused(api, grow, path, {"packageLabels": labels}) == expected


# --- packages info ---------------------------------------------------------------------------


def test_packages_info_counts_each_package_codes_as_the_example_shows(
    api: Api, grow: Grow, examples: dict[str, Any]
) -> None:
    labelled, moved, bare = units(grow, "4"), units(grow, "10"), units(grow, "10")
    generate(api, labelled, 2)
    last = generate(api, labelled, 2)
    qrs = generate(api, moved, 3)["Manifest"]["Qrs"]
    api.ok("POST", "/retailid/v2/associate", [{"PackageLabel": labelled, "QrUrls": qrs[:1]}])
    answer = api.ok(
        "POST", "/retailid/v2/packages/info", {"packageLabels": [labelled, moved, bare]}
    )
    documented = examples["POST /retailid/v2/packages/info"]
    assert answer.keys() == documented.keys()
    first, second, third = answer["Packages"]
    assert first.keys() == documented["Packages"][0].keys()
    assert first["Issuances"][0].keys() == documented["Packages"][0]["Issuances"][0].keys()
    assert {k: v for k, v in first.items() if k != "Issuances"} == {
        "Tag": labelled,
        "QrCount": 5,
        "EstimatedBalance": 4,  # four units hold at most four codes
        "SiblingCount": 1,
        "IssuanceId": last["IssuanceId"],
        "HasQrs": True,
        "RequiresVerification": True,
    }
    assert [(i["LabelSet"], i["LabelQuantity"]) for i in first["Issuances"]] == [(0, 2), (1, 2)]
    assert second["QrCount"] == 2 and second["SiblingCount"] == 1
    assert third == {
        "Tag": bare,
        "QrCount": 0,
        "EstimatedBalance": 0,
        "SiblingCount": 0,
        "IssuanceId": None,
        "Issuances": None,
        "HasQrs": False,
        "RequiresVerification": False,
    }


def test_packages_info_costs_the_same_statements_for_one_package_or_many(
    api: Api, grow: Grow, store: Store
) -> None:
    labels = [units(grow) for _ in range(5)]
    for label in labels:
        generate(api, label, 2)
    counts = []
    for asked in (labels[:1], labels, labels[:1], labels):
        with counted_statements(store.engine) as seen:
            answer = api.ok("POST", "/retailid/v2/packages/info", {"packageLabels": asked})
        assert len(answer["Packages"]) == len(asked)
        counts.append(len(seen))
    assert counts[2] == counts[3], counts


# --- what a code resolves to -----------------------------------------------------------------


def test_a_short_code_resolves_to_public_information_only(
    api: Api, grow: Grow, client: TestClient, store: Store
) -> None:
    item = grow.item("Edibles", "CountBased")
    label = stock(grow, "10", "Each", item, lab_testing_state="TestPassed", note="back room")
    url = generate(api, label, 1)["Manifest"]["Qrs"][0]
    path = f"{service.RESOLVER_PATH}/{short_code(url)}"
    assert url.endswith(path)
    response = client.get(path)  # no credentials
    assert response.status_code == 200, response.text
    public = response.json()
    packaged = stored_package(store, label).packaged_date.isoformat()
    assert public == {
        "ShortCode": short_code(url),
        "Url": url,
        "ProductName": item,
        "ProductCategoryName": "Edibles",
        "StrainName": public["StrainName"],
        "BrandName": None,
        "PackageLabel": label,
        "PackagedDate": packaged,
        "ExpirationDate": None,
        "SellByDate": None,
        "UseByDate": None,
        "LabTestingState": "TestPassed",
        "LabTestingStateDate": None,
    }
    assert public["StrainName"]
    text = response.text
    assert "back room" not in text and '"Id"' not in text and "Quantity" not in text
    missing = client.get(f"{service.RESOLVER_PATH}/NOSUCHCODE")
    assert missing.status_code == 404 and missing.json()["Message"]


def test_an_issuance_prints_as_a_page_of_its_qr_codes(
    api: Api, grow: Grow, client: TestClient
) -> None:
    made = generate(api, units(grow), 3)
    page = client.get(made["Url"].removeprefix("http://127.0.0.1:8000"))
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for url in made["Manifest"]["Qrs"]:
        assert short_code(url) in page.text
    assert page.text.count("<svg") == 3
    assert client.get(f"{service.RESOLVER_PATH}/issuances/0123").status_code == 404


# --- QR codes: what the server draws decodes back to the code's URL (zxing-cpp) ----------


def _paeth(left: int, up: int, up_left: int) -> int:
    guess = left + up - up_left
    near = min((abs(guess - left), left), (abs(guess - up), up), (abs(guess - up_left), up_left))
    return near[1]


def _chunks(png: bytes) -> dict[bytes, bytes]:
    """The chunks of a PNG by kind (IDAT chunks joined)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    chunks: dict[bytes, bytes] = {}
    position = 8
    while position < len(png):
        length, kind = struct.unpack(">I4s", png[position : position + 8])
        chunks[kind] = chunks.get(kind, b"") + png[position + 8 : position + 8 + length]
        position += 12 + length
    return chunks


def grey_pixels(png: bytes) -> tuple[int, int, bytes]:
    """(width, height, one byte per pixel) of a greyscale PNG, as QR images are drawn."""
    chunks = _chunks(png)
    width, height, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert colour == 0 and depth in (1, 2, 4, 8), (colour, depth)
    raw, stride = zlib.decompress(chunks[b"IDAT"]), (width * depth + 7) // 8
    top, previous = (1 << depth) - 1, bytearray(stride)
    pixels = bytearray()
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):  # undo the row's filter (one byte per pixel at most)
            left, up = line[i - 1] if i else 0, previous[i]
            up_left = previous[i - 1] if i else 0
            guess = (0, left, up, (left + up) // 2, _paeth(left, up, up_left))[kind]
            line[i] = (line[i] + guess) & 0xFF
        previous = line
        for x in range(width):
            bit = x * depth
            value = (line[bit // 8] >> (8 - depth - bit % 8)) & top
            pixels.append(value * 255 // top)
    return width, height, bytes(pixels)


def decoded(png: bytes) -> list[str]:
    width, height, pixels = grey_pixels(png)
    image = memoryview(pixels).cast("B", (height, width))
    return [found.text for found in zxingcpp.read_barcodes(image)]


def test_a_drawn_qr_code_decodes_to_its_url() -> None:
    url = f"{service.resolver()}/{service.new_short_code()}"
    assert decoded(qr_image(url, "png")) == [url]


def test_the_qr_code_of_a_generated_code_decodes_to_its_url_which_resolves(
    api: Api, grow: Grow, client: TestClient
) -> None:
    label = units(grow)
    url = generate(api, label, 1)["Manifest"]["Qrs"][0]
    code = short_code(url)
    png = client.get(f"{service.RESOLVER_PATH}/{code}/qr.png")
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    [text] = decoded(png.content)
    assert text == url and text.endswith(f"/{code}")
    # What the phone that scanned it opens: the code's public information.
    public = client.get(text.removeprefix("http://127.0.0.1:8000"))
    assert public.status_code == 200 and public.json()["PackageLabel"] == label
    svg = client.get(f"{service.RESOLVER_PATH}/{code}/qr.svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert "<svg" in svg.text
    assert client.get(f"{service.RESOLVER_PATH}/NOSUCHCODE/qr.png").status_code == 404
