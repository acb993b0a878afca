"""Lab tests: the results a lab records for a sample package, their release, the lab's
documents, and how a package's lab testing state moves with them.

What a lab tests is a sample: a testing package drawn from a source (POST /packages/v2/testing
from packages, POST /harvests/v2/packages/testing from harvests). The lab testing states
(`reference.LAB_TEST_STATES`) move so:

- a sample is made: the sample starts SubmittedForTesting, and each source package that was
  NotSubmitted becomes SubmittedForTesting (a source already tested, failed or treated keeps
  its state: that state says what the coming result will be, a first test or a retest);
- results are recorded, by a facility whose type may test packages (CanTestPackages), for a
  sample at that facility: the sample takes the state the results imply. The results pass when
  every test that decides passes (informational tests and tests that always pass inform, they
  do not decide): TestPassed, else TestFailed; for a retest, RetestPassed or RetestFailed; an
  R&D test alone gives RandDCompleted. A retest is the test of a lot that failed before: a
  source package that is TestFailed, RetestFailed, Remediated or Decontaminated, or a source
  harvest with a failed result released already. The results are recorded unreleased, and the
  tested lot does not move yet;
- the lab releases the results: the tested packages (the sample's source packages) take the
  state, and so does every package made from them after the sample was drawn (`PackageSource`
  walked forward, through as many packages as lie between) that still carries the state its
  source carried before the release and that is the same product with every source now in the
  released state, the rule a new package inherits its sources' state by (`inherited_state`).
  A package made after the release inherits the released state by that rule when it is made.
  For a sample drawn from a harvest, the packages drawn from that harvest after the sample (and
  what was made from them) take it. An R&D result moves no package but its sample.

Other moves are the packages' own: a failed package that is remediated becomes Remediated (or
Decontaminated) and waits for its retest (domain/services/package_inventory.py); what may leave
the facility is the gate's question (domain/services/package_gate.py), which reads the state.
TestingInProgress, AwaitingConfirmation, SelectedForRandomTesting, NotRequired and
ProcessValidated are listed states that no service sets yet.

A sample takes one set of results. Documents are PDF files (read from their bytes), at most
5 MB once decoded; a document belongs to the facility that uploaded it. Results apply to the
packages `LabTestPackage` links them to: the sample from the recording on, the tested packages
and their descendants from the release on; each package's facility lists them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session, aliased

from leafledger.domain.actor import Actor
from leafledger.domain.errors import RuleViolation
from leafledger.domain.models import (
    Facility,
    Item,
    LabTest,
    LabTestDocument,
    LabTestPackage,
    LabTestResult,
    Package,
    PackageSource,
)
from leafledger.domain.models.base import utcnow
from leafledger.domain.reference import (
    LAB_TEST_BATCHES,
    LAB_TEST_TYPES,
    LabTestType,
    find_named,
)
from leafledger.domain.services.audit import changed, record_created, record_new
from leafledger.domain.services.items import PDF, decode_upload, sniff, upload_name
from leafledger.domain.services.lookups import facility_today, not_future
from leafledger.domain.services.package_stock import package_labelled, require_capability

NOT_SUBMITTED = "NotSubmitted"
SUBMITTED = "SubmittedForTesting"
RESEARCH_DONE = "RandDCompleted"
# The state results imply: (first test, retest), by whether they passed.
OUTCOMES = {True: ("TestPassed", "RetestPassed"), False: ("TestFailed", "RetestFailed")}
# The states of a lot whose next result is a retest: it failed, or was treated after failing.
RETESTED = frozenset({"TestFailed", "RetestFailed", "Remediated", "Decontaminated"})
# Tests one set of results may report: far more than any lab's report has.
MAX_RESULTS = 100


# --- inheritance and samples -----------------------------------------------------------------


def inherited_state(states: Iterable[str], categories: Iterable[str | None], category: str) -> str:
    """The lab testing state a new package of `category` takes from its sources' `states`
    and item `categories`: theirs when they share one and are all of that category (a failed
    product stays failed when repackaged), else NotSubmitted."""
    found, kinds = set(states), set(categories)
    return found.pop() if len(found) == 1 and kinds == {category} else NOT_SUBMITTED


def submit_sources(session: Session, actor: Actor, sources: Sequence[Package]) -> None:
    """A sample was drawn from `sources`: those not submitted yet now are."""
    for source in dict.fromkeys(sources):
        if source.lab_testing_state == NOT_SUBMITTED:
            _set_state(session, actor, source, SUBMITTED, "submit for testing")


def inherit_results(
    session: Session, actor: Actor, package: Package, sources: Sequence[Package]
) -> None:
    """A new package that took its sources' lab testing state (`inherited_state`) carries the
    released results that gave them that state: its results list shows them."""
    if package.lab_testing_state == NOT_SUBMITTED:
        return
    given = session.scalars(
        select(LabTestPackage.lab_test_id.distinct())
        .join(LabTest, LabTest.id == LabTestPackage.lab_test_id)
        .where(
            LabTestPackage.package_id.in_(sorted({source.id for source in sources})),
            LabTest.released_at.is_not(None),
            LabTest.outcome == package.lab_testing_state,
        )
        .order_by(LabTestPackage.lab_test_id)
    ).all()
    for lab_test_id in given:
        _link(session, actor, lab_test_id, package)


def _link(session: Session, actor: Actor, lab_test_id: int, package: Package) -> None:
    link = LabTestPackage(
        facility_id=package.facility_id, lab_test_id=lab_test_id, package_id=package.id
    )
    session.add(link)
    record_created(session, actor, link, "create", package.facility_id)


def _set_state(session: Session, actor: Actor, package: Package, state: str, action: str) -> None:
    facility = session.get(Facility, package.facility_id)
    when = facility_today(facility) if facility is not None else None
    changed(
        session,
        actor,
        package,
        action,
        package.facility_id,
        lab_testing_state=state,
        lab_testing_state_date=when,
    )


# --- commands --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportedTest:
    """The result of one test: its type (by name), whether it passed, the level measured."""

    test_type: str
    passed: bool
    level: Decimal | None = None
    notes: str | None = None


@dataclass(frozen=True, kw_only=True)
class Document:
    """A PDF document, base64-encoded (`document`), and the name it is kept under."""

    document_file_name: str | None = None
    document: str | None = None


@dataclass(frozen=True, kw_only=True)
class SampleResults(Document):
    """The results of the tests of the sample package labelled `label`, on `result_date`."""

    label: str
    result_date: date
    results: Sequence[ReportedTest] = ()


@dataclass(frozen=True)
class Release:
    """Release the results recorded for the sample labelled `label`."""

    label: str


@dataclass(frozen=True, kw_only=True)
class DocumentChange(Document):
    """A new document for results recorded already."""

    lab_test: LabTest


# --- recording -------------------------------------------------------------------------------


def _sample(session: Session, facility: Facility, label: str) -> Package:
    """The facility's sample package labelled `label` (locked)."""
    sample = package_labelled(session, facility, label)
    if not sample.is_testing_sample:
        raise RuleViolation(
            f"Package {sample.label} is not a lab sample; results are recorded for packages "
            "made for testing.",
            field="label",
        )
    if sample.archived_date is not None:
        raise RuleViolation(f"Package {sample.label} is discontinued.", field="label")
    return sample


def _test_type(outcome: ReportedTest, index: int) -> LabTestType:
    at = ("results", index)
    found = find_named(LAB_TEST_TYPES, outcome.test_type) if outcome.test_type else None
    if found is None:
        raise RuleViolation(
            f"unknown lab test type {outcome.test_type!r}; the lab test types list the known ones.",
            field=(*at, "test_type"),
        )
    if outcome.level is not None and (not outcome.level.is_finite() or outcome.level < 0):
        raise RuleViolation(
            f"{{field}} must be zero or more, got {outcome.level}.", field=(*at, "level")
        )
    if found.requires_test_result and outcome.level is None:
        raise RuleViolation(f"the test {found.name!r} reports a level.", field=(*at, "level"))
    return found


def _outcomes(command: SampleResults) -> list[tuple[LabTestType, ReportedTest]]:
    if not command.results:
        raise RuleViolation("{field} must report at least one test.", field="results")
    if len(command.results) > MAX_RESULTS:
        raise RuleViolation(
            f"{{field}} may report at most {MAX_RESULTS} tests, got {len(command.results)}.",
            field="results",
        )
    checked: list[tuple[LabTestType, ReportedTest]] = []
    for index, outcome in enumerate(command.results):
        test_type = _test_type(outcome, index)
        if any(seen.id == test_type.id for seen, _ in checked):
            raise RuleViolation(
                f"the test {test_type.name!r} is reported twice.", field=("results", index)
            )
        checked.append((test_type, outcome))
    return checked


def _check_required(sample: Package, reported: set[str]) -> None:
    """Every lab test batch the sample is required to be tested by is reported: each of its
    tests, or for a batch that needs only some, at least one of them."""
    for name in sample.required_lab_test_batches or ():
        batch = find_named(LAB_TEST_BATCHES, name)
        if batch is None:
            continue
        missing = [test for test in batch.lab_test_type_names if test not in reported]
        if batch.requires_all and missing:
            needed = f"{', '.join(missing)} missing"
        elif not batch.requires_all and len(missing) == len(batch.lab_test_type_names):
            needed = f"one of {', '.join(missing)} needed"
        else:
            continue
        raise RuleViolation(
            f"sample {sample.label} must be tested by the lab test batch {batch.name!r} "
            f"({needed}).",
            field="results",
        )


def _decides(test_type: LabTestType) -> bool:
    return not (
        test_type.informational_only
        or test_type.always_passes
        or test_type.research_and_development
    )


def _source_draws(session: Session, sample: Package) -> list[PackageSource]:
    return list(
        session.scalars(
            select(PackageSource)
            .where(PackageSource.package_id == sample.id)
            .order_by(PackageSource.id)
        )
    )


def _failed_before(session: Session, harvest_ids: set[int]) -> bool:
    """Whether a sample drawn from one of the harvests has failed results released."""
    if not harvest_ids:
        return False
    drawn = aliased(PackageSource)
    failed = exists().where(
        drawn.package_id == LabTest.sample_package_id,
        drawn.source_harvest_id.in_(sorted(harvest_ids)),
        LabTest.released_at.is_not(None),
        LabTest.overall_passed.is_(False),
    )
    return bool(session.scalar(select(failed)))


def _is_retest(session: Session, draws: list[PackageSource]) -> bool:
    package_ids = sorted({d.source_package_id for d in draws if d.source_package_id})
    harvest_ids = {d.source_harvest_id for d in draws if d.source_harvest_id is not None}
    if package_ids:
        retested = exists().where(
            Package.id.in_(package_ids), Package.lab_testing_state.in_(sorted(RETESTED))
        )
        if session.scalar(select(retested)):
            return True
    return _failed_before(session, harvest_ids)


def _outcome(checked: list[tuple[LabTestType, ReportedTest]], retest: bool) -> tuple[str, bool]:
    """The state the results imply and whether they passed."""
    deciding = [outcome.passed for test_type, outcome in checked if _decides(test_type)]
    if deciding:
        passed = all(deciding)
        return OUTCOMES[passed][retest], passed
    if any(test_type.research_and_development for test_type, _ in checked):
        return RESEARCH_DONE, True
    raise RuleViolation(
        "{field} report informational tests only; at least one test must pass or fail.",
        field="results",
    )


def _stored_document(
    session: Session, actor: Actor, facility: Facility, command: Document, *, required: bool
) -> LabTestDocument | None:
    """The command's document, stored; PDF only, read from its bytes."""
    if command.document is None and command.document_file_name is None and not required:
        return None
    name = upload_name(command.document_file_name, "document_file_name")
    content = decode_upload(command.document, "document")
    if sniff(content) is not PDF:
        raise RuleViolation(
            f"the content of {name!r} is not a PDF document; lab results are PDF files.",
            field="document",
        )
    if not name.lower().endswith(PDF.extensions):
        raise RuleViolation(
            f"{name!r} holds a PDF document; its name must end in .pdf.",
            field="document_file_name",
        )
    document = LabTestDocument(
        facility_id=facility.id,
        file_name=name,
        content_type=PDF.content_type,
        size=len(content),
        content=content,
    )
    record_new(
        session, actor, document, facility.id, action="upload", exclude=frozenset({"content"})
    )
    return document


def record_results(
    session: Session, actor: Actor, facility: Facility, command: SampleResults
) -> LabTest:
    """Record the results of a sample's tests: the sample takes the state they imply."""
    require_capability(facility, "CanTestPackages", "record lab test results")
    sample = _sample(session, facility, command.label)
    earlier = session.scalars(
        select(LabTest.id).where(LabTest.sample_package_id == sample.id).limit(1)
    ).first()
    if earlier is not None:
        raise RuleViolation(
            f"results were recorded for sample {sample.label} already (lab test result "
            f"{earlier}); a retest is made on a new sample.",
            field="label",
        )
    when = not_future(facility, command.result_date, "result_date")
    if when < sample.packaged_date:
        raise RuleViolation(
            f"the sample {sample.label} was made on {sample.packaged_date.isoformat()}, after "
            f"this result date.",
            field="result_date",
        )
    checked = _outcomes(command)
    _check_required(sample, {test_type.name for test_type, _ in checked})
    state, passed = _outcome(checked, _is_retest(session, _source_draws(session, sample)))
    document = _stored_document(session, actor, facility, command, required=False)
    test = LabTest(
        facility_id=facility.id,
        sample_package_id=sample.id,
        result_date=when,
        overall_passed=passed,
        is_retest=state in (OUTCOMES[True][1], OUTCOMES[False][1]),
        outcome=state,
        document_id=None if document is None else document.id,
    )
    record_new(session, actor, test, facility.id)
    for test_type, outcome in checked:
        line = LabTestResult(
            facility_id=facility.id,
            lab_test_id=test.id,
            lab_test_type_name=test_type.name,
            level=outcome.level,
            passed=outcome.passed,
            informational_only=test_type.informational_only,
            notes=(outcome.notes or "").strip() or None,
        )
        session.add(line)
        record_created(session, actor, line, "create", facility.id)
    _link(session, actor, test.id, sample)
    _set_state(session, actor, sample, state, "lab test result")
    return test


def replace_document(
    session: Session, actor: Actor, facility: Facility, command: DocumentChange
) -> LabTestDocument:
    """A new document for a lab test of this facility (the earlier one is kept)."""
    require_capability(facility, "CanTestPackages", "record lab test results")
    document = _stored_document(session, actor, facility, command, required=True)
    if document is None:
        raise RuntimeError("a required document was not stored")
    changed(session, actor, command.lab_test, "document", facility.id, document_id=document.id)
    return document


# --- release and propagation -----------------------------------------------------------------


def release_results(
    session: Session, actor: Actor, facility: Facility, command: Release
) -> LabTest:
    """Release the results recorded for a sample: its tested lot and what was made from it
    after the sample take the state they imply (see the module docstring)."""
    require_capability(facility, "CanTestPackages", "release lab test results")
    sample = _sample(session, facility, command.label)
    test = session.scalars(
        select(LabTest)
        .where(LabTest.sample_package_id == sample.id, LabTest.facility_id == facility.id)
        .with_for_update()
    ).first()
    if test is None:
        raise RuleViolation(
            f"no lab test results were recorded for sample {sample.label} here.", field="label"
        )
    if test.released_at is not None:
        raise RuleViolation(
            f"the results of sample {sample.label} were released already.", field="label"
        )
    changed(session, actor, test, "release", facility.id, released_at=utcnow())
    _propagate(session, actor, test, _source_draws(session, sample))
    return test


@dataclass
class _Walk:
    """What a release reads of the packages its result may reach: the packages themselves
    (their states change as the walk goes), the sources of each package made after the sample,
    and the state and item category of every package involved, sources included."""

    packages: dict[int, Package]
    sources: dict[int, list[PackageSource]]
    states: dict[int, str]
    categories: dict[int, str | None]

    def state_of(self, package_id: int) -> str:
        package = self.packages.get(package_id)
        return package.lab_testing_state if package is not None else self.states[package_id]


def _descendants(
    session: Session, draws: list[PackageSource], package_ids: list[int], harvest_ids: list[int]
) -> list[int]:
    """The packages made from the tested lot after the sample was drawn (`draws`), and what
    was made from those, oldest first; samples excluded. One statement."""
    drawn_after = min(draw.id for draw in draws)
    first = (
        select(PackageSource.package_id)
        .where(
            or_(
                PackageSource.source_package_id.in_(package_ids),
                PackageSource.source_harvest_id.in_(harvest_ids),
            ),
            PackageSource.id > drawn_after,
        )
        .cte("made_after", recursive=True)
    )
    step = aliased(PackageSource)
    walk = first.union(
        select(step.package_id).join(first, step.source_package_id == first.c.package_id)
    )
    found = select(Package.id).where(
        Package.id.in_(select(walk.c.package_id)), Package.is_testing_sample.is_(False)
    )
    return list(session.scalars(found.order_by(Package.id)))


def _walk(session: Session, tested: list[int], descendants: list[int]) -> _Walk:
    """The tested packages and their descendants (locked), the descendants' sources, and the
    states and categories of all of them, in three statements."""
    packages = {
        package.id: package
        for package in session.scalars(
            select(Package).where(Package.id.in_(tested + descendants)).with_for_update()
        )
    }
    sources: dict[int, list[PackageSource]] = {package_id: [] for package_id in descendants}
    for source in session.scalars(
        select(PackageSource).where(PackageSource.package_id.in_(descendants))
    ):
        sources[source.package_id].append(source)
    wanted = set(descendants) | {
        s.source_package_id for rows in sources.values() for s in rows if s.source_package_id
    }
    states: dict[int, str] = {}
    categories: dict[int, str | None] = {}
    for package_id, state, category in session.execute(
        select(Package.id, Package.lab_testing_state, Item.category_name)
        .join(Item, Item.id == Package.item_id)
        .where(Package.id.in_(sorted(wanted)))
    ):
        states[package_id], categories[package_id] = state, category
    return _Walk(packages, sources, states, categories)


def _takes_result(
    walk: _Walk,
    package: Package,
    carried: set[str],
    state: str,
    harvests: tuple[set[int], int],
) -> bool:
    """Whether a package made after the sample takes the released `state`: it still carries
    what the tested lot carried (`carried`), and its sources now are all in `state` and of its
    category (harvest sources: the tested harvests, drawn after the sample)."""
    if package.lab_testing_state not in carried:
        return False
    tested_harvests, drawn_after = harvests
    rows = walk.sources.get(package.id, [])
    from_packages = [row.source_package_id for row in rows if row.source_package_id]
    from_harvests = [row for row in rows if row.source_harvest_id is not None]
    if from_harvests:
        return len(from_harvests) == len(rows) and all(
            row.source_harvest_id in tested_harvests and row.id > drawn_after
            for row in from_harvests
        )
    category = walk.categories.get(package.id)
    return category is not None and (
        inherited_state(
            [walk.state_of(source) for source in from_packages],
            [walk.categories.get(source) for source in from_packages],
            category,
        )
        == state
    )


def _propagate(session: Session, actor: Actor, test: LabTest, draws: list[PackageSource]) -> None:
    tested = sorted({draw.source_package_id for draw in draws if draw.source_package_id})
    harvests = {draw.source_harvest_id for draw in draws if draw.source_harvest_id is not None}
    descendants = _descendants(session, draws, tested, sorted(harvests)) if draws else []
    walk = _walk(session, tested, descendants)
    carried = {walk.packages[package_id].lab_testing_state for package_id in tested}
    if harvests:
        carried.add(NOT_SUBMITTED)
    decides = test.outcome != RESEARCH_DONE
    for package_id in tested:
        package = walk.packages[package_id]
        _link(session, actor, test.id, package)
        if decides:
            _set_state(session, actor, package, test.outcome, "lab test result")
    if not decides:
        return
    after = (harvests, min(draw.id for draw in draws))
    for package_id in descendants:
        package = walk.packages[package_id]
        if _takes_result(walk, package, carried, test.outcome, after):
            _link(session, actor, test.id, package)
            _set_state(session, actor, package, test.outcome, "lab test result")
