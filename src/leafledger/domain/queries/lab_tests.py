"""Lab test results, as both dialects read them: the results that apply to one package.

A result reads through `LabResultRow`: one test of a lab test (a line of the lab's report),
with its lab test's fields, the lab, the sample and its product, and the tested package's
label, for one package the lab test applies to (`LabTestPackage`), in one joined statement. The
results of a package are listed by the package's facility; the lab that recorded them may be
another facility. A page of results is that one statement, whatever its size.

A lab test result is AwaitingConfirmation until the lab releases it, then in the state its
results imply (`LabTest.outcome`): `LabResultRow.state`.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Mapped, Session, aliased

from leafledger.domain.models import (
    Facility,
    Item,
    LabTest,
    LabTestPackage,
    LabTestResult,
    Package,
    PackageSource,
)
from leafledger.domain.queries.base import Listed, ReadModel, owned

UNRELEASED = "AwaitingConfirmation"  # the state of a lab test result not released yet

_SAMPLE = aliased(Package, name="sample")
_TESTED = aliased(Package, name="tested")

# The label of the package a sample was drawn from (its first source package), if any.
_TESTED_LABEL = (
    select(_TESTED.label)
    .select_from(PackageSource)
    .join(_TESTED, _TESTED.id == PackageSource.source_package_id)
    .where(PackageSource.package_id == LabTest.sample_package_id)
    .order_by(PackageSource.id)
    .limit(1)
    .correlate(LabTest)
    .scalar_subquery()
)

_RESULT_ROWS = (
    select(
        LabTestResult.id,
        LabTestPackage.facility_id,
        LabTestPackage.package_id,
        LabTest.id.label("lab_test_id"),
        LabTestResult.lab_test_type_name,
        LabTestResult.level,
        LabTestResult.passed,
        LabTestResult.informational_only,
        LabTestResult.notes,
        LabTest.result_date,
        LabTest.overall_passed,
        LabTest.is_retest,
        LabTest.outcome,
        LabTest.document_id,
        LabTest.released_at,
        LabTest.created_at.label("recorded_at"),
        LabTest.last_modified,
        case((LabTest.released_at.is_(None), UNRELEASED), else_=LabTest.outcome).label("state"),
        Facility.id.label("lab_facility_id"),
        Facility.license_number.label("lab_license_number"),
        Facility.name.label("lab_name"),
        _SAMPLE.label.label("sample_label"),
        func.coalesce(_TESTED_LABEL, _SAMPLE.label).label("tested_label"),
        Item.name.label("product_name"),
        Item.category_name.label("product_category_name"),
    )
    .select_from(LabTestPackage)
    .join(LabTest, LabTest.id == LabTestPackage.lab_test_id)
    .join(LabTestResult, LabTestResult.lab_test_id == LabTest.id)
    .join(Facility, Facility.id == LabTest.facility_id)
    .join(_SAMPLE, _SAMPLE.id == LabTest.sample_package_id)
    .join(Item, Item.id == _SAMPLE.item_id)
    .subquery("lab_result_rows")
)


class LabResultRow(ReadModel):
    """One test of a lab test, for one package the lab test applies to."""

    __table__ = _RESULT_ROWS
    __mapper_args__ = {"primary_key": [_RESULT_ROWS.c.id, _RESULT_ROWS.c.package_id]}

    id: Mapped[int]
    facility_id: Mapped[int]
    package_id: Mapped[int]
    lab_test_id: Mapped[int]
    lab_test_type_name: Mapped[str]
    level: Mapped[Decimal | None]
    passed: Mapped[bool]
    informational_only: Mapped[bool]
    notes: Mapped[str | None]
    result_date: Mapped[date]
    overall_passed: Mapped[bool]
    is_retest: Mapped[bool]
    outcome: Mapped[str]
    document_id: Mapped[int | None]
    released_at: Mapped[datetime | None]
    recorded_at: Mapped[datetime]
    last_modified: Mapped[datetime]
    state: Mapped[str]
    lab_facility_id: Mapped[int]
    lab_license_number: Mapped[str]
    lab_name: Mapped[str]
    sample_label: Mapped[str]
    tested_label: Mapped[str]
    product_name: Mapped[str]
    product_category_name: Mapped[str]


def _of_package(facility: Facility, package: Package) -> Select[LabResultRow]:
    return (
        owned(LabResultRow, facility)
        .where(LabResultRow.package_id == package.id)
        .order_by(LabResultRow.lab_test_id, LabResultRow.id)
    )


def results(facility: Facility, package: Package) -> Listed:
    """The results that apply to one of the facility's packages, oldest lab test first, each
    lab test's tests in the order reported."""
    return Listed(_of_package(facility, package), modified=LabResultRow.last_modified)


@dataclass(frozen=True)
class LabTestRecord:
    """A lab test with its tests: `tests[0]` carries the lab test's own fields too."""

    tests: tuple[LabResultRow, ...]

    @property
    def lab_test(self) -> LabResultRow:
        return self.tests[0]


def lab_tests(
    session: Session, facility: Facility, package: Package, states: Collection[str] | None
) -> list[LabTestRecord]:
    """The lab tests that apply to one of the facility's packages, each with its tests, in
    one statement; with `states`, those whose lab test result is in one of them."""
    source = _of_package(facility, package)
    if states is not None:
        source = source.where(LabResultRow.state.in_(sorted(states)))
    grouped: dict[int, list[LabResultRow]] = {}
    for row in session.scalars(source):
        grouped.setdefault(row.lab_test_id, []).append(row)
    return [LabTestRecord(tuple(rows)) for rows in grouped.values()]


@dataclass(frozen=True)
class SampleResult:
    """What a lab sample's list shows of the results recorded for it."""

    lab_license_number: str
    lab_name: str
    overall_passed: bool
    result_date: date
    released_at: datetime | None


def sample_results(session: Session, sample_ids: Collection[int]) -> dict[int, SampleResult]:
    """The results recorded for each of these samples (a sample takes one set), by sample
    id, in one statement."""
    if not sample_ids:
        return {}
    rows = session.execute(
        select(
            LabTest.sample_package_id,
            Facility.license_number,
            Facility.name,
            LabTest.overall_passed,
            LabTest.result_date,
            LabTest.released_at,
        )
        .join(Facility, Facility.id == LabTest.facility_id)
        .where(LabTest.sample_package_id.in_(sorted(set(sample_ids))))
        .order_by(LabTest.id)
    )
    return {
        sample_id: SampleResult(licence, name, passed, performed, released)
        for sample_id, licence, name, passed, performed, released in rows
    }
