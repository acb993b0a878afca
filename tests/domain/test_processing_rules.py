"""Processing job rules at the service level, without HTTP: who may process, exact books across
units, giving back, the genealogy through a job and the circle it must never close."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from leafledger.domain.actor import CLI
from leafledger.domain.errors import RuleViolation
from leafledger.domain.facility_types import capabilities_for, license_types
from leafledger.domain.models import Facility, ProcessingJob
from leafledger.domain.queries.packages import genealogies
from leafledger.domain.queries.processing import made_from_job
from leafledger.domain.services import processing as service
from leafledger.domain.services.packages import (
    DerivedPackage,
    PackageIngredient,
    create_package_from_packages,
)
from leafledger.domain.services.processing_types import (
    JobTypeFields,
    create_job_type,
    require_processor,
)
from leafledger.domain.units import to_base
from leafledger.store import Store
from tests.conftest import Ledger, unique
from tests.domain import test_package_rules
from tests.domain.test_package_rules import here, labelled
from tests.metrc.test_harvests import Grow
from tests.metrc.test_package_inventory import stock
from tests.metrc.test_processing_jobs import item_of


@pytest.fixture()
def shop(ledger: Ledger, store: Store) -> Grow:
    return Grow.start(ledger, store, "Manufacturer")


# The package rules' session, whose work is thrown away.
session = test_package_rules.session


def started(
    session: Session, shop: Grow, *lines: service.JobPackage, name: str | None = None
) -> ProcessingJob:
    facility = here(session, shop)
    kind = create_job_type(
        session, CLI, facility, JobTypeFields(name=unique("Type"), category="Extraction")
    )
    command = service.JobStart(
        name=name or unique("Job"), job_type=kind.name, packages=lines, weight_unit="Ounces"
    )
    return service.start_job(session, CLI, facility, command)


def take(label: str, quantity: str, unit: str = "Grams") -> service.JobPackage:
    return service.JobPackage(label, Decimal(quantity), unit)


def test_processing_is_for_the_facility_types_that_infuse_products(shop: Grow) -> None:
    allowed = {t for t in license_types() if capabilities_for(t).get("CanInfuseProducts")}
    assert allowed == {"Manufacturer"}
    assert not any(capabilities_for(t).get("CanRecordProcessingJobs") for t in license_types())
    require_processor(shop.facility)
    for license_type in license_types():
        facility = Facility(
            license_number="X",
            license_type=license_type,
            capabilities=capabilities_for(license_type),
        )
        if license_type == "Manufacturer":
            require_processor(facility)
            continue
        with pytest.raises(RuleViolation, match="may not run processing jobs"):
            require_processor(facility)


def test_what_leaves_a_source_is_what_enters_the_job_to_the_last_digit(
    session: Session, shop: Grow, store: Store
) -> None:
    tincture = item_of(shop, "Tincture", "VolumeBased", "Liters")
    litres = stock(shop, "2", "Liters", item=tincture)
    pounds = stock(shop, "1", "Pounds")
    job = started(session, shop, take(litres, "1", "Fluid Ounces"), take(pounds, "1", "Grams"))
    # 1 fl oz is 0.0295735295625 l: kept to ten places in litres, exactly that leaves the
    # package, and exactly that (in millilitres) enters the job.
    left = Decimal(2) - labelled(session, litres).quantity
    assert left == Decimal("0.0295735296")
    assert job.consumed_volume == to_base(left, "Liters") == Decimal("29.5735296")
    assert labelled(session, pounds).quantity == Decimal("0.9977953774")
    assert job.consumed_weight == to_base(Decimal("0.0022046226"), "Pounds")
    assert job.consumed_weight == Decimal("0.999999990089562")
    assert job.volume_unit_name == "Liters" and job.weight_unit_name == "Ounces"


def test_giving_back_returns_exactly_what_was_taken(session: Session, shop: Grow) -> None:
    label = stock(shop, "3", "Ounces")
    job = started(session, shop, take(label, "10"))
    adjustment = service.JobAdjustment(job=job, reason="Entry Error", packages=[take(label, "-10")])
    service.adjust_job(session, CLI, here(session, shop), adjustment)
    assert labelled(session, label).quantity == Decimal(3)
    assert job.consumed_weight == 0
    assert service.held_by_job(session, job) == {labelled(session, label).id: Decimal(0)}
    with pytest.raises(RuleViolation, match="it cannot give back"):
        service.adjust_job(session, CLI, here(session, shop), adjustment)


def test_a_package_made_from_a_job_never_goes_back_into_it_however_far_down(
    session: Session, shop: Grow
) -> None:
    label = stock(shop, "100")
    [first, second] = shop.package_tags(2)
    concentrate = shop.item("Concentrate")
    facility = here(session, shop)
    job = started(session, shop, take(label, "50"))
    made = service.create_job_package(
        session,
        CLI,
        facility,
        service.JobOutput(
            job_name=job.name,
            tag=first,
            item=concentrate,
            quantity=Decimal(20),
            unit_of_measure="Grams",
        ),
    )
    derived = create_package_from_packages(
        session,
        CLI,
        facility,
        DerivedPackage(
            tag=second,
            item=concentrate,
            quantity=Decimal(5),
            unit_of_measure="Grams",
            ingredients=[PackageIngredient(first, Decimal(5), "Grams")],
        ),
    )
    session.flush()
    assert made_from_job(session, made.id, job.id)
    assert made_from_job(session, derived.id, job.id)
    assert not made_from_job(session, labelled(session, label).id, job.id)
    family = genealogies(session, [made.id, derived.id])
    assert family[made.id].processing_job_ids == (job.id,)
    assert family[derived.id].processing_job_ids == ()
    assert family[derived.id].package_labels == (first,)
    back = service.JobAdjustment(job=job, reason="Entry Error", packages=[take(second, "1")])
    with pytest.raises(RuleViolation, match="cannot go back into it") as refused:
        service.adjust_job(session, CLI, facility, back)
    assert refused.value.field == ("packages", 0)


def test_finishing_waste_names_its_unit_and_type(session: Session, shop: Grow) -> None:
    facility = here(session, shop)
    job = started(session, shop, take(stock(shop, "10"), "10"))
    cases = [
        ({"waste_weight": Decimal(1)}, ("waste_weight_unit",), "is required with a waste"),
        (
            {"waste_weight": Decimal(1), "waste_weight_unit": "Liters"},
            ("waste_weight_unit",),
            "cannot measure",
        ),
        (
            {"waste_volume": Decimal(1), "waste_volume_unit": "Liters"},
            ("waste_volume",),
            "is more than",
        ),
    ]
    for waste, where, words in cases:
        with pytest.raises(RuleViolation, match=words) as refused:
            service.finish_job(session, CLI, facility, service.JobFinish(job=job, **waste))
        assert refused.value.field == where
    service.finish_job(
        session,
        CLI,
        facility,
        service.JobFinish(job=job, waste_weight=Decimal(0), waste_weight_unit="Grams"),
    )
    assert job.finished_date is not None and job.waste_weight == 0
    assert job.waste_weight_unit_name == "Grams"
