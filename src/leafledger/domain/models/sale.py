"""Retail sales: receipts, and the lines (transactions) each one sells from a package.

A receipt belongs to the facility that sold. Its sale time is kept as the facility's clock
showed it, without an offset (`sales_date_time`, a naive timestamp), with its calendar date
beside it (`sales_date`) for the lists that group or filter by day. A receipt is active until
it is voided (`active` false, `archived_at` set); a finalized one (`is_final`) takes no change
until it is unfinalized. Its external number, the point of sale's own, is unique among the
facility's active receipts.

A line names its package and keeps what was sold as posted (quantity and unit) beside what it
drew from the package in the package's own unit (`drawn_quantity`), so that a void or an
update gives back exactly what was taken. Money is kept as decimals, as quantities are.

Both dialects read these rows: Metrc's sales receipts and transactions, and Trace's sales.
`SalesReceiptCount` keeps how many active and voided receipts each facility has.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import DateTime, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from leafledger.domain.models.base import Base, JsonColumn, Timestamped

LICENCE_LENGTH = 64
EXTERNAL_NUMBER_LENGTH = 100


class SalesReceipt(Timestamped, Base):
    __tablename__ = "sales_receipts"
    __table_args__ = (
        # The active and inactive lists page by this index.
        Index("ix_sales_receipts_facility_active", "facility_id", "active", "id"),
        Index("ix_sales_receipts_facility_modified", "facility_id", "last_modified"),
        Index("ix_sales_receipts_facility_sold", "facility_id", "sales_date_time"),
        Index(
            "uq_sales_receipts_facility_external",
            "facility_id",
            "external_receipt_number",
            unique=True,
            sqlite_where=text("active AND external_receipt_number IS NOT NULL"),
            postgresql_where=text("active AND external_receipt_number IS NOT NULL"),
        ),
        # One receipt per day holds the lines posted by date (Metrc v1 transactions).
        Index(
            "uq_sales_receipts_facility_day_book",
            "facility_id",
            "sales_date",
            unique=True,
            sqlite_where=text("active AND by_date"),
            postgresql_where=text("active AND by_date"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"))
    external_receipt_number: Mapped[str | None] = mapped_column(String(EXTERNAL_NUMBER_LENGTH))
    # The facility's local time of the sale, without an offset, and its calendar date.
    sales_date_time: Mapped[datetime] = mapped_column(DateTime(timezone=False))
    sales_date: Mapped[date]
    # Consumer, Patient, Caregiver, ExternalPatient, NonResidentConsumer (CUSTOMER_TYPES).
    customer_type: Mapped[str] = mapped_column(String(32))
    patient_license_number: Mapped[str | None] = mapped_column(String(LICENCE_LENGTH))
    caregiver_license_number: Mapped[str | None] = mapped_column(String(LICENCE_LENGTH))
    identification_method: Mapped[str | None] = mapped_column(String(100))
    patient_registration_location_id: Mapped[int | None]
    # Kept up to date with the lines: what lists show without reading them.
    total_packages: Mapped[int] = mapped_column(default=0)
    total_price: Mapped[Decimal] = mapped_column(default=Decimal(0))
    is_final: Mapped[bool] = mapped_column(default=False)
    # Lines posted to a date rather than as a receipt (Metrc's v1 transactions endpoints).
    by_date: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    archived_at: Mapped[datetime | None]
    recorded_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class SalesTransaction(Timestamped, Base):
    """One line of a receipt: a quantity of one package, and what it cost."""

    __tablename__ = "sales_transactions"
    __table_args__ = (Index("ix_sales_transactions_receipt", "receipt_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"))
    receipt_id: Mapped[int] = mapped_column(ForeignKey("sales_receipts.id"))
    # Lines are made with their receipt, so that a request's receipts and lines are inserted
    # together in one flush (the receipt has no id until then).
    receipt: Mapped[SalesReceipt] = relationship()
    package_id: Mapped[int] = mapped_column(ForeignKey("packages.id"), index=True)
    # As sold, and as drawn from the package (in the package's unit).
    quantity: Mapped[Decimal]
    unit_of_measure_name: Mapped[str] = mapped_column(String(32))
    drawn_quantity: Mapped[Decimal]
    total_price: Mapped[Decimal]
    unit_thc_percent: Mapped[Decimal | None]
    unit_thc_content: Mapped[Decimal | None]
    unit_thc_content_unit: Mapped[str | None] = mapped_column(String(32))
    unit_weight: Mapped[Decimal | None]
    unit_weight_unit: Mapped[str | None] = mapped_column(String(32))
    invoice_number: Mapped[str | None] = mapped_column(String(100))
    price: Mapped[Decimal | None]
    excise_tax: Mapped[Decimal | None]
    city_tax: Mapped[Decimal | None]
    county_tax: Mapped[Decimal | None]
    municipal_tax: Mapped[Decimal | None]
    discount_amount: Mapped[Decimal | None]
    sub_total: Mapped[Decimal | None]
    sales_tax: Mapped[Decimal | None]
    # Retail ID QR code URLs of the units sold, when the point of sale scanned them.
    qr_codes: Mapped[list[str] | None] = mapped_column(JsonColumn)


class SalesReceiptCount(Base):
    """How many active (or voided) receipts a facility has: what the lists answer as their
    Total without counting a million rows. Kept in step by services/sales_counts.py."""

    __tablename__ = "sales_receipt_counts"

    facility_id: Mapped[int] = mapped_column(ForeignKey("facilities.id"), primary_key=True)
    active: Mapped[bool] = mapped_column(primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
