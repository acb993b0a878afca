"""Genealogy and recall (the extension's /genealogy and /recall rows): every edge kind, across a
transfer, as each caller may see it, at a fixed number of statements, and their refusals.
(The inventory scenario, tests/scenarios/test_inventory.py, walks a whole harvest.)"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from leafledger.domain.models import Item, Package, PlantBatch, Tag
from leafledger.permissions import all_permissions
from leafledger.store import Store
from tests.conftest import DemoAccess, Ledger, unique
from tests.metrc.test_harvests import Api, harvest_into
from tests.metrc.test_package_inventory import derived, draw, stock
from tests.metrc.test_packages import ingredient, package_body
from tests.statements import counted_statements
from tests.transfers import Shipping, accept


def package_id(store: Store, label: str) -> int:
    with store.read() as session:
        return int(session.scalars(select(Package.id).where(Package.label == label)).one())


def as_user(api: Api, headers: dict[str, str]) -> Api:
    """The same licence's requests, by another user."""
    other = Api(api.client, api_demo(), api.license)
    other.headers = headers
    return other


def api_demo() -> DemoAccess:
    return DemoAccess("", "", {}, "")


def own_tag(store: Store, facility_id: int) -> str:
    with store.transaction() as session:
        tag = Tag(
            facility_id=facility_id,
            label=unique("1A4PKG"),
            kind="Package",
            tag_type_name="CannabisPackage",
        )
        session.add(tag)
        return tag.label


def own_item(store: Store, facility_id: int) -> str:
    with store.transaction() as session:
        item = Item(
            facility_id=facility_id,
            name=unique("Buds"),
            category_name="Buds",
            quantity_type="WeightBased",
            unit_of_measure_name="Grams",
        )
        session.add(item)
        return item.name


def by_key(tree: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {node["Key"]: node for node in tree["Nodes"]}


def test_a_recall_follows_a_transfer_and_each_caller_sees_what_is_theirs(
    client: TestClient, demo: DemoAccess, ledger: Ledger, store: Store
) -> None:
    ship = Shipping.start(client, demo, ledger, store)
    grower, grow = ship.shipper, ship.grow
    carrier = ship.carrier("Distributor")
    distributor = ship.party("Manufacturer")  # the recipient, which makes packages of it
    harvest = harvest_into(grower.api, grow, ["300"], unique("Harvest"))
    item = grow.item()
    [shipped, kept] = grow.package_tags(2)
    body = [
        package_body(grow, shipped, item, "Grams", [ingredient(harvest, 100)]),
        package_body(grow, kept, item, "Grams", [ingredient(harvest, 50)]),
    ]
    grower.api.ok("POST", "/harvests/v2/packages", body)
    with store.transaction() as session:
        for row in session.scalars(select(Package).where(Package.label == shipped)):
            row.lab_testing_state = "TestPassed"
    transfer = ship.register(Shipping.destination(distributor, [shipped], [carrier.leg()]))
    ship.depart(transfer)
    in_transit = grower.api.ok("GET", f"/leafledger/v1/recall/harvests/{harvest}")
    assert {p["Label"]: p["State"] for p in in_transit["Packages"]} == {
        shipped: "InTransit",
        kept: "Active",
    }
    assert ship.receive(distributor, transfer, accept(shipped, "99.5")).status_code == 200
    # The distributor splits what it received.
    split, d_item = (
        own_tag(store, distributor.facility.id),
        own_item(store, distributor.facility.id),
    )
    distributor.api.ok(
        "POST", "/packages/v2/", [derived(grow, split, d_item, 40, draw(shipped, 40))]
    )
    ids = {label: package_id(store, label) for label in (shipped, kept, split)}

    # The demo user works at both: everything, the received package once, with its shipment.
    everything = grower.api.ok("GET", f"/leafledger/v1/recall/harvests/{harvest}")
    found = {p["Label"]: p for p in everything["Packages"]}
    assert set(found) == {shipped, kept, split} and everything["HiddenPackageCount"] == 0
    assert found[shipped]["FacilityLicenseNumber"] == distributor.license
    assert found[shipped]["State"] == "Active" and found[shipped]["Quantity"] == 59.5
    [shipment] = found[shipped]["Shipments"]
    assert shipment["ShipperFacilityLicenseNumber"] == grower.license
    assert shipment["RecipientFacilityLicenseNumber"] == distributor.license
    assert (shipment["ShipmentPackageState"], shipment["ReceivedQuantity"]) == ("Accepted", 99.5)
    assert found[split]["FacilityLicenseNumber"] == distributor.license
    tree = by_key(grower.api.ok("GET", f"/leafledger/v1/genealogy/harvests/{harvest}"))
    assert tree[f"Package:{ids[split]}"]["Depth"] == 2

    # A user of the grower only: the shipped package reads as transferred, what the
    # distributor made of it as a placeholder.
    grower_only = as_user(grower.api, ledger.user({grower.license: all_permissions()}))
    seen = grower_only.ok("GET", f"/leafledger/v1/recall/harvests/{harvest}")
    assert seen["PackageCount"] == 3 and seen["HiddenPackageCount"] == 1
    states = {p["Key"]: p for p in seen["Packages"]}
    transferred = states[f"Package:{ids[shipped]}"]
    assert transferred["State"] == "Transferred" and transferred["Label"] == shipped
    assert transferred["FacilityLicenseNumber"] == distributor.license
    assert transferred["Quantity"] == 99.5 and transferred["Visible"] is False
    hidden = states["Hidden:1"]
    assert hidden["Label"] is None and hidden["Id"] is None
    assert hidden["Quantity"] is None and hidden["FacilityLicenseNumber"] is None
    tree = grower_only.ok("GET", f"/leafledger/v1/genealogy/harvests/{harvest}")
    edges = {(e["From"], e["To"], e["Relation"]): e for e in tree["Edges"]}
    moved = edges[(f"Package:{ids[shipped]}", "Hidden:1", "PackageFromPackage")]
    assert moved["Quantity"] is None  # the distributor's record

    # A user of the distributor only: the received package and its split in full; the
    # grower's harvest and plants are placeholders.
    distributor_only = as_user(
        distributor.api, ledger.user({distributor.license: all_permissions()})
    )
    tree = distributor_only.ok(
        "GET", f"/leafledger/v1/genealogy/packages/{split}", direction="Ancestors"
    )
    nodes = by_key(tree)
    assert nodes[f"Package:{ids[shipped]}"]["Visible"] is True
    assert f"Package:{ids[kept]}" not in nodes  # a sibling, not an ancestor
    hidden_kinds = sorted(n["Kind"] for n in tree["Nodes"] if not n["Visible"])
    assert hidden_kinds == ["Harvest", "Plant", "PlantBatch"]
    edges = {(e["From"], e["To"], e["Relation"]): e for e in tree["Edges"]}
    drawn = edges[(f"Package:{ids[shipped]}", f"Package:{ids[split]}", "PackageFromPackage")]
    assert drawn["Quantity"] == 40 and drawn["UnitOfMeasureName"] == "Grams"


def test_plantings_clones_and_plant_packages_are_edges(
    client: TestClient, demo: DemoAccess, ledger: Ledger, store: Store
) -> None:
    ship = Shipping.start(client, demo, ledger, store)
    grow, api = ship.grow, ship.shipper.api
    [mother] = grow.plants(1)
    clones = stock(grow, "10", "Each", item=grow.item("Clone", "CountBased"))
    mother_id = grow.plant(mother).id
    with store.transaction() as session:
        base = session.get(PlantBatch, grow.batch_id)
        assert base is not None
        from_package = PlantBatch(
            facility_id=grow.facility.id,
            name=unique("Planted"),
            batch_type="Clone",
            strain_id=grow.strain_id,
            untracked_count=10,
            planted_date=base.planted_date,
            source_package_id=package_id(store, clones),
        )
        from_mother = PlantBatch(
            facility_id=grow.facility.id,
            name=unique("Cuttings"),
            batch_type="Clone",
            strain_id=grow.strain_id,
            untracked_count=5,
            planted_date=base.planted_date,
            source_plant_id=mother_id,
        )
        session.add_all([from_package, from_mother])
        session.flush()
        batch_ids = from_package.id, from_mother.id
    tree = api.ok("GET", f"/leafledger/v1/genealogy/packages/{clones}", direction="Descendants")
    planted = (f"Package:{package_id(store, clones)}", f"PlantBatch:{batch_ids[0]}")
    assert (*planted, "PlantingFromPackage") in {
        (e["From"], e["To"], e["Relation"]) for e in tree["Edges"]
    }
    tree = api.ok("GET", f"/leafledger/v1/genealogy/plants/{mother}")
    edges = {(e["From"], e["To"], e["Relation"]) for e in tree["Edges"]}
    assert (f"Plant:{mother_id}", f"PlantBatch:{batch_ids[1]}", "PlantBatchFromPlant") in edges
    assert (f"PlantBatch:{grow.batch_id}", f"Plant:{mother_id}", "PlantFromPlantBatch") in edges
    assert by_key(tree)[f"Plant:{mother_id}"]["Side"] == "Root"
    # By id as by label; the batch's own tree reaches the mother and her cuttings.
    assert api.ok("GET", f"/leafledger/v1/genealogy/plants/{mother_id}") == tree
    batch_tree = api.ok("GET", f"/leafledger/v1/genealogy/plantbatches/{grow.batch_id}")
    assert f"PlantBatch:{batch_ids[1]}" in by_key(batch_tree)


def test_a_recall_costs_the_same_statements_however_many_packages(
    client: TestClient, demo: DemoAccess, ledger: Ledger, store: Store
) -> None:
    ship = Shipping.start(client, demo, ledger, store)
    grow, api = ship.grow, ship.shipper.api
    counts = []
    for size in (1, 12):
        harvest = harvest_into(api, grow, ["500"], unique("Harvest"))
        item, tags = grow.item(), grow.package_tags(size)
        body = [package_body(grow, t, item, "Grams", [ingredient(harvest, 10)]) for t in tags]
        for start in range(0, size, 10):
            api.ok("POST", "/harvests/v2/packages", body[start : start + 10])
        path = f"/leafledger/v1/recall/harvests/{harvest}"
        api.ok("GET", path)  # the credentials are remembered from here on
        with counted_statements(store.engine) as seen:
            found = api.ok("GET", path)
        assert found["PackageCount"] == size
        counts.append(len(seen))
    # The root's loader and row, one statement per generation walked (the harvest's packages,
    # then what was made of them: nothing), the packages, their facilities' and items' names,
    # their shipments, the sales and the sales deliveries.
    assert counts[0] == counts[1] <= 9


def test_refusals(client: TestClient, demo: DemoAccess, ledger: Ledger, store: Store) -> None:
    ship = Shipping.start(client, demo, ledger, store)
    api = ship.shipper.api
    other = ship.party("Cultivator")
    mine = stock(ship.grow)
    for path in (
        "/leafledger/v1/genealogy/packages/1A4NOSUCHLABEL",
        "/leafledger/v1/recall/packages/1A4NOSUCHLABEL",
        "/leafledger/v1/genealogy/harvests/987654321",
        "/leafledger/v1/recall/plantbatches/987654321",
    ):
        response = api.call("GET", path)
        assert response.status_code == 404 and "Message" in response.json(), path
    response = other.api.call("GET", f"/leafledger/v1/genealogy/packages/{mine}")
    assert response.status_code == 401 and "Message" in response.json()
    response = api.call("GET", f"/leafledger/v1/genealogy/packages/{mine}", direction="Up")
    assert response.status_code == 400
    assert "direction" in response.json()["Message"]
    tree = api.ok("GET", f"/leafledger/v1/genealogy/packages/{mine}", direction="ancestors")
    assert [n["Side"] for n in tree["Nodes"]] == ["Root"] and tree["Edges"] == []
