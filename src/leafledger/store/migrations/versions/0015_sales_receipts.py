"""sales receipts: receipts of retail sales and their lines (transactions)

- sales_receipts: one sale at a facility, its local sale time and date, customer, patient
  and caregiver, external receipt number (unique among the facility's active receipts), the
  finalized and voided states, and the totals of its lines; `by_date` marks the one receipt
  per day that holds lines posted by date (Metrc v1 transactions);
- sales_transactions: one line, a quantity of one package, as sold and as drawn from it;
- sales_receipt_counts: how many active and voided receipts each facility has.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 00:08:01.386200
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import leafledger.domain.models.base

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sales_receipts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("external_receipt_number", sa.String(length=100), nullable=True),
        sa.Column("sales_date_time", sa.DateTime(), nullable=False),
        sa.Column("sales_date", sa.Date(), nullable=False),
        sa.Column("customer_type", sa.String(length=32), nullable=False),
        sa.Column("patient_license_number", sa.String(length=64), nullable=True),
        sa.Column("caregiver_license_number", sa.String(length=64), nullable=True),
        sa.Column("identification_method", sa.String(length=100), nullable=True),
        sa.Column("patient_registration_location_id", sa.Integer(), nullable=True),
        sa.Column("total_packages", sa.Integer(), nullable=False),
        sa.Column(
            "total_price",
            leafledger.domain.models.base.Quantity(precision=28, scale=10),
            nullable=False,
        ),
        sa.Column("is_final", sa.Boolean(), nullable=False),
        sa.Column("by_date", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column(
            "archived_at", leafledger.domain.models.base.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column("recorded_by_user_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at", leafledger.domain.models.base.UtcDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "last_modified",
            leafledger.domain.models.base.UtcDateTime(timezone=True),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["facility_id"],
            ["facilities.id"],
            name=op.f("fk_sales_receipts_facility_id_facilities"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_user_id"],
            ["users.id"],
            name=op.f("fk_sales_receipts_recorded_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_receipts")),
    )
    with op.batch_alter_table("sales_receipts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_sales_receipts_facility_active", ["facility_id", "active", "id"], unique=False
        )
        batch_op.create_index(
            "ix_sales_receipts_facility_modified", ["facility_id", "last_modified"], unique=False
        )
        batch_op.create_index(
            "ix_sales_receipts_facility_sold", ["facility_id", "sales_date_time"], unique=False
        )
        batch_op.create_index(
            "uq_sales_receipts_facility_day_book",
            ["facility_id", "sales_date"],
            unique=True,
            sqlite_where=sa.text("active AND by_date"),
            postgresql_where=sa.text("active AND by_date"),
        )
        batch_op.create_index(
            "uq_sales_receipts_facility_external",
            ["facility_id", "external_receipt_number"],
            unique=True,
            sqlite_where=sa.text("active AND external_receipt_number IS NOT NULL"),
            postgresql_where=sa.text("active AND external_receipt_number IS NOT NULL"),
        )

    op.create_table(
        "sales_transactions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("receipt_id", sa.Integer(), nullable=False),
        sa.Column("package_id", sa.Integer(), nullable=False),
        sa.Column(
            "quantity",
            leafledger.domain.models.base.Quantity(precision=28, scale=10),
            nullable=False,
        ),
        sa.Column("unit_of_measure_name", sa.String(length=32), nullable=False),
        sa.Column(
            "drawn_quantity",
            leafledger.domain.models.base.Quantity(precision=28, scale=10),
            nullable=False,
        ),
        sa.Column(
            "total_price",
            leafledger.domain.models.base.Quantity(precision=28, scale=10),
            nullable=False,
        ),
        sa.Column(
            "unit_thc_percent",
            leafledger.domain.models.base.Quantity(precision=28, scale=10),
            nullable=True,
        ),
        sa.Column(
            "unit_thc_content",
            leafledger.domain.models.base.Quantity(precision=28, scale=10),
            nullable=True,
        ),
        sa.Column("unit_thc_content_unit", sa.String(length=32), nullable=True),
        sa.Column(
            "unit_weight",
            leafledger.domain.models.base.Quantity(precision=28, scale=10),
            nullable=True,
        ),
        sa.Column("unit_weight_unit", sa.String(length=32), nullable=True),
        sa.Column("invoice_number", sa.String(length=100), nullable=True),
        sa.Column(
            "price", leafledger.domain.models.base.Quantity(precision=28, scale=10), nullable=True
        ),
        sa.Column(
            "excise_tax",
            leafledger.domain.models.base.Quantity(precision=28, scale=10),
            nullable=True,
        ),
        sa.Column(
            "city_tax",
            leafledger.domain.models.base.Quantity(precision=28, scale=10),
            nullable=True,
        ),
        sa.Column(
            "county_tax",
            leafledger.domain.models.base.Quantity(precision=28, scale=10),
            nullable=True,
        ),
        sa.Column(
            "municipal_tax",
            leafledger.domain.models.base.Quantity(precision=28, scale=10),
            nullable=True,
        ),
        sa.Column(
            "discount_amount",
            leafledger.domain.models.base.Quantity(precision=28, scale=10),
            nullable=True,
        ),
        sa.Column(
            "sub_total",
            leafledger.domain.models.base.Quantity(precision=28, scale=10),
            nullable=True,
        ),
        sa.Column(
            "sales_tax",
            leafledger.domain.models.base.Quantity(precision=28, scale=10),
            nullable=True,
        ),
        sa.Column(
            "qr_codes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "created_at", leafledger.domain.models.base.UtcDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "last_modified",
            leafledger.domain.models.base.UtcDateTime(timezone=True),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["facility_id"],
            ["facilities.id"],
            name=op.f("fk_sales_transactions_facility_id_facilities"),
        ),
        sa.ForeignKeyConstraint(
            ["package_id"], ["packages.id"], name=op.f("fk_sales_transactions_package_id_packages")
        ),
        sa.ForeignKeyConstraint(
            ["receipt_id"],
            ["sales_receipts.id"],
            name=op.f("fk_sales_transactions_receipt_id_sales_receipts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_transactions")),
    )
    with op.batch_alter_table("sales_transactions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sales_transactions_package_id"), ["package_id"], unique=False
        )
        batch_op.create_index("ix_sales_transactions_receipt", ["receipt_id", "id"], unique=False)

    op.create_table(
        "sales_receipt_counts",
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["facility_id"],
            ["facilities.id"],
            name=op.f("fk_sales_receipt_counts_facility_id_facilities"),
        ),
        sa.PrimaryKeyConstraint("facility_id", "active", name=op.f("pk_sales_receipt_counts")),
    )


def downgrade() -> None:
    op.drop_table("sales_receipt_counts")
    with op.batch_alter_table("sales_transactions", schema=None) as batch_op:
        batch_op.drop_index("ix_sales_transactions_receipt")
        batch_op.drop_index(batch_op.f("ix_sales_transactions_package_id"))

    op.drop_table("sales_transactions")
    with op.batch_alter_table("sales_receipts", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_sales_receipts_facility_external",
            sqlite_where=sa.text("active AND external_receipt_number IS NOT NULL"),
            postgresql_where=sa.text("active AND external_receipt_number IS NOT NULL"),
        )
        batch_op.drop_index(
            "uq_sales_receipts_facility_day_book",
            sqlite_where=sa.text("active AND by_date"),
            postgresql_where=sa.text("active AND by_date"),
        )
        batch_op.drop_index("ix_sales_receipts_facility_sold")
        batch_op.drop_index("ix_sales_receipts_facility_modified")
        batch_op.drop_index("ix_sales_receipts_facility_active")

    op.drop_table("sales_receipts")
