"""The recall's walk (domain/queries/recall.py, a generation at a time) over a graph with every
forward edge kind but processing jobs (tests/scenarios/test_inventory.py recalls through a
job), a diamond and a cycle: it ends, finds each package once, finds what genealogy's walk
finds, and shows another facility's package as a placeholder. And id sets past SQLite's limit
of bound parameters."""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from leafledger.domain.models import HarvestPlant, Package, PackageSource, PlantBatch
from leafledger.domain.queries.recall_sales import sales_of
from leafledger.permissions import all_permissions
from leafledger.store import Store
from tests.conftest import DemoAccess, Ledger, unique
from tests.leafledger.test_genealogy import as_user, package_id
from tests.metrc.test_harvests import harvest_into
from tests.metrc.test_package_inventory import stock
from tests.metrc.test_packages import ingredient, package_body
from tests.transfers import Shipping


def made_of(store: Store, facility_id: int, package: int, **source: int) -> None:
    """A package source row: `package` made of `source` (source_package_id=..., ...)."""
    with store.transaction() as session:
        session.add(
            PackageSource(
                facility_id=facility_id,
                package_id=package,
                quantity=Decimal(1),
                unit_of_measure_name="Grams",
                **source,
            )
        )


def keys(found: dict[str, Any]) -> list[str]:
    return [package["Key"] for package in found["Packages"]]


def test_a_recall_walks_every_edge_kind_once_through_a_diamond_and_a_cycle(
    client: TestClient, demo: DemoAccess, ledger: Ledger, store: Store
) -> None:
    ship = Shipping.start(client, demo, ledger, store)
    grow, api = ship.grow, ship.shipper.api
    here = grow.facility.id
    # Clones planted from a package: the batch of the plants harvested below.
    clones = stock(grow, "10", "Each", item=grow.item("Clone", "CountBased"))
    clones_id = package_id(store, clones)
    with store.transaction() as session:
        batch = session.get(PlantBatch, grow.batch_id)
        assert batch is not None
        batch.source_package_id = clones_id
        planted = batch.planted_date
    harvest = harvest_into(api, grow, ["300", "200"], unique("Harvest"))
    with store.read() as session:
        mother = session.scalars(
            select(HarvestPlant.plant_id).where(HarvestPlant.harvest_id == harvest)
        ).first()
    assert mother is not None
    # Two packages of the harvest, and one made of both (a diamond).
    item = grow.item()
    first, second = grow.package_tags(2)
    api.ok(
        "POST",
        "/harvests/v2/packages",
        [
            package_body(grow, first, item, "Grams", [ingredient(harvest, 100)]),
            package_body(grow, second, item, "Grams", [ingredient(harvest, 100)]),
        ],
    )
    first_id, second_id = package_id(store, first), package_id(store, second)
    both, looped = package_id(store, stock(grow)), package_id(store, stock(grow))
    made_of(store, here, both, source_package_id=first_id)
    made_of(store, here, both, source_package_id=second_id)
    # A cycle, which the ledger's rules would refuse and the walk must survive.
    made_of(store, here, looped, source_package_id=both)
    made_of(store, here, both, source_package_id=looped)
    # A package of a plant, a batch of cuttings of it, a package of that batch.
    of_plant, of_cuttings = package_id(store, stock(grow)), package_id(store, stock(grow))
    made_of(store, here, of_plant, source_plant_id=mother)
    with store.transaction() as session:
        cuttings = PlantBatch(
            facility_id=here,
            name=unique("Cuttings"),
            batch_type="Clone",
            strain_id=grow.strain_id,
            untracked_count=5,
            planted_date=planted,
            source_plant_id=mother,
        )
        session.add(cuttings)
        session.flush()
        cuttings_id = cuttings.id
    made_of(store, here, of_cuttings, source_plant_batch_id=cuttings_id)
    # Another facility's package, made of the first.
    other = ship.party("Cultivator")
    elsewhere = package_id(store, stock(grow))
    with store.transaction() as session:
        moved = session.get(Package, elsewhere)
        assert moved is not None
        moved.facility_id = other.facility.id
    made_of(store, other.facility.id, elsewhere, source_package_id=first_id)

    recalled = [first_id, second_id, both, looped, of_plant, of_cuttings, elsewhere]
    found = api.ok("GET", f"/leafledger/v1/recall/packages/{clones}")
    assert keys(found) == [f"Package:{n}" for n in sorted([clones_id, *recalled])]
    assert found["PackageCount"] == 8 and found["HiddenPackageCount"] == 0
    assert found["Root"]["Key"] == f"Package:{clones_id}"
    # The same packages as genealogy's descendants of the clones.
    tree = api.ok("GET", f"/leafledger/v1/genealogy/packages/{clones}", direction="Descendants")
    assert sorted(keys(found)) == sorted(
        node["Key"] for node in tree["Nodes"] if node["Kind"] == "Package"
    )
    # From the batch the clones were planted in; from the harvest (not the mother's packages).
    found = api.ok("GET", f"/leafledger/v1/recall/plantbatches/{grow.batch_id}")
    assert keys(found) == [f"Package:{n}" for n in sorted(recalled)]
    harvested = sorted([first_id, second_id, both, looped, elsewhere])
    found = api.ok("GET", f"/leafledger/v1/recall/harvests/{harvest}")
    assert keys(found) == [f"Package:{n}" for n in harvested]
    # A user of the grower only: the other facility's package is a placeholder.
    grower_only = as_user(api, ledger.user({grow.license: all_permissions()}))
    found = grower_only.ok("GET", f"/leafledger/v1/recall/harvests/{harvest}")
    assert found["PackageCount"] == 5 and found["HiddenPackageCount"] == 1
    [hidden] = [p for p in found["Packages"] if not p["Visible"]]
    assert hidden["Key"] == "Hidden:1" and hidden["Id"] is None and hidden["Label"] is None
    assert hidden["Quantity"] is None and hidden["State"] is None
    assert keys(found)[-1] == "Hidden:1"  # in id order, as the others


def test_an_id_set_is_one_parameter_however_many_ids(store: Store) -> None:
    # 40,000 ids, as a large recall reaches, on a SQLite connection held to 999 parameters
    # (the limit of older builds; 32,766 by default today).
    with store.read() as session:
        raw = session.connection().connection.dbapi_connection
        limited = isinstance(raw, sqlite3.Connection)
        if limited:
            before = raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)
        try:
            assert sales_of(session, range(10**9, 10**9 + 40_000), user_id=None) == []
        finally:
            if limited:
                raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, before)
