"""The sandbox's opening balance packages and integrator setup, through HTTP."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from leafledger.domain.actor import CLI
from leafledger.domain.models import (
    AuditEvent,
    Employee,
    Facility,
    Item,
    Location,
    Package,
    PackageSource,
    SandboxUser,
    Tag,
    User,
)
from leafledger.domain.services.identity import create_integrator, get_user
from leafledger.permissions import all_permissions
from leafledger.store import Store
from tests.conftest import DemoAccess, Ledger, basic_auth, unique
from tests.metrc.test_locations import Api

# --- opening balance packages ----------------------------------------------------------------


@dataclass
class Shop:
    """A facility the demo user acts for, with items of every kind and package tags."""

    api: Api
    store: Store
    facility_id: int
    items: dict[str, str]  # what the item is -> its name
    vault: str  # the first location that may hold packages

    def create(self, body: Any) -> Any:
        return self.api.call("POST", "/sandbox/v2/packages/create", body)

    def issue(self, count: int) -> None:
        body = {"TagType": "Marijuana Package", "Count": count}
        assert self.api.call("POST", "/sandbox/v2/facility/tags", body).status_code == 200

    def packages(self, ids: list[int]) -> list[dict[str, Any]]:
        return [self.api.call("GET", f"/packages/v2/{i}").json() for i in ids]

    def state(self) -> tuple[Any, ...]:
        with self.store.read() as session:
            facility = self.facility_id
            return (
                session.execute(
                    select(Tag.label, Tag.status).where(Tag.facility_id == facility)
                ).all(),
                session.scalar(
                    select(func.count()).select_from(Package).where(Package.facility_id == facility)
                ),
                session.scalar(
                    select(func.count())
                    .select_from(AuditEvent)
                    .where(AuditEvent.facility_id == facility)
                ),
            )


ITEMS = {
    "buds": ("Buds", "WeightBased", "Grams"),
    "shake": ("Shake/Trim", "WeightBased", "Ounces"),
    "edible": ("Edible", "CountBased", "Each"),
    "clone": ("Clone - Cutting", "CountBased", "Each"),
    "archived": ("Buds", "WeightBased", "Grams"),
}


@pytest.fixture()
def shop(client: TestClient, ledger: Ledger, store: Store, demo: DemoAccess) -> Shop:
    facility = ledger.facility("Cultivator")
    ledger.grant_demo_user(facility.license_number)
    names = {kind: unique(kind.title()) for kind in ITEMS}
    with store.transaction() as session:
        for kind, (category, quantity_type, unit) in ITEMS.items():
            session.add(
                Item(
                    facility_id=facility.id,
                    name=names[kind],
                    category_name=category,
                    quantity_type=quantity_type,
                    unit_of_measure_name=unit,
                    active=kind != "archived",
                )
            )
        for name, for_packages in ((unique("Grow Room"), False), (unique("Vault"), True)):
            session.add(
                Location(
                    facility_id=facility.id,
                    name=name,
                    location_type_name="Default",
                    for_plant_batches=not for_packages,
                    for_plants=not for_packages,
                    for_harvests=False,
                    for_packages=for_packages,
                )
            )
            vault = name
    api = Api(client, demo.headers, facility.license_number)
    return Shop(api, store, facility.id, names, vault)


def test_default_request_makes_ten_packages_of_weighed_items(shop: Shop) -> None:
    shop.issue(12)
    response = shop.create({})
    assert response.status_code == 200, response.text
    assert response.json()["Warnings"] is None
    ids = response.json()["Ids"]
    assert len(ids) == 10
    made = shop.packages(ids)
    names = [p["Item"]["Name"] for p in made]
    assert names == [shop.items["buds"], shop.items["shake"]] * 5  # active weighed items, in turn
    assert {(p["Quantity"], p["PackageType"]) for p in made} == {(100, "Product")}
    assert {p["UnitOfMeasureName"] for p in made} == {"Grams", "Ounces"}
    assert {p["LocationName"] for p in made} == {shop.vault}
    assert {p["SourceHarvestNames"] for p in made} == {None}
    # the oldest available tags are used, two are left
    left = shop.api.call("GET", "/tags/v2/package/available").json()
    assert len(left) == 2
    assert sorted(p["Label"] for p in made) < sorted(t["Label"] for t in left)
    with shop.store.read() as session:
        origins = session.execute(
            select(PackageSource.package_id, PackageSource.origin, PackageSource.quantity).where(
                PackageSource.package_id.in_(ids)
            )
        ).all()
    assert sorted(origins) == sorted((i, "OpeningBalance", Decimal(100)) for i in ids)


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ({"Count": 3, "FilterBy": "Name", "FilterValue": "edible"}, "edible"),
        ({"Count": 2, "FilterBy": "category", "FilterValue": "clone - cutting"}, "clone"),
        ({"Count": 2, "FilterBy": "UnitOfMeasure", "FilterValue": "oz"}, "shake"),
    ],
)
def test_filters_choose_the_items(shop: Shop, body: dict[str, Any], kind: str) -> None:
    shop.issue(5)
    if body["FilterBy"] == "Name":
        body = {**body, "FilterValue": shop.items[body["FilterValue"]]}
    ids = shop.create(body).json()["Ids"]
    made = shop.packages(ids)
    assert len(made) == body["Count"]
    assert {p["Item"]["Name"] for p in made} == {shop.items[kind]}
    if kind == "clone":  # a plant item makes plant packages
        assert {(p["PackageType"], p["UnitOfMeasureName"]) for p in made} == {
            ("ImmaturePlant", "Each")
        }


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"Count": 0}, "from 1 to 100"),
        ({"Count": 101}, "from 1 to 100"),
        ({"Count": "5"}, "Count"),
        ({"Count": True}, "Count"),
        ({"Count": 2.5}, "Count"),
        ({"Count": 6}, "5 available package tag"),
        ({"FilterBy": "Colour", "FilterValue": "Green"}, "FilterBy 'Colour' is unknown"),
        ({"FilterBy": "Name"}, "FilterValue is required"),
        ({"FilterBy": "Name", "FilterValue": "  "}, "FilterValue is required"),
        ({"FilterValue": "Buds"}, "needs FilterBy"),
        ({"FilterBy": "Name", "FilterValue": "No Such Item"}, "No active item"),
        ({"FilterBy": "Name", "FilterValue": "archived"}, "No active item"),
        ({"FilterBy": "Category", "FilterValue": "Tincture"}, "No active item"),
        ({"FilterBy": "UnitOfMeasure", "FilterValue": "Cubits"}, "Unknown unit"),
        ({"FilterBy": "UnitOfMeasure", "FilterValue": "Liters"}, "No active item"),
    ],
)
def test_refusals_answer_400_and_change_nothing(
    shop: Shop, body: dict[str, Any], message: str
) -> None:
    shop.issue(5)
    if body.get("FilterValue") == "archived":
        body = {**body, "FilterValue": shop.items["archived"]}
    before = shop.state()
    response = shop.create({"Count": 5, **body})
    assert response.status_code == 400, response.text
    assert message in response.json()["Message"]
    assert shop.state() == before


def test_no_tag_or_no_weighed_item_answers_400(
    shop: Shop, client: TestClient, ledger: Ledger, demo: DemoAccess
) -> None:
    no_tags = shop.create({"Count": 1})
    assert no_tags.status_code == 400
    assert "0 available package tag" in no_tags.json()["Message"]
    bare = ledger.facility("Dispensary")
    ledger.grant_demo_user(bare.license_number)
    api = Api(client, demo.headers, bare.license_number)
    tags = api.call(
        "POST", "/sandbox/v2/facility/tags", {"TagType": "Marijuana Package", "Count": 1}
    )
    assert tags.status_code == 200
    no_items = api.call("POST", "/sandbox/v2/packages/create", {"Count": 1})
    assert no_items.status_code == 400
    assert "No active item" in no_items.json()["Message"]


# --- integrator setup ------------------------------------------------------------------------


def setup(client: TestClient, headers: dict[str, str], **query: str) -> Any:
    return client.post("/sandbox/v2/integrator/setup", params=query, headers=headers)


@pytest.fixture()
def caller(ledger: Ledger, demo: DemoAccess) -> tuple[dict[str, str], list[str]]:
    """A user of the demo integrator at two facilities of its own; its headers and licences."""
    licenses = sorted(ledger.facility().license_number for _ in range(2))
    grants = {licenses[0]: all_permissions(), licenses[1]: ["View Packages", "Manage Items"]}
    return ledger.user(grants), licenses


def test_setup_without_a_key_makes_a_user_who_works_where_the_caller_does(
    client: TestClient, store: Store, demo: DemoAccess, caller: tuple[dict[str, str], list[str]]
) -> None:
    headers, licenses = caller
    response = setup(client, headers)
    assert response.status_code == 200, response.text
    made = response.json()
    assert set(made) == {"UserKey", "FullName", "EmployeeLicenseNumber", "LicenseNumbers"}
    assert made["LicenseNumbers"] == licenses
    assert made["FullName"].startswith("Sandbox user of ")
    new_headers = basic_auth(demo.vendor_key, made["UserKey"])
    listed = client.get("/facilities/v2/", headers=new_headers)
    assert listed.status_code == 200
    assert sorted(f["License"]["Number"] for f in listed.json()) == licenses
    with store.read() as session:
        user = get_user(session, made["EmployeeLicenseNumber"])
        assert user.key_hash and made["UserKey"] not in user.key_hash  # stored hashed
        jobs = {
            facility.license_number: (sorted(job.permissions), job.is_owner, job.is_manager)
            for job, facility in session.execute(
                select(Employee, Facility)
                .join(Facility, Facility.id == Employee.facility_id)
                .where(Employee.user_id == user.id)
            )
        }
        link = session.scalars(select(SandboxUser).where(SandboxUser.user_id == user.id)).one()
        events = set(
            session.execute(
                select(AuditEvent.entity_type, AuditEvent.action).where(
                    AuditEvent.entity_id.in_([user.id, link.id])
                )
            )
        )
    assert jobs == {
        licenses[0]: (sorted(all_permissions()), False, False),
        licenses[1]: (["Manage Items", "View Packages"], False, False),
    }
    assert {("users", "create"), ("sandbox_users", "create")} <= events
    # a second call makes another user with another key
    again = setup(client, headers).json()
    assert again["UserKey"] != made["UserKey"]
    assert again["EmployeeLicenseNumber"] != made["EmployeeLicenseNumber"]


def test_setup_with_a_key_answers_the_integrators_own_users_only(
    client: TestClient, store: Store, demo: DemoAccess, caller: tuple[dict[str, str], list[str]]
) -> None:
    headers, _ = caller
    made = setup(client, headers).json()
    found = setup(client, headers, userKey=made["UserKey"])
    assert found.status_code == 200
    assert found.json() == made
    # the new user may look itself up too: same integrator
    own = basic_auth(demo.vendor_key, made["UserKey"])
    assert setup(client, own, userKey=made["UserKey"]).json() == made
    # a user an administrator made (not through setup) is not the integrator's to answer
    assert setup(client, headers, userKey=demo.user_key).status_code == 401
    unknown = setup(client, headers, userKey="no-such-key-" + "x" * 30)
    assert unknown.status_code == 404
    assert "Message" in unknown.json()
    # another integrator's sandbox user answers 401 to this integrator
    with store.transaction() as session:
        vendor = create_integrator(session, CLI, unique("Integrator")).key
    theirs = setup(client, basic_auth(vendor, made["UserKey"])).json()
    assert setup(client, headers, userKey=theirs["UserKey"]).status_code == 401
    assert setup(client, basic_auth(vendor, made["UserKey"]), userKey=theirs["UserKey"]).json() == (
        theirs
    )
    with store.read() as session:
        users = session.scalar(select(func.count()).select_from(User))
    assert setup(client, headers, userKey=made["UserKey"]).status_code == 200
    with store.read() as session:
        assert (
            session.scalar(select(func.count()).select_from(User)) == users
        )  # a lookup makes none
