"""Lab tests: the results a lab records for a sample package, the documents that carry them,
and the packages each result applies to."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from leafledger.domain.models.base import Base, Timestamped


class LabTestDocument(Timestamped, Base):
    """A PDF document of lab results, kept in the database; it belongs to the facility that
    uploaded it."""

    __tablename__ = "lab_test_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"))
    file_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    content: Mapped[bytes] = mapped_column(LargeBinary)


class LabTest(Timestamped, Base):
    """One set of results recorded by a lab (`facility_id`) for one sample package.

    `outcome` is the lab testing state the results imply (TestPassed, TestFailed, RetestPassed,
    RetestFailed or RandDCompleted); the sample takes it when the results are recorded, the
    tested packages when they are released (`released_at`)."""

    __tablename__ = "lab_tests"

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"))
    sample_package_id: Mapped[int] = mapped_column(ForeignKey("packages.id"), index=True)
    result_date: Mapped[date]
    overall_passed: Mapped[bool]
    is_retest: Mapped[bool]
    outcome: Mapped[str] = mapped_column(String(32))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("lab_test_documents.id"))
    released_at: Mapped[datetime | None]


class LabTestResult(Timestamped, Base):
    """The result of one test of a lab test (a line of the lab's report)."""

    __tablename__ = "lab_test_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"))
    lab_test_id: Mapped[int] = mapped_column(ForeignKey("lab_tests.id"), index=True)
    lab_test_type_name: Mapped[str] = mapped_column(String(100))
    # The level measured (a potency, a count...), when the lab reports one.
    level: Mapped[Decimal | None]
    passed: Mapped[bool]
    # Whether the test informs only (it does not decide whether the sample passed).
    informational_only: Mapped[bool]
    notes: Mapped[str | None] = mapped_column(String(1000))


class LabTestPackage(Timestamped, Base):
    """A package a lab test's results apply to: its sample from the recording on, the tested
    packages and what was made from them from the release on. `facility_id` is the package's
    facility, which lists the results."""

    __tablename__ = "lab_test_packages"
    __table_args__ = (
        UniqueConstraint("lab_test_id", "package_id"),
        Index("ix_lab_test_packages_facility_package", "facility_id", "package_id", "lab_test_id"),
        # The results a new package takes from its sources are looked up by package alone.
        Index("ix_lab_test_packages_package", "package_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"))
    lab_test_id: Mapped[int] = mapped_column(ForeignKey("lab_tests.id"))
    package_id: Mapped[int] = mapped_column(ForeignKey("packages.id"))
