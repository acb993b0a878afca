"""Trace lots over the ledger's packages: shapes as lot.md shows them, the three origins, the
changes of a PUT, entity_state lists and histories, refusals in the Trace envelope naming the
Trace field with nothing changed, Metrc <-> Trace round trips, page costs, helper lists."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from leafledger.domain.actor import CLI
from leafledger.domain.models import Harvest, Item, Location, Package, PlantBatch
from leafledger.domain.services.audit import changed
from leafledger.store import Store
from tests.conftest import Ledger
from tests.metrc.test_harvests import Api, Grow, harvest_into
from tests.metrc.test_harvests import api as api  # fixtures: the demo user's Metrc calls
from tests.metrc.test_harvests import grow as grow  # and the facility they are made at
from tests.metrc.test_package_inventory import allow, package_state, stock, stored_package
from tests.race import race
from tests.statements import page_statements
from tests.trace.conftest import TraceAccess, from_basic

# The keys of lot.md's lot object, and the ledger's own under `additional`.
LOT_KEYS = {
    "license",
    "action",
    "id",
    "name",
    "barcode",
    "quantity",
    "unit_of_measure",
    "date",
    "type",
    "location",
    "origin",
    "contents",
    "additional",
    "entity_state",
}
ORIGIN_KEYS = {"plant", "plant_batch", "harvest", "lots"}


@dataclass(frozen=True)
class Lots:
    """Trace calls about lots at one facility."""

    client: TestClient
    headers: dict[str, str]
    license_number: str
    state: str = "co"

    def url(self, suffix: str = "") -> str:
        return f"/{self.state}/v1/lots{suffix}"

    def get(self, suffix: str = "", **params: Any) -> httpx.Response:
        return self.client.get(
            self.url(suffix),
            params={"license_number": self.license_number, **params},
            headers=self.headers,
        )

    def send(self, method: str, suffix: str, body: dict[str, Any]) -> httpx.Response:
        return self.client.request(
            method,
            self.url(suffix),
            json={"license": {"license_number": self.license_number}, **body},
            headers=self.headers,
        )

    def ok(self, method: str, suffix: str = "", body: dict[str, Any] | None = None) -> Any:
        response = self.send(method, suffix, body or {}) if method != "GET" else self.get(suffix)
        assert response.status_code == 200, response.text
        return response.json()["results"]["data"]

    def listed(self, **params: Any) -> list[dict[str, Any]]:
        response = self.get(**params)
        assert response.status_code == 200, response.text
        data: list[dict[str, Any]] = response.json()["results"]["data"]
        return data


@pytest.fixture()
def lots(client: TestClient, trace: TraceAccess, grow: Grow) -> Lots:
    return Lots(client, trace.headers, grow.license)


def id_of(store: Store, model: Any, **where: Any) -> int:
    with store.read() as session:
        query = select(model.id).filter_by(**where)
        return int(session.scalars(query).one())


def item_id(grow: Grow, name: str) -> int:
    return id_of(grow.store, Item, facility_id=grow.facility.id, name=name)


def package_id(grow: Grow, label: str) -> int:
    return id_of(grow.store, Package, label=label)


def room_id(grow: Grow) -> int:
    return id_of(grow.store, Location, facility_id=grow.facility.id, name=grow.location)


def new_lot(
    grow: Grow,
    product: str,
    quantity: Any,
    unit: str = "Grams",
    barcode: str | None = None,
    **origin: list[dict[str, Any]],
) -> dict[str, Any]:
    """A body of POST /lots, as lot.md's sample sends it."""
    return {
        "action": {"id": "KOMLA0001"},
        "name": "A lot of mine",
        "product": {"id": str(item_id(grow, product))},
        "barcode": barcode or grow.package_tags(1)[0],
        "quantity": quantity,
        "unit_of_measure": unit,
        "date": f"{grow.today}T18:27:39Z",
        "type": {"id": "KOMLT0001"},
        "location": {"id": str(room_id(grow))},
        "origin": {"plant": [], "plant_batch": [], "harvest": [], "lots": [], **origin},
    }


def source(source_id: int | str, quantity: Any = None, unit: str | None = None) -> dict[str, Any]:
    drawn: dict[str, Any] = {"id": str(source_id)}
    if quantity is not None:
        drawn["quantity"] = quantity
    if unit is not None:
        drawn["unit_of_measure"] = unit
    return drawn


def made(lots: Lots, body: dict[str, Any]) -> dict[str, Any]:
    response = lots.send("POST", "", body)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["results"]["data"]
    return data


def problem(response: httpx.Response, status: int = 400) -> str:
    """The detail of a Trace error answer (checked to be the Trace error envelope)."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"results", "warnings", "errors"} and body["results"] is None
    [error] = body["errors"]
    assert error["type"] == {400: "bad_request", 401: "unauthorized", 403: "forbidden"}.get(
        status, error["type"]
    )
    detail: str = error["detail"]
    return detail


def refused(lots: Lots, grow: Grow, method: str, suffix: str, body: dict[str, Any]) -> str:
    """The detail of a 400, after checking the refusal changed nothing at the facility."""
    before = package_state(grow.store, grow.facility.id), harvest_weights(grow)
    detail = problem(lots.send(method, suffix, body))
    assert (package_state(grow.store, grow.facility.id), harvest_weights(grow)) == before
    return detail


def harvest_weights(grow: Grow) -> list[tuple[int, Decimal]]:
    with grow.store.read() as session:
        rows = session.execute(
            select(Harvest.id, Harvest.current_weight)
            .where(Harvest.facility_id == grow.facility.id)
            .order_by(Harvest.id)
        )
        return [(row[0], row[1]) for row in rows]


def states(lot: dict[str, Any]) -> list[str]:
    return [entry["state"] for entry in lot["entity_state"]]


# --- lots made, and their shape


def test_a_lot_from_a_harvest_has_the_sample_shape_and_is_a_metrc_package(
    lots: Lots, api: Api, grow: Grow
) -> None:
    harvest = harvest_into(api, grow, ["500"])
    product = grow.item()
    body = new_lot(grow, product, 120, harvest=[source(harvest, 120, "Grams")])
    response = lots.send("POST", "", body)
    assert response.status_code == 200, response.text
    answer = response.json()
    # The lot's name is not kept: the answer says so.
    assert answer["warnings"] == [{"type": "not_kept", "detail": answer["warnings"][0]["detail"]}]
    assert "name" in answer["warnings"][0]["detail"]
    assert answer["results"]["type"] == "object"
    lot = answer["results"]["data"]
    assert set(lot) == LOT_KEYS
    assert lot["license"] == {"license_number": grow.license, "type": {"name": "Cultivator"}}
    assert lot["action"] == {"id": "KOMLA0001", "name": "create"}
    assert lot["id"].isdigit() and lot["barcode"] == body["barcode"] == lot["name"]
    assert lot["quantity"] == 120 and lot["unit_of_measure"] == "Grams"
    assert lot["date"] == f"{grow.today}T00:00:00Z"
    assert lot["type"] == {"id": "KOMLT0001", "name": "Product"}
    assert lot["location"] == {
        "id": str(room_id(grow)),
        "name": grow.location,
        "type": {"id": "COLOC0001", "name": "Default"},
    }
    assert set(lot["origin"]) == ORIGIN_KEYS
    [drawn] = lot["origin"]["harvest"]
    assert drawn["id"] == str(harvest) and drawn["quantity"] == 120
    assert drawn["unit_of_measure"] == "Grams" and drawn["name"]
    assert lot["contents"]["product"]["id"] == str(item_id(grow, product))
    assert lot["contents"]["product"]["name"] == product
    assert lot["contents"]["product"]["category"] == {"name": "Buds", "type": "Buds"}
    assert lot["contents"]["strain"]["id"] == str(grow.strain_id)
    [created] = lot["entity_state"]
    assert (created["state"], created["reason"]) == ("active", "lot created")
    assert created["actioned_by"] == "Demo User" and created["date"].endswith("Z")
    assert lots.ok("GET", f"/{lot['id']}") == lot

    # The harvest gave what the lot holds; Metrc lists the lot as an active package.
    assert grow.harvest(harvest).current_weight == Decimal("380")
    active = api.ok("GET", "/packages/v2/active")["Data"]
    [package] = [p for p in active if p["Id"] == int(lot["id"])]
    assert package["Label"] == lot["barcode"] and package["Quantity"] == 120
    assert package["SourceHarvestNames"] == drawn["name"]
    assert package["Item"]["Name"] == product and package["LocationName"] == grow.location


def test_a_metrc_package_is_a_lot_with_its_history(lots: Lots, api: Api, grow: Grow) -> None:
    product = grow.item()
    source_label = stock(grow, "20", "Grams", product)
    [tag] = grow.package_tags(1)
    body = {
        "Tag": tag,
        "Item": product,
        "Quantity": 4,
        "UnitOfMeasure": "Grams",
        "ActualDate": grow.today,
        "Ingredients": [{"Package": source_label, "Quantity": 4, "UnitOfMeasure": "Grams"}],
    }
    [made_id] = api.ok("POST", "/packages/v2/", [body])["Ids"]
    lot = lots.ok("GET", f"/{made_id}")
    assert lot["barcode"] == tag and lot["quantity"] == 4
    assert lot["action"] == {"id": "KOMLA0001", "name": "create"}
    assert [(h["state"], h["actioned_by"]) for h in lot["entity_state"]] == [
        ("active", "Demo User")
    ]
    [drawn] = lot["origin"]["lots"]
    assert drawn == {
        "id": str(package_id(grow, source_label)),
        "barcode": source_label,
        "name": source_label,
        "type": "Buds",
        "quantity": 4,
        "unit_of_measure": "Grams",
    }
    assert [d["id"] for d in lots.listed()] == [str(package_id(grow, source_label)), str(made_id)]


def test_a_lot_from_lots_draws_them_in_any_unit(lots: Lots, api: Api, grow: Grow) -> None:
    product = grow.item()
    pound = stock(grow, "1", "Pounds", product)
    grams = stock(grow, "100", "Grams", product)
    body = new_lot(
        grow,
        product,
        16,
        "Ounces",
        lots=[
            source(package_id(grow, pound), 8, "Ounces"),
            source(package_id(grow, grams), "0.05", "kg"),
        ],
    )
    lot = made(lots, body)
    assert lot["quantity"] == 16 and lot["unit_of_measure"] == "Ounces"
    assert [(d["barcode"], d["quantity"], d["unit_of_measure"]) for d in lot["origin"]["lots"]] == [
        (pound, 0.5, "Pounds"),
        (grams, 50, "Grams"),
    ]
    assert {d["type"] for d in lot["origin"]["lots"]} == {"Buds"}
    assert stored_package(grow.store, pound).quantity == Decimal("0.5")
    assert stored_package(grow.store, grams).quantity == Decimal("50")
    shown = api.ok("GET", f"/packages/v2/{lot['id']}")
    assert shown["SourcePackageLabels"] == f"{pound}, {grams}"
    # A single source may leave the draw out: it gives the lot's own quantity and unit.
    single = made(lots, new_lot(grow, product, 10, lots=[source(package_id(grow, grams))]))
    assert single["origin"]["lots"][0]["quantity"] == 10
    assert stored_package(grow.store, grams).quantity == Decimal("40")


def test_a_lot_from_a_plant_batch_takes_its_plants(lots: Lots, api: Api, grow: Grow) -> None:
    clones = grow.item("Immature Plants", "CountBased")
    body = new_lot(grow, clones, 6, "Each", plant_batch=[source(grow.batch_id, 6, "Each")])
    body["type"] = {"name": "ImmaturePlant"}
    body["action"] = None
    lot = made(lots, body)
    assert lot["type"] == {"id": "KOMLT0002", "name": "ImmaturePlant"}
    assert lot["quantity"] == 6 and lot["unit_of_measure"] == "Each"
    [drawn] = lot["origin"]["plant_batch"]
    assert drawn["id"] == str(grow.batch_id) and drawn["quantity"] == 6
    with grow.store.read() as session:
        batch = session.get(PlantBatch, grow.batch_id)
        assert batch is not None and batch.untracked_count == 24
    assert api.ok("GET", f"/packages/v2/{lot['id']}")["PackageType"] == "ImmaturePlant"


# --- refusals of a new lot


def test_refusals_of_a_new_lot_name_the_trace_field_and_change_nothing(
    lots: Lots, api: Api, grow: Grow
) -> None:
    harvest = harvest_into(api, grow, ["100"])
    product = grow.item()
    held = stock(grow, "10", "Grams", product)
    held_id = package_id(grow, held)

    def body(**origin: list[dict[str, Any]]) -> dict[str, Any]:
        return new_lot(grow, product, 10, **origin)

    from_harvest = body(harvest=[source(harvest, 10, "Grams")])
    cases: list[tuple[dict[str, Any], str]] = [
        ({**from_harvest, "quantity": 12}, "draws, 10 Grams; quantity says 12."),
        (body(harvest=[source(harvest, 1, "Pounds")]), "origin.harvest[0]: "),
        (body(harvest=[source(harvest, 10, "Each")]), "origin.harvest[0].unit_of_measure: "),
        (body(harvest=[source(987654, 10, "Grams")]), "origin.harvest[0]: No harvest 987654"),
        (body(lots=[source(held_id, 11, "Grams")]), "origin.lots[0]: 11 Grams exceeds"),
        (body(lots=[source(987654, 1, "Grams")]), "origin.lots[0].id: No lot 987654"),
        (body(lots=[source(held_id), source(held_id, 2, "Grams")]), "origin.lots[0].quantity"),
        (body(lots=[source(held_id)], harvest=[source(harvest)]), "origin must name"),
        (body(), "origin must name"),
        (body(plant=[source(1, 1, "Each")]), "origin.plant: "),
        (body(plant_batch=[source(grow.batch_id, 10, "Each")]), "unit_of_measure: Plants"),
        ({**from_harvest, "type": {"id": "KOMLT0002"}}, "type: The item"),
        ({**from_harvest, "type": {"id": "KOMLT0099"}}, "type: unknown lot type"),
        ({**from_harvest, "action": {"id": "KOMLA0004"}}, "action: a lot is made with"),
        ({**from_harvest, "date": "2199-01-01T00:00:00Z"}, "date: "),
        ({**from_harvest, "barcode": held}, f"Tag {held} is used"),
        ({**from_harvest, "product": {"id": "987654"}}, "No product 987654"),
        ({**from_harvest, "quantity": "ten"}, "quantity: must be a number"),
        ({k: v for k, v in from_harvest.items() if k != "barcode"}, "barcode: is required"),
    ]
    for sent, expected in cases:
        assert expected in refused(lots, grow, "POST", "", sent), expected


def test_a_location_that_holds_no_packages_is_refused_by_name(
    lots: Lots, api: Api, grow: Grow
) -> None:
    harvest = harvest_into(api, grow, ["100"])
    product = grow.item()
    body = new_lot(grow, product, 10, harvest=[source(harvest)])
    planting = grow.location_named(for_packages=False)
    body["location"] = {"id": str(id_of(grow.store, Location, name=planting))}
    assert refused(lots, grow, "POST", "", body).startswith("location: ")


# --- changes


def test_adjustments_with_listed_reasons_show_in_both_dialects(
    lots: Lots, api: Api, grow: Grow
) -> None:
    lot_id = package_id(grow, label := stock(grow, "100", "Grams"))
    adjusted = lots.ok(
        "PUT",
        f"/{lot_id}",
        {
            "action": {"id": "KOMLA0004"},
            "adjustment": [
                {"quantity": -2.5, "unit_of_measure": "Grams", "reason": {"id": "KOMLAR0005"}},
                {"quantity": "1", "unit_of_measure": "oz", "reason": "drying", "date": grow.today},
                {
                    "quantity": -10,
                    "unit_of_measure": "Grams",
                    "reason": {"name": "Damage"},
                    "note": "Dropped",
                },
            ],
        },
    )
    assert adjusted["quantity"] == pytest.approx(115.849523125)
    assert adjusted["action"] == {"id": "KOMLA0004", "name": "adjustment"}
    assert stored_package(grow.store, label).quantity == Decimal("115.849523125")
    reasons = [
        a["AdjustmentReasonName"]
        for a in api.ok("GET", "/packages/v2/adjustments")["Data"]
        if a["PackageLabel"] == label
    ]
    assert reasons == ["Scale Variance", "Drying", "Damage"]

    def adjustment(**fields: Any) -> dict[str, Any]:
        return {"adjustment": [{"quantity": -1, "unit_of_measure": "Grams", **fields}]}

    for body, expected in [
        (adjustment(reason={"id": "KOMLAR0099"}), "adjustment[0].reason: unknown adjustment"),
        (adjustment(reason="Theft"), "adjustment[0].note: The adjustment reason 'Theft'"),
        (adjustment(reason="Drying", quantity=-500), "adjustment[0]: "),
        (adjustment(reason="Drying", unit_of_measure="Each"), "adjustment[0].unit_of_measure"),
        (adjustment(reason="Drying", date="2199-01-01"), "adjustment[0].date: "),
        ({"action": {"id": "KOMLA0004"}}, "adjustment is needed to adjust the lot"),
        ({"action": {"id": "KOMLA0001"}}, "action: A change cannot create a lot"),
    ]:
        assert expected in refused(lots, grow, "PUT", f"/{lot_id}", body), expected


def test_a_metrc_adjustment_shows_as_the_lots_last_action(lots: Lots, api: Api, grow: Grow) -> None:
    label = stock(grow, "5", "Grams")
    api.ok(
        "POST",
        "/packages/v2/adjust",
        [
            {
                "Label": label,
                "Quantity": -1,
                "UnitOfMeasure": "Grams",
                "AdjustmentReason": "Drying",
                "AdjustmentDate": grow.today,
            }
        ],
    )
    [lot] = lots.listed(barcode=label)
    assert lot["quantity"] == 4
    assert lot["action"] == {"id": "KOMLA0004", "name": "adjustment"}


def test_a_move_and_a_new_product_show_through_metrc(lots: Lots, api: Api, grow: Grow) -> None:
    lot_id = package_id(grow, stock(grow))
    vault = grow.location_named(for_plants=False)
    other = grow.item("Buds")
    changed_lot = lots.ok(
        "PUT",
        f"/{lot_id}",
        {
            "location": {"id": str(id_of(grow.store, Location, name=vault))},
            "move_date": grow.today,
            "product": {"id": str(item_id(grow, other))},
        },
    )
    assert changed_lot["location"]["name"] == vault
    assert changed_lot["contents"]["product"]["name"] == other
    assert changed_lot["action"] == {"id": "KOMLA0002", "name": "move"}
    shown = api.ok("GET", f"/packages/v2/{lot_id}")
    assert shown["LocationName"] == vault and shown["Item"]["Name"] == other
    weighed_other = grow.item("Immature Plants", "CountBased")
    detail = refused(
        lots, grow, "PUT", f"/{lot_id}", {"product": {"id": str(item_id(grow, weighed_other))}}
    )
    assert detail.startswith("product: ")
    planting = grow.location_named(for_packages=False)
    body = {"location": {"id": str(id_of(grow.store, Location, name=planting))}}
    assert refused(lots, grow, "PUT", f"/{lot_id}", body).startswith("location: ")
    move = {"action": {"id": "KOMLA0002"}}
    assert refused(lots, grow, "PUT", f"/{lot_id}", move) == "location is needed to move the lot."


def finish_entry(grow: Grow, state: str = "finished") -> dict[str, Any]:
    return {
        "state": state,
        "date": f"{grow.today}T10:00:00Z",
        "reason": "done",
        "actioned_by": "me",
    }


def test_finish_and_unfinish_through_entity_state_and_metrc(
    lots: Lots, api: Api, grow: Grow
) -> None:
    lot = made(lots, new_lot(grow, grow.item(), 5, lots=[source(package_id(grow, stock(grow)))]))
    suffix = f"/{lot['id']}"
    # Not empty: it cannot be finished, and nothing changes.
    assert "only an empty package is finished" in refused(
        lots, grow, "PUT", suffix, {"entity_state": [finish_entry(grow)]}
    )
    # Adjusted to nothing first, then finished, in one change.
    finished = lots.ok(
        "PUT",
        suffix,
        {
            "adjustment": [{"quantity": -5, "unit_of_measure": "g", "reason": "Entry Error"}],
            "entity_state": [*lot["entity_state"], finish_entry(grow)],
        },
    )
    assert states(finished) == ["active", "finished"]
    assert finished["action"] == {"id": "KOMLA0006", "name": "finish"}
    assert lot["id"] not in [d["id"] for d in lots.listed()]
    for wanted in ("finished", "inactive", "lot_not_in_inventory"):
        assert lot["id"] in [d["id"] for d in lots.listed(entity_state=wanted)], wanted
    assert int(lot["id"]) in [p["Id"] for p in api.ok("GET", "/packages/v2/inactive")["Data"]]
    # Asking again for the standing it has changes nothing.
    again = lots.ok("PUT", suffix, {"entity_state": finished["entity_state"]})
    assert again["entity_state"] == finished["entity_state"]
    # A finished lot takes no adjustment until unfinished.
    adjustment = [{"quantity": 1, "unit_of_measure": "g", "reason": "Entry Error"}]
    assert "unfinish it first" in refused(lots, grow, "PUT", suffix, {"adjustment": adjustment})
    unfinished = lots.ok(
        "PUT",
        suffix,
        {"entity_state": [finish_entry(grow, "unfinished")], "adjustment": adjustment},
    )
    assert states(unfinished) == ["active", "finished", "unfinished"]
    assert [h["reason"] for h in unfinished["entity_state"]][-1] == "lot unfinished"
    assert unfinished["quantity"] == 1
    assert int(lot["id"]) in [p["Id"] for p in api.ok("GET", "/packages/v2/active")["Data"]]
    # Finished through Metrc, the Trace history shows it.
    lots.ok("PUT", suffix, {"adjustment": [{**adjustment[0], "quantity": -1}]})
    api.ok("PUT", "/packages/v2/finish", [{"Label": lot["barcode"], "ActualDate": grow.today}])
    assert states(lots.ok("GET", suffix))[-1] == "finished"


def test_entity_state_asks_only_what_a_change_may_do(lots: Lots, grow: Grow) -> None:
    lot_id = package_id(grow, stock(grow))
    for entry, expected in [
        ("inactive", "entity_state[0].state: a lot may be made"),
        ("used", "entity_state[0].state: "),
        ("lab_testing_passed", "entity_state: A lot's lab testing (TestPassed) is not set"),
        ("onhold", "entity_state: A lot's hold"),
    ]:
        body = {"entity_state": [finish_entry(grow, entry)]}
        assert expected in refused(lots, grow, "PUT", f"/{lot_id}", body), entry
    # The lab testing state it has is no change.
    same = lots.ok(
        "PUT", f"/{lot_id}", {"entity_state": [finish_entry(grow, "lab_testing_not_submitted")]}
    )
    assert states(same) == ["active"]
    body = {"action": {"id": "KOMLA0008"}, "entity_state": [finish_entry(grow)]}
    assert refused(lots, grow, "PUT", f"/{lot_id}", body).startswith("action: ")


def test_discontinue_takes_the_lot_out_of_both_dialects_lists(
    lots: Lots, api: Api, grow: Grow
) -> None:
    lot_id = package_id(grow, stock(grow))
    gone = lots.ok("PUT", f"/{lot_id}", {"action": {"id": "KOMLA0008"}})
    assert states(gone) == ["active", "discontinued"]
    assert gone["action"] == {"id": "KOMLA0008", "name": "discontinue"}
    assert [d["id"] for d in lots.listed(entity_state="discontinued")] == [str(lot_id)]
    assert str(lot_id) not in [d["id"] for d in lots.listed()]
    assert lot_id not in [p["Id"] for p in api.ok("GET", "/packages/v2/active")["Data"]]
    assert "discontinued" in refused(
        lots, grow, "PUT", f"/{lot_id}", {"entity_state": [finish_entry(grow, "active")]}
    )


def test_remediation_of_a_lot_that_requires_it(lots: Lots, grow: Grow, store: Store) -> None:
    lot_id = package_id(grow, stock(grow, product_requires_remediation=True))
    assert "remediation[0].method" in refused(
        lots, grow, "PUT", f"/{lot_id}", {"remediation": [{"method": "", "date": grow.today}]}
    )
    treated = lots.ok(
        "PUT",
        f"/{lot_id}",
        {"remediation": [{"method": "Further Drying", "date": grow.today, "steps": "Dried"}]},
    )
    assert treated["additional"]["requires_remediation"] is False
    assert treated["action"] == {"id": "KOMLA0005", "name": "remediation"}
    # A failed lot remediated (where the facility may) is Remediated: its history says so.
    failed = package_id(grow, stock(grow, lab_testing_state="TestFailed"))
    allow(store, grow.facility.id, "CanRemediatePackagesWithFailedLabResults")
    remedied = lots.ok("PUT", f"/{failed}", {"remediation": [{"method": "Further Drying"}]})
    assert states(remedied) == ["active", "lab_testing_failed", "lab_testing_remediated_lot"]
    assert remedied["entity_state"][-1]["reason"] == "lab testing state Remediated"
    assert remedied["additional"]["lab_testing_state"] == "lab_testing_remediated_lot"
    assert [d["id"] for d in lots.listed(entity_state="lab_testing_remediated_lot")] == [
        str(failed)
    ]


# --- lists and histories


def test_entity_state_selects_the_list(lots: Lots, grow: Grow, store: Store) -> None:
    product = grow.item()
    plain = stock(grow, "10", "Grams", product)
    held = stock(grow, "10", "Grams", product, is_on_hold=True)
    passed = stock(grow, "10", "Grams", product, lab_testing_state="TestPassed")
    made(lots, new_lot(grow, product, 1, lots=[source(package_id(grow, plain))]))

    def listed(state: str) -> set[str]:
        return {d["barcode"] for d in lots.listed(entity_state=state)}

    assert {plain, held, passed} <= listed("active") == listed("unfinished")
    assert listed("onhold") == {held}
    assert listed("lab_testing_passed") == {passed}
    assert listed("used") == {plain}
    assert listed("in_transit") == listed("accepted") == listed("finished") == set()
    assert [d["barcode"] for d in lots.listed(barcode=held)] == [held]
    assert lots.listed(barcode=held, entity_state="finished") == []
    for state, expected in [
        ("scheduled_for_destruction", "keeps no lot state"),
        ("sleeping", "entity_state must be one of"),
    ]:
        assert expected in problem(lots.get(entity_state=state))
    # A package put on hold shows the hold in its history.
    with store.transaction() as session:
        package = session.get(Package, package_id(grow, plain))
        assert package is not None
        changed(session, CLI, package, "hold", package.facility_id, is_on_hold=True)
    [lot] = lots.listed(barcode=plain, entity_state="onhold")
    # Made without an event, then held: its history starts from the row.
    assert states(lot) == ["active", "onhold"]
    assert {h["actioned_by"] for h in lot["entity_state"]} == {"system generated"}


def test_histories_of_lots_made_without_events(lots: Lots, grow: Grow) -> None:
    label = stock(grow, "3", "Grams", is_on_hold=True, lab_testing_state="TestPassed")
    lot = lots.ok("GET", f"/{package_id(grow, label)}")
    assert states(lot) == ["active", "onhold", "lab_testing_passed"]
    assert {entry["actioned_by"] for entry in lot["entity_state"]} == {"system generated"}
    assert lot["action"] is None


def test_paging_window_and_the_cost_of_a_page(
    lots: Lots, grow: Grow, client: TestClient, store: Store
) -> None:
    product = grow.item()
    sources = [package_id(grow, stock(grow, "10", "Grams", product)) for _ in range(3)]
    for lot_id in sources:
        made(lots, new_lot(grow, product, 1, lots=[source(lot_id)]))
    first = lots.get(limit=2).json()["results"]
    assert first["records"]["total"] == 6 and first["records"]["count"] == "0 - 2"
    assert "offset=2" in first["records"]["next"]
    assert lots.listed(start_date="2999-01-01T00:00:00Z") == []
    params = {"license_number": grow.license}
    found = page_statements(
        client, store.engine, "/co/v1/lots", lots.headers, params, sizes=(1, 6), size_param="limit"
    )
    assert [records for records, _ in found.values()] == [1, 6]
    assert found[1][1] == found[6][1]


# --- reference lists, scope, permissions


def test_helper_lists(client: TestClient, trace: TraceAccess) -> None:
    def listed(name: str) -> list[dict[str, Any]]:
        response = client.get(f"/ca/v1/lots/{name}", headers=trace.headers)
        assert response.status_code == 200, response.text
        data: list[dict[str, Any]] = response.json()["results"]["data"]
        return data

    assert listed("types")[0] == {"id": "KOMLT0001", "name": "Product"}
    actions = {a["id"]: a["name"] for a in listed("actions")}
    assert actions["KOMLA0001"] == "create" and actions["KOMLA0004"] == "adjustment"
    reasons = listed("adjustment_reasons")
    assert {"id": "KOMLAR0007", "name": "Damage", "requires_note": True} in reasons


def test_lots_of_another_facility_and_unknown_ids(
    lots: Lots, grow: Grow, ledger: Ledger, store: Store
) -> None:
    other = Grow.start(ledger, store)
    theirs = package_id(other, stock(other))
    assert "987654321" in problem(lots.get("/987654321"), 404)
    problem(lots.get(f"/{theirs}"), 401)
    problem(lots.send("PUT", f"/{theirs}", {}), 401)
    # Their lot as a source of ours reads as unknown.
    body = new_lot(grow, grow.item(), 1, lots=[source(theirs)])
    assert "origin.lots[0].id" in refused(lots, grow, "POST", "", body)


def test_some_bodies_need_the_permissions_metrc_asks_for_them(
    client: TestClient, trace: TraceAccess, api: Api, lots: Lots, grow: Grow, ledger: Ledger
) -> None:
    harvest = harvest_into(api, grow, ["100"])
    product = grow.item()
    packages_only = ["View Packages", "Create/Submit/Discontinue Packages"]
    basic = ledger.user({grow.license: packages_only})
    limited = Lots(client, trace.headers_for(*from_basic(basic)), grow.license)
    from_harvest = new_lot(grow, product, 10, harvest=[source(harvest)])
    assert "Manage Harvests" in problem(limited.send("POST", "", from_harvest), 403)
    lot = made(limited, new_lot(grow, product, 1, lots=[source(package_id(grow, stock(grow)))]))
    inventory = ["View Packages", "Manage Packages Inventory"]
    changer = Lots(
        client,
        trace.headers_for(*from_basic(ledger.user({grow.license: inventory}))),
        grow.license,
    )
    vault = {"location": {"id": str(room_id(grow))}}
    assert "Create/Submit/Discontinue Packages" in problem(
        changer.send("PUT", f"/{lot['id']}", vault), 403
    )
    adjustment = {"adjustment": [{"quantity": 1, "unit_of_measure": "g", "reason": "Drying"}]}
    assert changer.send("PUT", f"/{lot['id']}", adjustment).status_code == 200


def test_racing_changes_and_draws_of_one_lot_are_all_counted(lots: Lots, grow: Grow) -> None:
    """Each change locks the lot and reads it afresh, though its row was loaded before."""
    product = grow.item()
    lot_id = package_id(grow, label := stock(grow, "100", "Grams", product))
    barcodes = grow.package_tags(4)
    adjustment = {"adjustment": [{"quantity": -1, "unit_of_measure": "g", "reason": "Drying"}]}

    def send(index: int) -> httpx.Response:
        if index % 2:
            return lots.send("PUT", f"/{lot_id}", adjustment)
        body = new_lot(grow, product, 2, barcode=barcodes[index // 2], lots=[source(lot_id)])
        return lots.send("POST", "", body)

    responses = race(send, 8)
    assert [r.status_code for r in responses] == [200] * 8, [r.text for r in responses]
    assert stored_package(grow.store, label).quantity == Decimal(100 - 4 - 4 * 2)
