"""Items, brands, photos and files through the Metrc dialect, v2 and v1."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from leafledger.domain.models import AuditEvent, Item, Package, Tag
from leafledger.domain.services.facilities import get_facility
from leafledger.store import Store
from tests.conftest import DemoAccess, Ledger, unique
from tests.statements import page_statements

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
GIF = b"GIF89a" + b"\x00" * 16
BMP = b"BM" + b"\x00" * 16
PDF = b"%PDF-1.7\n%\xe2\xe3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


def b64(content: bytes) -> str:
    return base64.b64encode(content).decode()


@pytest.fixture()
def licence(ledger: Ledger) -> str:
    number = ledger.facility("Manufacturer").license_number
    ledger.grant_demo_user(number)
    return number


class Api:
    def __init__(self, client: TestClient, demo: DemoAccess, licence: str) -> None:
        self.client, self.headers, self.licence = client, demo.headers, licence

    def send(self, method: str, path: str, body: Any = None, **params: str) -> httpx.Response:
        return self.client.request(
            method,
            path,
            params={"licenseNumber": self.licence, **params},
            headers=self.headers,
            json=body,
        )

    def ids(self, method: str, path: str, body: list[dict[str, Any]]) -> list[int]:
        response = self.send(method, path, body)
        assert response.status_code == 200, response.text
        ids: list[int] = response.json()["Ids"]
        return ids

    def one_error(self, method: str, path: str, body: list[dict[str, Any]]) -> dict[str, Any]:
        response = self.send(method, path, body)
        assert response.status_code == 400, response.text
        errors = response.json()
        assert isinstance(errors, list) and len(errors) == 1
        error: dict[str, Any] = errors[0]
        return error


@pytest.fixture()
def api(client: TestClient, demo: DemoAccess, licence: str) -> Api:
    made = Api(client, demo, licence)
    made.ids("POST", "/strains/v2/", [{"Name": "Kush"}])
    return made


def example_keys(shared_dir: Path, key: str) -> set[str]:
    examples = json.loads((shared_dir / "spec/metrc/v2-examples.json").read_text())
    example = examples[key]["response_example"]
    if isinstance(example, dict) and "Data" in example:
        example = example["Data"][0]
    return set(example)


BUDS = {"ItemCategory": "Buds", "Name": "Buds Item", "UnitOfMeasure": "Ounces", "Strain": "Kush"}
EDIBLE = {
    "ItemCategory": "Infused",
    "Name": "Brownie",
    "UnitOfMeasure": "Each",
    "UnitThcContent": 10.0,
    "UnitThcContentUnitOfMeasure": "Milligrams",
    "UnitWeight": 150,
    "UnitWeightUnitOfMeasure": "Milligrams",
}


# --- items


def test_create_and_read_back_with_the_example_keys(api: Api, shared_dir: Path) -> None:
    ids = api.ids("POST", "/items/v2/", [BUDS, EDIBLE])
    assert len(ids) == 2 and ids[0] < ids[1]
    buds = api.send("GET", f"/items/v2/{ids[0]}").json()
    assert set(buds) == example_keys(shared_dir, "GET /items/v2/{id}")
    assert buds["QuantityType"] == "WeightBased" and buds["UnitOfMeasureName"] == "Ounces"
    assert buds["ProductCategoryName"] == "Buds" and buds["ProductCategoryType"] == "Buds"
    assert buds["StrainName"] == "Kush" and isinstance(buds["StrainId"], int)
    assert buds["IsUsed"] is False
    edible = api.send("GET", f"/items/v2/{ids[1]}").json()
    assert edible["QuantityType"] == "CountBased" and edible["StrainId"] is None
    assert edible["UnitThcContent"] == 10 and edible["UnitThcContentUnitOfMeasureName"] == (
        "Milligrams"
    )
    assert edible["UnitWeight"] == 150 and edible["UnitWeightUnitOfMeasureName"] == "Milligrams"
    listed = api.send("GET", "/items/v2/active", pageNumber="1", pageSize="20").json()
    assert [i["Id"] for i in listed["Data"]] == ids and listed["Total"] == 2
    assert set(listed["Data"][0]) == example_keys(shared_dir, "GET /items/v2/active")


def test_v1_twins(api: Api) -> None:
    created = api.send("POST", "/items/v1/create", [BUDS])
    assert created.status_code == 200 and created.content == b""
    (item,) = api.send("GET", "/items/v1/active").json()
    assert item["Name"] == "Buds Item"
    updated = api.send("POST", "/items/v1/update", [{**BUDS, "Id": item["Id"], "Name": "Renamed"}])
    assert updated.status_code == 200 and updated.content == b""
    assert api.send("GET", f"/items/v1/{item['Id']}").json()["Name"] == "Renamed"
    assert api.send("DELETE", f"/items/v1/{item['Id']}").content == b""
    assert api.send("GET", "/items/v1/active").json() == []
    assert [i["Id"] for i in api.send("GET", "/items/v1/inactive").json()] == [item["Id"]]


def test_update_v2_answers_ids(api: Api) -> None:
    (item_id,) = api.ids("POST", "/items/v2/", [BUDS])
    response = api.send("PUT", "/items/v2/", [{**BUDS, "Id": item_id, "UnitOfMeasure": "Grams"}])
    assert response.json() == {"Ids": [item_id], "Warnings": None}
    assert api.send("GET", f"/items/v2/{item_id}").json()["UnitOfMeasureName"] == "Grams"


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"ItemCategory": "Moon Rocks"}, "Unknown item category"),
        ({"ItemCategory": None}, "ItemCategory is required"),
        ({"UnitOfMeasure": "Each"}, "WeightBased"),
        ({"UnitOfMeasure": "Liters"}, "WeightBased"),
        ({"UnitOfMeasure": "Tonns"}, "unknown unit"),
        ({"Strain": None}, "require a Strain"),
        ({"Strain": "Nobody"}, "No strain named"),
        ({"Name": " "}, "item name is required"),
        ({"UnitThcPercent": 120}, "UnitThcPercent"),
        ({"UnitCbdContent": 5}, "UnitCbdContentUnitOfMeasure is required"),
        ({"UnitCbdContent": 5, "UnitCbdContentUnitOfMeasure": "Each"}, "WeightBased"),
        ({"UnitWeightUnitOfMeasure": "Grams"}, "without UnitWeight"),
        ({"UnitWeight": -1, "UnitWeightUnitOfMeasure": "Grams"}, "zero or more"),
        ({"ItemBrand": "No Such Brand"}, "No brand named"),
        ({"UnitWeight": 10**13, "UnitWeightUnitOfMeasure": "Grams"}, "below"),
        ({"SupplyDurationDays": 10**6}, "SupplyDurationDays"),
        ({"Description": "D" * 4001}, "at most 4000 characters"),
        ({"ProductImageFileSystemIds": [999999999]}, "ProductImageFileSystemIds"),
    ],
)
def test_item_rules_answer_400_naming_row_and_field(
    api: Api, change: dict[str, Any], words: str
) -> None:
    error = api.one_error("POST", "/items/v2/", [EDIBLE, {**BUDS, **change}])
    assert error["row"] == 1
    assert words in error["message"]
    assert api.send("GET", "/items/v2/active").json()["Total"] == 0


@pytest.mark.parametrize(
    ("category", "body", "missing"),
    [
        (
            "Infused",
            {"UnitOfMeasure": "Each", "UnitWeight": 1, "UnitWeightUnitOfMeasure": "Grams"},
            "UnitThcContent",
        ),
        (
            "Infused",
            {
                "UnitOfMeasure": "Each",
                "UnitThcContent": 1,
                "UnitThcContentUnitOfMeasure": "Milligrams",
            },
            "UnitWeight",
        ),
        (
            "Infused Liquid",
            {
                "UnitOfMeasure": "Each",
                "UnitThcContent": 1,
                "UnitThcContentUnitOfMeasure": "Milligrams",
            },
            "UnitVolume",
        ),
        ("Pre-Roll Flower", {"UnitOfMeasure": "Each", "Strain": "Kush"}, "UnitWeight"),
        (
            "Concentrate (Each)",
            {
                "UnitOfMeasure": "Each",
                "Strain": "Kush",
                "UnitWeight": 1,
                "UnitWeightUnitOfMeasure": "Grams",
            },
            "UnitThcPercent",
        ),
        (
            "Vape Cartridge",
            {
                "UnitOfMeasure": "Each",
                "Strain": "Kush",
                "UnitWeight": 1,
                "UnitWeightUnitOfMeasure": "Grams",
                "UnitThcContent": 1,
                "UnitThcContentUnitOfMeasure": "Milligrams",
            },
            "ItemBrand",
        ),
        (
            "Tincture",
            {
                "UnitOfMeasure": "Each",
                "UnitThcContent": 1,
                "UnitThcContentUnitOfMeasure": "Milligrams",
                "UnitCbdContent": 1,
                "UnitCbdContentUnitOfMeasure": "Milligrams",
                "UnitVolume": 30,
                "UnitVolumeUnitOfMeasure": "Milliliters",
                "ServingSize": "1 ml",
                "SupplyDurationDays": 30,
            },
            "AdministrationMethod",
        ),
        ("Tincture", {"UnitOfMeasure": "Each", "AdministrationMethod": "Oral"}, "UnitCbdContent"),
        ("Clone - Cutting", {"UnitOfMeasure": "Each"}, "Strain"),
    ],
)
def test_category_requirements(api: Api, category: str, body: dict[str, Any], missing: str) -> None:
    error = api.one_error(
        "POST", "/items/v2/", [{"Name": unique("I"), "ItemCategory": category, **body}]
    )
    assert error["row"] == 0
    assert category in error["message"] and missing in error["message"]


def test_a_complete_count_item_of_each_demanding_category_is_accepted(api: Api) -> None:
    (brand,) = api.ids("POST", "/items/v2/brand", [{"Name": "House"}])
    assert brand
    common = {"UnitOfMeasure": "Each", "Strain": "Kush", "ItemBrand": "House"}
    weight = {"UnitWeight": 1, "UnitWeightUnitOfMeasure": "Grams"}
    thc = {"UnitThcContent": 1, "UnitThcContentUnitOfMeasure": "Milligrams"}
    ids = api.ids(
        "POST",
        "/items/v2/",
        [
            {"Name": "Cart", "ItemCategory": "Vape Cartridge", **common, **weight, **thc},
            {"Name": "Joint", "ItemCategory": "Pre-Roll Flower", **common, **weight},
            {
                "Name": "Clone",
                "ItemCategory": "Clone - Cutting",
                "UnitOfMeasure": "Each",
                "Strain": "Kush",
            },
        ],
    )
    cart = api.send("GET", f"/items/v2/{ids[0]}").json()
    assert cart["ItemBrandName"] == "House" and cart["ProductBrandName"] == "House"
    assert cart["ItemBrandId"] == brand


def test_names_unique_among_active_items(api: Api) -> None:
    (item_id,) = api.ids("POST", "/items/v2/", [BUDS])
    error = api.one_error("POST", "/items/v2/", [BUDS])
    assert "already exists" in error["message"]
    assert api.send("DELETE", f"/items/v2/{item_id}").json() == {"Ids": [item_id], "Warnings": None}
    assert api.ids("POST", "/items/v2/", [BUDS])


def test_archived_item_cannot_be_changed_and_archived_strain_cannot_be_used(api: Api) -> None:
    (item_id,) = api.ids("POST", "/items/v2/", [BUDS])
    api.send("DELETE", f"/items/v2/{item_id}")
    error = api.one_error("PUT", "/items/v2/", [{**BUDS, "Id": item_id}])
    assert "archived" in error["message"]
    again = api.send("DELETE", f"/items/v2/{item_id}")
    assert again.status_code == 400
    (strain_id,) = api.ids("POST", "/strains/v2/", [{"Name": "Retired"}])
    api.send("DELETE", f"/strains/v2/{strain_id}")
    error = api.one_error("POST", "/items/v2/", [{**BUDS, "Name": "N2", "Strain": "Retired"}])
    assert "archived" in error["message"]


def test_foreign_item_answers_401(
    api: Api, ledger: Ledger, client: TestClient, demo: DemoAccess
) -> None:
    (item_id,) = api.ids("POST", "/items/v2/", [BUDS])
    other = ledger.facility("Manufacturer").license_number
    ledger.grant_demo_user(other)
    stranger = Api(client, demo, other)
    assert stranger.send("GET", f"/items/v2/{item_id}").status_code == 401
    assert stranger.send("GET", f"/items/v1/{item_id}").status_code == 401
    assert stranger.send("DELETE", f"/items/v2/{item_id}").status_code == 401
    assert stranger.send("PUT", "/items/v2/", [{**BUDS, "Id": item_id}]).status_code == 401
    assert stranger.send("GET", "/items/v2/active").json()["Total"] == 0
    assert api.send("GET", "/items/v2/999999999").status_code == 404


def test_is_used_and_quantity_type_locked_once_packaged(api: Api, store: Store) -> None:
    (item_id,) = api.ids("POST", "/items/v2/", [BUDS])
    with store.transaction() as session:
        facility = get_facility(session, api.licence)
        tag = Tag(
            facility_id=facility.id,
            label=unique("1A4TAG"),
            kind="Package",
            tag_type_name="CannabisPackage",
            status="Used",
        )
        session.add(tag)
        session.flush()
        session.add(
            Package(
                facility_id=facility.id,
                label=tag.label,
                tag_id=tag.id,
                item_id=item_id,
                quantity=Decimal(1),
                original_quantity=Decimal(1),
                unit_of_measure_name="Ounces",
                packaged_date=datetime.now(UTC).date(),
            )
        )
    assert api.send("GET", f"/items/v2/{item_id}").json()["IsUsed"] is True
    error = api.one_error(
        "PUT",
        "/items/v2/",
        [
            {
                "Id": item_id,
                "Name": "Now Count",
                "ItemCategory": "Seeds",
                "UnitOfMeasure": "Each",
                "Strain": "Kush",
            }
        ],
    )
    assert "quantity type" in error["message"]


def test_windowed_active_list(api: Api) -> None:
    api.ids("POST", "/items/v2/", [BUDS])
    now = datetime.now(UTC)
    inside = {
        "lastModifiedStart": (now - timedelta(hours=2)).isoformat(),
        "lastModifiedEnd": (now + timedelta(hours=2)).isoformat(),
    }
    before = {
        "lastModifiedStart": (now - timedelta(days=5)).isoformat(),
        "lastModifiedEnd": (now - timedelta(days=4)).isoformat(),
    }
    assert api.send("GET", "/items/v2/active", **inside).json()["Total"] == 1
    assert api.send("GET", "/items/v2/active", **before).json()["Total"] == 0
    assert len(api.send("GET", "/items/v1/active", **inside).json()) == 1
    assert api.send("GET", "/items/v1/active", **before).json() == []


def test_item_changes_are_audited(api: Api, store: Store) -> None:
    (item_id,) = api.ids("POST", "/items/v2/", [BUDS])
    api.send("PUT", "/items/v2/", [{**BUDS, "Id": item_id, "Name": "B2"}])
    api.send("DELETE", f"/items/v2/{item_id}")
    with store.read() as session:
        actions = session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.entity_type == "items", AuditEvent.entity_id == item_id)
            .order_by(AuditEvent.id)
        ).all()
        item = session.get(Item, item_id)
        assert item is not None and item.active is False
    assert list(actions) == ["create", "update", "archive"]


# --- brands


def test_brands_create_rename_list_archive(api: Api, shared_dir: Path) -> None:
    ids = api.ids("POST", "/items/v2/brand", [{"Name": "Premium"}, {"Name": "Consumer"}])
    listed = api.send("GET", "/items/v2/brands").json()
    assert [b["Name"] for b in listed["Data"]] == ["Premium", "Consumer"]
    assert set(listed["Data"][0]) == example_keys(shared_dir, "GET /items/v2/brands")
    renamed = api.send("PUT", "/items/v2/brand", [{"Id": ids[0], "Name": "Premium Plus"}])
    assert renamed.json() == {"Ids": [ids[0]], "Warnings": None}
    clash = api.one_error("PUT", "/items/v2/brand", [{"Id": ids[1], "Name": "Premium Plus"}])
    assert "already exists" in clash["message"]
    assert api.send("DELETE", f"/items/v2/brand/{ids[1]}").json()["Ids"] == [ids[1]]
    v1 = api.send("GET", "/items/v1/brands").json()
    assert [b["Name"] for b in v1] == ["Premium Plus"]
    error = api.one_error("POST", "/items/v2/", [{**BUDS, "ItemBrand": "Consumer"}])
    assert "archived" in error["message"]
    assert api.send("DELETE", f"/items/v2/brand/{ids[1]}").status_code == 400
    assert api.one_error("POST", "/items/v2/brand", [{"Name": ""}])["row"] == 0


def test_foreign_brand_answers_401(
    api: Api, ledger: Ledger, client: TestClient, demo: DemoAccess
) -> None:
    (brand_id,) = api.ids("POST", "/items/v2/brand", [{"Name": "Ours"}])
    other = ledger.facility("Manufacturer").license_number
    ledger.grant_demo_user(other)
    stranger = Api(client, demo, other)
    assert stranger.send("DELETE", f"/items/v2/brand/{brand_id}").status_code == 401
    put = stranger.send("PUT", "/items/v2/brand", [{"Id": brand_id, "Name": "Theirs"}])
    assert put.status_code == 401


# --- photos and files


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("a.png", PNG, "image/png"),
        ("a.JPG", JPEG, "image/jpeg"),
        ("a.jpeg", JPEG, "image/jpeg"),
        ("a.gif", GIF, "image/gif"),
        ("a.bmp", BMP, "image/bmp"),
    ],
)
def test_photo_upload_and_download(
    api: Api, shared_dir: Path, name: str, content: bytes, content_type: str
) -> None:
    (photo_id,) = api.ids(
        "POST", "/items/v2/photo", [{"FileName": name, "EncodedImageBase64": b64(content)}]
    )
    fetched = api.send("GET", f"/items/v2/photo/{photo_id}").json()
    assert set(fetched) == example_keys(shared_dir, "GET /items/v2/photo/{id}")
    assert base64.b64decode(fetched["FileContents"]) == content
    assert fetched["ContentType"] == content_type and fetched["FileDownloadName"] == name
    assert api.send("GET", f"/items/v1/photo/{photo_id}").json() == fetched


@pytest.mark.parametrize(
    ("name", "encoded", "words"),
    [
        ("a.pdf", b64(PDF), "not a BMP, GIF, JPG or PNG"),
        ("a.png", b64(b"just some text"), "not a BMP"),
        ("a.png", b64(JPEG), "must end in"),  # the name lies about the content
        ("a.txt", b64(PNG), "must end in"),
        ("a.png", "not base64 at all!", "not valid base64"),
        ("a.png", "", "EncodedImageBase64 is required"),
        ("", b64(PNG), "FileName is required"),
    ],
)
def test_photo_type_checks(api: Api, name: str, encoded: str, words: str) -> None:
    error = api.one_error(
        "POST", "/items/v2/photo", [{"FileName": name, "EncodedImageBase64": encoded}]
    )
    assert error["row"] == 0 and words in error["message"]
    v1 = api.send("POST", "/items/v1/photo", [{"FileName": name, "EncodedImageBase64": encoded}])
    assert v1.status_code == 400


def test_size_limit_is_five_megabytes_decoded(api: Api) -> None:
    limit = 5 * 1024 * 1024
    at_limit = PNG + b"\x00" * (limit - len(PNG))
    assert api.ids(
        "POST", "/items/v2/file", [{"FileName": "big.png", "EncodedImageBase64": b64(at_limit)}]
    )
    error = api.one_error(
        "POST",
        "/items/v2/photo",
        [{"FileName": "big.png", "EncodedImageBase64": b64(at_limit + b"x")}],
    )
    assert "5 MB" in error["message"]


def test_files_take_pdf_and_images_and_items_refer_to_them(api: Api) -> None:
    pdf_id, png_id = api.ids(
        "POST",
        "/items/v2/file",
        [
            {"FileName": "coa.pdf", "EncodedImageBase64": b64(PDF)},
            {"FileName": "label.png", "EncodedImageBase64": b64(PNG)},
        ],
    )
    assert api.send("GET", f"/items/v2/file/{pdf_id}").json()["ContentType"] == "application/pdf"
    assert api.send("GET", f"/items/v2/photo/{pdf_id}").status_code == 404
    refused = api.one_error(
        "POST", "/items/v2/file", [{"FileName": "x.pdf", "EncodedImageBase64": b64(b"%PDX")}]
    )
    assert "not a BMP, GIF, JPG, PNG or PDF" in refused["message"]
    (item_id,) = api.ids(
        "POST",
        "/items/v2/",
        [
            {
                **BUDS,
                "ProductImageFileSystemIds": [png_id],
                "LabelImageFileSystemIds": [png_id],
                "ProductPDFFileSystemIds": [pdf_id],
            }
        ],
    )
    item = api.send("GET", f"/items/v2/{item_id}").json()
    assert item["ProductImages"] == [{"FileSystemId": png_id}]
    assert item["LabelImages"] == [{"FileSystemId": png_id}]
    assert item["ProductPDFDocuments"] == [{"FileSystemId": pdf_id}]
    wrong = api.one_error(
        "POST", "/items/v2/", [{**BUDS, "Name": "X", "ProductPDFFileSystemIds": [png_id]}]
    )
    assert "not a PDF" in wrong["message"]


def test_foreign_photo_answers_401(
    api: Api, ledger: Ledger, client: TestClient, demo: DemoAccess
) -> None:
    (photo_id,) = api.ids(
        "POST", "/items/v2/photo", [{"FileName": "p.png", "EncodedImageBase64": b64(PNG)}]
    )
    other = ledger.facility("Manufacturer").license_number
    ledger.grant_demo_user(other)
    stranger = Api(client, demo, other)
    assert stranger.send("GET", f"/items/v2/photo/{photo_id}").status_code == 401
    assert stranger.send("GET", f"/items/v2/file/{photo_id}").status_code == 401
    error = stranger.one_error(
        "POST",
        "/items/v2/",
        [
            {
                **BUDS,
                "Strain": None,
                "ItemCategory": "Waste",
                "UnitOfMeasure": "Grams",
                "ProductImageFileSystemIds": [photo_id],
            }
        ],
    )
    assert "no file" in error["message"]


# --- statements


@pytest.mark.parametrize(
    ("path", "body", "objects"),
    [
        ("/items/v2/active", "/items/v2/", [{**BUDS, "Name": unique("Buds")} for _ in range(3)]),
        ("/items/v2/brands", "/items/v2/brand", [{"Name": unique("Brand")} for _ in range(3)]),
    ],
)
def test_a_page_costs_the_same_statements_at_any_size(
    api: Api, client: TestClient, store: Store, path: str, body: str, objects: list[Any]
) -> None:
    api.ids("POST", body, objects)
    found = page_statements(
        client, store.engine, path, api.headers, {"licenseNumber": api.licence}, sizes=(1, 3)
    )
    assert [records for records, _ in found.values()] == [1, 3]
    assert found[1][1] == found[3][1]
