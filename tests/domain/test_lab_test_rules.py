"""Lab test rules at the service level, without HTTP: what results imply, what a release
reaches and what it leaves alone, a lab at another facility, and the gate. The throwaway
`session` fixture is the package rules' one."""

from __future__ import annotations

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
    LabTestPackage,
    Package,
    PackageSource,
)
from leafledger.domain.queries import lab_tests as queries
from leafledger.domain.services import lab_tests as service
from leafledger.domain.services.package_gate import may_leave
from leafledger.domain.services.packages import (
    create_package_from_packages,
    create_testing_package_from_packages,
)
from leafledger.store import Store
from tests.conftest import Ledger
from tests.domain.test_package_rules import derive, here, labelled, take
from tests.domain.test_package_rules import session as session
from tests.metrc.test_harvests import Grow
from tests.metrc.test_lab_tests import testing_grow
from tests.metrc.test_package_inventory import stock


@pytest.fixture()
def grow(ledger: Ledger, store: Store) -> Grow:
    return testing_grow(ledger, store)


def reported(name: str, passed: bool = True, level: str | None = "1") -> service.ReportedTest:
    return service.ReportedTest(name, passed, None if level is None else Decimal(level))


class Steps:
    """Samples, derivations, results and releases at one facility, through the services."""

    def __init__(self, session: Session, grow: Grow) -> None:
        self.session, self.grow, self.facility = session, grow, here(session, grow)
        self.tags = iter(grow.package_tags(12))

    def sample(self, source: str, item: str) -> str:
        tag = next(self.tags)
        command = derive(tag, item, "1", take(source, "1"))
        create_testing_package_from_packages(self.session, CLI, self.facility, command)
        return tag

    def derive(self, item: str, *sources: str) -> str:
        tag = next(self.tags)
        command = derive(tag, item, str(len(sources)), *(take(s, "1") for s in sources))
        create_package_from_packages(self.session, CLI, self.facility, command)
        return tag

    def record(self, sample: str, *tests: service.ReportedTest) -> None:
        results = service.SampleResults(
            label=sample,
            result_date=date.fromisoformat(self.grow.today),
            results=tests or (reported("THC"),),
        )
        service.record_results(self.session, CLI, self.facility, results)

    def release(self, sample: str) -> None:
        service.release_results(self.session, CLI, self.facility, service.Release(sample))

    def state(self, label: str) -> str:
        return labelled(self.session, label).lab_testing_state


@pytest.fixture()
def steps(session: Session, grow: Grow) -> Steps:
    return Steps(session, grow)


def test_a_new_package_inherits_one_shared_state_of_the_same_product() -> None:
    assert service.inherited_state(["TestPassed"] * 2, ["Buds", "Buds"], "Buds") == "TestPassed"
    assert service.inherited_state(["TestPassed", "TestFailed"], ["Buds"] * 2, "Buds") == (
        "NotSubmitted"
    )
    assert service.inherited_state(["TestFailed"], ["Buds"], "Pre-Roll Flower") == "NotSubmitted"


def test_informational_tests_inform_and_do_not_decide(steps: Steps, grow: Grow) -> None:
    item = grow.item()
    source = stock(grow, item=item)
    sample = steps.sample(source, item)
    steps.record(sample, reported("THC"), reported("Terpenes", passed=False))
    assert steps.state(sample) == "TestPassed"


def test_an_r_and_d_result_moves_its_sample_only(steps: Steps, grow: Grow) -> None:
    item = grow.item()
    source = stock(grow, item=item, lab_testing_state="TestPassed")
    sample = steps.sample(source, item)
    steps.record(sample, reported("R&D Testing", level=None))
    assert steps.state(sample) == "RandDCompleted"
    steps.release(sample)
    assert steps.state(source) == "TestPassed"
    assert may_leave(labelled(steps.session, source)).allowed


def test_a_release_leaves_alone_what_is_not_of_the_tested_lot(steps: Steps, grow: Grow) -> None:
    """Made before the sample, of another product, mixed with an untested package, or tested
    on its own: none of them takes the tested package's result."""
    buds, pre_rolls = grow.item(), grow.item("Shake/Trim")
    source = stock(grow, item=buds)
    untested = stock(grow, item=buds)
    before = steps.derive(buds, source)
    sample = steps.sample(source, buds)
    other_product = steps.derive(pre_rolls, source)
    mixed = steps.derive(buds, source, untested)
    own = steps.derive(buds, source)
    own_sample = steps.sample(own, buds)
    taken = steps.derive(buds, source)
    steps.record(own_sample, reported("THC"))
    steps.release(own_sample)
    assert steps.state(own) == "TestPassed"
    steps.record(sample, reported("THC", passed=False))
    steps.release(sample)
    assert steps.state(source) == steps.state(taken) == "TestFailed"
    assert steps.state(before) == "NotSubmitted"
    assert steps.state(other_product) == "NotSubmitted"
    assert steps.state(mixed) == "NotSubmitted"
    assert steps.state(own) == "TestPassed"  # its own result stands
    assert steps.state(own_sample) == "TestPassed"  # a sample waits for its own result


def test_results_that_decide_nothing_are_refused(steps: Steps, grow: Grow) -> None:
    item = grow.item()
    sample = steps.sample(stock(grow, item=item), item)
    with pytest.raises(RuleViolation, match="informational tests only") as raised:
        steps.record(sample, reported("CBN"), reported("Terpenes"))
    assert raised.value.field == ("results",)
    with pytest.raises(RuleViolation, match="reports a level") as raised:
        steps.record(sample, reported("Moisture Content", level=None))
    assert raised.value.field == ("results", 0, "level")


def test_a_lab_at_another_facility_releases_to_the_tested_package_where_it_is(
    ledger: Ledger, store: Store, grow: Grow
) -> None:
    """A sample that reached a lab (as a lab sample transfer will bring it): the release moves
    the tested package at its own facility, which lists the result and audits the change."""
    item = grow.item()
    source = stock(grow, item=item, lab_testing_state="SubmittedForTesting")
    testing_lab = Grow.start(ledger, store, "Testing Lab")
    sample = stock(testing_lab, "1", item=testing_lab.item(), is_testing_sample=True)
    with store.transaction() as session:
        at_lab = labelled(session, sample)
        tested = labelled(session, source)
        session.add(
            PackageSource(
                facility_id=at_lab.facility_id,
                package_id=at_lab.id,
                source_package_id=tested.id,
                quantity=Decimal(1),
                unit_of_measure_name="Grams",
            )
        )
    with store.transaction() as session:
        lab_facility = session.get(Facility, testing_lab.facility.id)
        assert lab_facility is not None
        results = service.SampleResults(
            label=sample,
            result_date=date.fromisoformat(testing_lab.today),
            results=(reported("THC"),),
        )
        lab_test = service.record_results(session, CLI, lab_facility, results)
        service.release_results(session, CLI, lab_facility, service.Release(sample))
        lab_test_id = lab_test.id
    with store.read() as session:
        tested = labelled(session, source)
        assert tested.lab_testing_state == "TestPassed"
        owner = session.get(Facility, grow.facility.id)
        assert owner is not None
        listed = queries.results(owner, tested).source
        [line] = session.scalars(listed)
        assert line.lab_test_id == lab_test_id
        assert line.lab_license_number == testing_lab.license
        link = session.scalars(
            select(LabTestPackage).where(LabTestPackage.package_id == tested.id)
        ).one()
        assert link.facility_id == grow.facility.id
        changed = session.scalars(
            select(AuditEvent).where(
                AuditEvent.entity_type == Package.__tablename__,
                AuditEvent.entity_id == tested.id,
                AuditEvent.action == "lab test result",
            )
        ).one()
        assert changed.facility_id == grow.facility.id
        assert changed.after is not None and changed.after["lab_testing_state"] == "TestPassed"
