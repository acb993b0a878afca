"""Tags, locations and sublocations: the rules of their services, without HTTP."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from leafledger.domain.actor import CLI
from leafledger.domain.errors import RuleViolation
from leafledger.domain.models import (
    AuditEvent,
    Facility,
    Harvest,
    Item,
    Location,
    Package,
    Plant,
    PlantBatch,
    Strain,
    Sublocation,
    Tag,
)
from leafledger.domain.queries.locations import locations as listed_locations
from leafledger.domain.services import locations as service
from leafledger.domain.services.locations import (
    LocationChange,
    NewLocation,
    NewSublocation,
    SublocationChange,
)
from leafledger.domain.services.lookups import claim_tag, location_named, sublocation_named
from leafledger.domain.services.tags import (
    LABEL_LENGTH,
    MAX_SANDBOX_ISSUE,
    SandboxTags,
    issue_sandbox_tags,
    issue_tags,
    label_prefix,
)
from leafledger.store import Store
from tests.conftest import Ledger, unique

# --- building inventory directly, so these tests depend on no other aggregate's service


def _strain(session: Session, facility: Facility) -> Strain:
    strain = Strain(facility_id=facility.id, name=unique("Strain"))
    session.add(strain)
    session.flush()
    return strain


def _batch(
    session: Session, facility: Facility, location: Location | None, sub: Sublocation | None
) -> PlantBatch:
    batch = PlantBatch(
        facility_id=facility.id,
        name=unique("Batch"),
        batch_type="Clone",
        strain_id=_strain(session, facility).id,
        location_id=location.id if location else None,
        sublocation_id=sub.id if sub else None,
        untracked_count=10,
        planted_date=date(2026, 1, 5),
    )
    session.add(batch)
    session.flush()
    return batch


def hold_plant_batch(
    session: Session, facility: Facility, location: Location | None, sub: Sublocation | None
) -> object:
    return _batch(session, facility, location, sub)


def hold_plant(
    session: Session, facility: Facility, location: Location | None, sub: Sublocation | None
) -> object:
    batch = _batch(session, facility, None, None)
    tag = issue_tags(session, CLI, facility, "plant", 1)[0]
    plant = Plant(
        facility_id=facility.id,
        label=tag.label,
        tag_id=tag.id,
        plant_batch_id=batch.id,
        strain_id=batch.strain_id,
        location_id=location.id if location else None,
        sublocation_id=sub.id if sub else None,
        growth_phase="Vegetative",
        planted_date=date(2026, 1, 5),
    )
    session.add(plant)
    session.flush()
    return plant


def hold_harvest(
    session: Session, facility: Facility, location: Location | None, sub: Sublocation | None
) -> object:
    drying = location or service.create_location(
        session, CLI, facility, NewLocation(unique("Dry"), "Default")
    )
    harvest = Harvest(
        facility_id=facility.id,
        name=unique("Harvest"),
        harvest_type="WholePlant",
        drying_location_id=drying.id,
        drying_sublocation_id=sub.id if sub else None,
        unit_of_weight_name="Grams",
        harvest_start_date=date(2026, 3, 1),
    )
    session.add(harvest)
    session.flush()
    return harvest


def hold_package(
    session: Session, facility: Facility, location: Location | None, sub: Sublocation | None
) -> object:
    item = Item(
        facility_id=facility.id,
        name=unique("Item"),
        category_name="Buds",
        quantity_type="WeightBased",
        unit_of_measure_name="Grams",
    )
    session.add(item)
    session.flush()
    tag = issue_tags(session, CLI, facility, "package", 1)[0]
    package = Package(
        facility_id=facility.id,
        label=tag.label,
        tag_id=tag.id,
        item_id=item.id,
        quantity=Decimal("12.5"),
        original_quantity=Decimal("12.5"),
        unit_of_measure_name="Grams",
        location_id=location.id if location else None,
        sublocation_id=sub.id if sub else None,
        packaged_date=date(2026, 3, 2),
    )
    session.add(package)
    session.flush()
    return package


Holder = Callable[[Session, Facility, Location | None, Sublocation | None], object]
HOLDERS: list[Holder] = [hold_plant_batch, hold_plant, hold_harvest, hold_package]


def _finish(holding: object) -> None:
    """Take the inventory out of the active set the way its own workflow would."""
    if isinstance(holding, PlantBatch):
        holding.active = False
    elif isinstance(holding, Plant):
        holding.state = "Destroyed"
    elif isinstance(holding, Harvest | Package):
        holding.finished_date = date(2026, 3, 9)


@pytest.fixture()
def facility(ledger: Ledger) -> Facility:
    return ledger.facility("Cultivator")


def _events(session: Session, table: str, entity_id: int, action: str) -> list[AuditEvent]:
    return list(
        session.scalars(
            select(AuditEvent).where(
                AuditEvent.entity_type == table,
                AuditEvent.entity_id == entity_id,
                AuditEvent.action == action,
            )
        )
    )


# --- tags


def test_issued_labels_are_24_characters_in_sequence_per_facility(
    store: Store, ledger: Ledger, facility: Facility
) -> None:
    other = ledger.facility("Manufacturer")
    with store.transaction() as session:
        first = issue_tags(session, CLI, facility, "plant", 3)
        more = issue_tags(session, CLI, facility, "Package", 2)
        theirs = issue_tags(session, CLI, other, "package", 2)
        labels = [t.label for t in first + more]
        assert all(len(label) == LABEL_LENGTH for label in labels + [t.label for t in theirs])
        assert all(label.startswith(label_prefix(facility)) for label in labels)
        assert [int(label[-13:]) for label in labels] == [1, 2, 3, 4, 5]
        assert label_prefix(facility) != label_prefix(other)
        assert not set(labels) & {t.label for t in theirs}
        assert [t.kind for t in first + more] == ["Plant"] * 3 + ["Package"] * 2
        assert {t.tag_type_name for t in more} == {"Marijuana Package"}
        assert all(t.status == "Available" and t.facility_id == facility.id for t in first)
        for tag in first:
            (event,) = _events(session, "tags", tag.id, "issue")
            assert event.after is not None and event.after["label"] == tag.label


@pytest.mark.parametrize(
    ("kind", "count", "message"),
    [
        ("plant", 0, "count"),
        ("plant", -3, "count"),
        ("package", 100_001, "count"),
        ("seed", 5, "Unknown tag kind"),
    ],
)
def test_issue_refuses_bad_counts_and_kinds(
    store: Store, facility: Facility, kind: str, count: int, message: str
) -> None:
    with store.transaction() as session, pytest.raises(RuleViolation, match=message):
        issue_tags(session, CLI, facility, kind, count)


@pytest.mark.parametrize("count", [0, MAX_SANDBOX_ISSUE + 1])
def test_sandbox_issue_allows_1_to_1000(store: Store, facility: Facility, count: int) -> None:
    with store.transaction() as session, pytest.raises(RuleViolation, match="1 to 1000"):
        issue_sandbox_tags(session, CLI, facility, SandboxTags("Marijuana Plant", count))


def test_sandbox_issue_takes_the_kind_from_the_tag_type(store: Store, facility: Facility) -> None:
    with store.transaction() as session:
        tags = issue_sandbox_tags(
            session, CLI, facility, SandboxTags("marijuana package", MAX_SANDBOX_ISSUE)
        )
        assert len({t.label for t in tags}) == MAX_SANDBOX_ISSUE
        assert {t.kind for t in tags} == {"Package"}
        with pytest.raises(RuleViolation, match="Unknown tag type"):
            issue_sandbox_tags(session, CLI, facility, SandboxTags("Hemp Seed", 1))


def test_a_tag_is_used_once_by_its_own_facility_and_kind(
    store: Store, ledger: Ledger, facility: Facility
) -> None:
    other = ledger.facility("Cultivator")
    with store.transaction() as session:
        plant_tag, second = issue_tags(session, CLI, facility, "plant", 2)
        package_tag = issue_tags(session, CLI, facility, "package", 1)[0]
        claimed = claim_tag(session, CLI, facility, plant_tag.label, "Plant")
        assert claimed.status == "Used"
        with pytest.raises(RuleViolation, match="only once"):
            claim_tag(session, CLI, facility, plant_tag.label, "Plant")
        with pytest.raises(RuleViolation, match="not issued to this facility"):
            claim_tag(session, CLI, other, second.label, "Plant")
        with pytest.raises(RuleViolation, match="not a plant tag"):
            claim_tag(session, CLI, facility, package_tag.label, "Plant")
        assert session.get(Tag, second.id) is not None and second.status == "Available"


# --- locations


def test_the_type_decides_what_a_location_holds(store: Store, facility: Facility) -> None:
    with store.transaction() as session:
        packing = service.create_location(
            session, CLI, facility, NewLocation(unique("Pack"), "packing")
        )
        assert packing.location_type_name == "Packing"
        assert (
            packing.for_plant_batches,
            packing.for_plants,
            packing.for_harvests,
            packing.for_packages,
        ) == (False, False, False, True)
        with pytest.raises(RuleViolation, match="cannot hold plants"):
            location_named(session, facility, packing.name, holding="plants")
        with pytest.raises(RuleViolation, match="Unknown location type"):
            service.create_location(session, CLI, facility, NewLocation(unique("Room"), "Attic"))
        (event,) = _events(session, "locations", packing.id, "create")
        assert event.after is not None and event.after["location_type_name"] == "Packing"


def test_location_names_are_unique_among_active_ones(store: Store, facility: Facility) -> None:
    name = unique("Flower Room")
    with store.transaction() as session:
        first = service.create_location(session, CLI, facility, NewLocation(name, "Default"))
        with pytest.raises(RuleViolation, match="already exists"):
            service.create_location(session, CLI, facility, NewLocation(f"  {name} ", "Planting"))
        other = service.create_location(
            session, CLI, facility, NewLocation(unique("Veg"), "Planting")
        )
        with pytest.raises(RuleViolation, match="already exists"):
            service.update_location(session, CLI, facility, LocationChange(other, name, "Planting"))
        # Renaming a location to its own name, or after the holder is archived, is fine.
        service.update_location(session, CLI, facility, LocationChange(first, name, "Planting"))
        service.archive_location(session, CLI, facility, first)
        again = service.create_location(session, CLI, facility, NewLocation(name, "Default"))
        assert again.id != first.id and again.active


def test_updates_are_audited_with_before_and_after(store: Store, facility: Facility) -> None:
    with store.transaction() as session:
        location = service.create_location(
            session, CLI, facility, NewLocation(unique("Room"), "Default")
        )
        service.update_location(
            session, CLI, facility, LocationChange(location, "Renamed " + unique("R"), "Vault")
        )
        (event,) = _events(session, "locations", location.id, "update")
        assert event.before is not None and event.after is not None
        assert event.before["location_type_name"] == "Default"
        assert event.after["location_type_name"] == "Vault"
        assert event.after["name"].startswith("Renamed ")


@pytest.mark.parametrize("hold", HOLDERS, ids=lambda h: h.__name__)
def test_a_location_holding_active_inventory_cannot_be_archived(
    store: Store, facility: Facility, hold: Holder
) -> None:
    with store.transaction() as session:
        location = service.create_location(
            session, CLI, facility, NewLocation(unique("Room"), "Default")
        )
        holding = hold(session, facility, location, None)
        with pytest.raises(RuleViolation, match="still holds active"):
            service.archive_location(session, CLI, facility, location)
        assert location.active
        _finish(holding)
        session.flush()
        service.archive_location(session, CLI, facility, location)
        assert not location.active
        assert len(_events(session, "locations", location.id, "archive")) == 1


@pytest.mark.parametrize("hold", HOLDERS, ids=lambda h: h.__name__)
def test_a_sublocation_holding_active_inventory_cannot_be_archived(
    store: Store, facility: Facility, hold: Holder
) -> None:
    with store.transaction() as session:
        location = service.create_location(
            session, CLI, facility, NewLocation(unique("Room"), "Default")
        )
        sub = service.create_sublocation(session, CLI, facility, NewSublocation(unique("Shelf")))
        hold(session, facility, location, sub)
        with pytest.raises(RuleViolation, match="still holds active"):
            service.archive_sublocation(session, CLI, facility, sub)
        assert sub.active


def test_retyping_refused_when_the_new_type_cannot_hold_what_is_there(
    store: Store, facility: Facility
) -> None:
    with store.transaction() as session:
        location = service.create_location(
            session, CLI, facility, NewLocation(unique("Room"), "Default")
        )
        hold_plant(session, facility, location, None)
        with pytest.raises(RuleViolation, match="holds plants"):
            service.update_location(
                session, CLI, facility, LocationChange(location, location.name, "Vault")
            )
        service.update_location(
            session, CLI, facility, LocationChange(location, location.name, "Planting")
        )
        assert location.location_type_name == "Planting"


def test_archived_locations_and_sublocations_are_unusable(store: Store, facility: Facility) -> None:
    with store.transaction() as session:
        location = service.create_location(
            session, CLI, facility, NewLocation(unique("Room"), "Default")
        )
        sub = service.create_sublocation(session, CLI, facility, NewSublocation(unique("Shelf")))
        service.archive_location(session, CLI, facility, location)
        service.archive_sublocation(session, CLI, facility, sub)
        with pytest.raises(RuleViolation, match="archived"):
            location_named(session, facility, location.name)
        with pytest.raises(RuleViolation, match="archived"):
            sublocation_named(session, facility, sub.name)
        with pytest.raises(RuleViolation, match="archived"):
            service.update_location(
                session, CLI, facility, LocationChange(location, location.name, "Default")
            )
        with pytest.raises(RuleViolation, match="archived"):
            service.update_sublocation(session, CLI, facility, SublocationChange(sub, "New name"))
        with pytest.raises(RuleViolation, match="archived already"):
            service.archive_location(session, CLI, facility, location)
        listed = session.scalars(listed_locations(facility, active=False).source).all()
        assert location in listed
        assert location not in session.scalars(listed_locations(facility, active=True).source).all()


def test_sublocation_names_are_unique_among_active_ones_and_audited(
    store: Store, facility: Facility
) -> None:
    name = unique("Table")
    with store.transaction() as session:
        sub = service.create_sublocation(session, CLI, facility, NewSublocation(name))
        with pytest.raises(RuleViolation, match="already exists"):
            service.create_sublocation(session, CLI, facility, NewSublocation(name))
        with pytest.raises(RuleViolation, match="required"):
            service.create_sublocation(session, CLI, facility, NewSublocation("   "))
        with pytest.raises(RuleViolation, match="at most 200"):
            service.create_sublocation(session, CLI, facility, NewSublocation("x" * 201))
        service.update_sublocation(session, CLI, facility, SublocationChange(sub, name + " B"))
        assert len(_events(session, "sublocations", sub.id, "create")) == 1
        (event,) = _events(session, "sublocations", sub.id, "update")
        assert event.before is not None and event.before["name"] == name
        assert event.after is not None and event.after["name"] == name + " B"
