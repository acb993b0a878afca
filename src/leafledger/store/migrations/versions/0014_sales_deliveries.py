"""sales deliveries: sales carried to the recipient, and retailer deliveries

- sales_deliveries: one sale delivered to one recipient (a consumer or a patient), its
  driver and vehicle, the hub that carries it if any, and its steps (departed, completed...);
- sales_delivery_lines: the packages of a sales delivery, with what was accepted or returned;
- retailer_deliveries: one trip of a vehicle carrying stock to sell on the way;
- retailer_delivery_packages: the stock a retailer delivery carries (planned, taken, on the
  road, sold, given back).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 00:07:48.003474
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import leafledger.domain.models.base

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "retailer_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column(
            "recorded_at", leafledger.domain.models.base.UtcDateTime(timezone=True), nullable=False
        ),
        sa.Column("driver_id", sa.Integer(), nullable=False),
        sa.Column("vehicle_id", sa.Integer(), nullable=False),
        sa.Column("phone_number", sa.String(length=64), nullable=True),
        sa.Column(
            "estimated_departure_at",
            leafledger.domain.models.base.UtcDateTime(timezone=True),
            nullable=True,
        ),
        sa.Column(
            "departed_at", leafledger.domain.models.base.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "restocked_at", leafledger.domain.models.base.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "ended_at", leafledger.domain.models.base.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "voided_at", leafledger.domain.models.base.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at", leafledger.domain.models.base.UtcDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "last_modified",
            leafledger.domain.models.base.UtcDateTime(timezone=True),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["users.id"],
            name=op.f("fk_retailer_deliveries_created_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["driver_id"], ["drivers.id"], name=op.f("fk_retailer_deliveries_driver_id_drivers")
        ),
        sa.ForeignKeyConstraint(
            ["facility_id"],
            ["facilities.id"],
            name=op.f("fk_retailer_deliveries_facility_id_facilities"),
        ),
        sa.ForeignKeyConstraint(
            ["vehicle_id"], ["vehicles.id"], name=op.f("fk_retailer_deliveries_vehicle_id_vehicles")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retailer_deliveries")),
    )
    with op.batch_alter_table("retailer_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_retailer_deliveries_facility_state", ["facility_id", "state", "id"], unique=False
        )

    op.create_table(
        "sales_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("retailer_delivery_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column(
            "sales_at", leafledger.domain.models.base.UtcDateTime(timezone=True), nullable=False
        ),
        sa.Column("customer_type", sa.String(length=32), nullable=False),
        sa.Column("patient_license_number", sa.String(length=64), nullable=True),
        sa.Column("consumer_id", sa.String(length=64), nullable=True),
        sa.Column("transporter_facility_id", sa.Integer(), nullable=True),
        sa.Column("driver_id", sa.Integer(), nullable=True),
        sa.Column("vehicle_id", sa.Integer(), nullable=True),
        sa.Column("phone_number", sa.String(length=64), nullable=True),
        sa.Column("recipient_name", sa.String(length=200), nullable=True),
        sa.Column("recipient_address_street1", sa.String(length=200), nullable=True),
        sa.Column("recipient_address_street2", sa.String(length=200), nullable=True),
        sa.Column("recipient_address_city", sa.String(length=200), nullable=True),
        sa.Column("recipient_address_county", sa.String(length=200), nullable=True),
        sa.Column("recipient_address_state", sa.String(length=64), nullable=True),
        sa.Column("recipient_address_postal_code", sa.String(length=64), nullable=True),
        sa.Column("recipient_zone_id", sa.String(length=64), nullable=True),
        sa.Column("planned_route", sa.String(length=1000), nullable=True),
        sa.Column(
            "estimated_departure_at",
            leafledger.domain.models.base.UtcDateTime(timezone=True),
            nullable=True,
        ),
        sa.Column(
            "estimated_arrival_at",
            leafledger.domain.models.base.UtcDateTime(timezone=True),
            nullable=True,
        ),
        sa.Column("is_hub", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column(
            "hub_accepted_at",
            leafledger.domain.models.base.UtcDateTime(timezone=True),
            nullable=True,
        ),
        sa.Column(
            "departed_at", leafledger.domain.models.base.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "id_verified_at",
            leafledger.domain.models.base.UtcDateTime(timezone=True),
            nullable=True,
        ),
        sa.Column(
            "arrived_at", leafledger.domain.models.base.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column("payment_type", sa.String(length=64), nullable=True),
        sa.Column(
            "completed_at", leafledger.domain.models.base.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "voided_at", leafledger.domain.models.base.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at", leafledger.domain.models.base.UtcDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "last_modified",
            leafledger.domain.models.base.UtcDateTime(timezone=True),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["users.id"],
            name=op.f("fk_sales_deliveries_created_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["driver_id"], ["drivers.id"], name=op.f("fk_sales_deliveries_driver_id_drivers")
        ),
        sa.ForeignKeyConstraint(
            ["facility_id"],
            ["facilities.id"],
            name=op.f("fk_sales_deliveries_facility_id_facilities"),
        ),
        sa.ForeignKeyConstraint(
            ["retailer_delivery_id"],
            ["retailer_deliveries.id"],
            name=op.f("fk_sales_deliveries_retailer_delivery_id_retailer_deliveries"),
        ),
        sa.ForeignKeyConstraint(
            ["transporter_facility_id"],
            ["facilities.id"],
            name=op.f("fk_sales_deliveries_transporter_facility_id_facilities"),
        ),
        sa.ForeignKeyConstraint(
            ["vehicle_id"], ["vehicles.id"], name=op.f("fk_sales_deliveries_vehicle_id_vehicles")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_deliveries")),
    )
    with op.batch_alter_table("sales_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_sales_deliveries_facility_sales_at", ["facility_id", "sales_at"], unique=False
        )
        batch_op.create_index(
            "ix_sales_deliveries_facility_state", ["facility_id", "state", "id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_sales_deliveries_retailer_delivery_id"),
            ["retailer_delivery_id"],
            unique=False,
        )

    op.create_table(
        "retailer_delivery_packages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("retailer_delivery_id", sa.Integer(), nullable=False),
        sa.Column("package_id", sa.Integer(), nullable=False),
        sa.Column(
            "quantity",
            leafledger.domain.models.base.Quantity(precision=28, scale=10),
            nullable=False,
        ),
        sa.Column("unit_of_measure_name", sa.String(length=32), nullable=False),
        sa.Column(
            "planned",
            leafledger.domain.models.base.Quantity(precision=28, scale=10),
            nullable=False,
        ),
        sa.Column(
            "total_price",
            leafledger.domain.models.base.Quantity(precision=28, scale=10),
            nullable=True,
        ),
        sa.Column(
            "taken", leafledger.domain.models.base.Quantity(precision=28, scale=10), nullable=False
        ),
        sa.Column(
            "on_road",
            leafledger.domain.models.base.Quantity(precision=28, scale=10),
            nullable=False,
        ),
        sa.Column(
            "sold", leafledger.domain.models.base.Quantity(precision=28, scale=10), nullable=False
        ),
        sa.Column(
            "given_back",
            leafledger.domain.models.base.Quantity(precision=28, scale=10),
            nullable=False,
        ),
        sa.Column("removed", sa.Boolean(), server_default=sa.false(), nullable=False),
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
            name=op.f("fk_retailer_delivery_packages_facility_id_facilities"),
        ),
        sa.ForeignKeyConstraint(
            ["package_id"],
            ["packages.id"],
            name=op.f("fk_retailer_delivery_packages_package_id_packages"),
        ),
        sa.ForeignKeyConstraint(
            ["retailer_delivery_id"],
            ["retailer_deliveries.id"],
            name=op.f("fk_retailer_delivery_packages_retailer_delivery_id_retailer_deliveries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retailer_delivery_packages")),
    )
    with op.batch_alter_table("retailer_delivery_packages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_retailer_delivery_packages_package_id"), ["package_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_retailer_delivery_packages_retailer_delivery_id"),
            ["retailer_delivery_id"],
            unique=False,
        )

    op.create_table(
        "sales_delivery_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("package_id", sa.Integer(), nullable=False),
        sa.Column(
            "quantity",
            leafledger.domain.models.base.Quantity(precision=28, scale=10),
            nullable=False,
        ),
        sa.Column("unit_of_measure_name", sa.String(length=32), nullable=False),
        sa.Column(
            "drawn", leafledger.domain.models.base.Quantity(precision=28, scale=10), nullable=False
        ),
        sa.Column(
            "total_amount",
            leafledger.domain.models.base.Quantity(precision=28, scale=10),
            nullable=False,
        ),
        sa.Column(
            "details",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("state", sa.String(length=16), nullable=True),
        sa.Column(
            "returned_quantity",
            leafledger.domain.models.base.Quantity(precision=28, scale=10),
            nullable=True,
        ),
        sa.Column("returned_unit_of_measure_name", sa.String(length=32), nullable=True),
        sa.Column(
            "returned",
            leafledger.domain.models.base.Quantity(precision=28, scale=10),
            nullable=True,
        ),
        sa.Column("return_reason", sa.String(length=100), nullable=True),
        sa.Column("return_reason_note", sa.String(length=1000), nullable=True),
        sa.Column(
            "created_at", leafledger.domain.models.base.UtcDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "last_modified",
            leafledger.domain.models.base.UtcDateTime(timezone=True),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["sales_deliveries.id"],
            name=op.f("fk_sales_delivery_lines_delivery_id_sales_deliveries"),
        ),
        sa.ForeignKeyConstraint(
            ["facility_id"],
            ["facilities.id"],
            name=op.f("fk_sales_delivery_lines_facility_id_facilities"),
        ),
        sa.ForeignKeyConstraint(
            ["package_id"],
            ["packages.id"],
            name=op.f("fk_sales_delivery_lines_package_id_packages"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_delivery_lines")),
    )
    with op.batch_alter_table("sales_delivery_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sales_delivery_lines_delivery_id"), ["delivery_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_sales_delivery_lines_package_id"), ["package_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("sales_delivery_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sales_delivery_lines_package_id"))
        batch_op.drop_index(batch_op.f("ix_sales_delivery_lines_delivery_id"))

    op.drop_table("sales_delivery_lines")
    with op.batch_alter_table("retailer_delivery_packages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_retailer_delivery_packages_retailer_delivery_id"))
        batch_op.drop_index(batch_op.f("ix_retailer_delivery_packages_package_id"))

    op.drop_table("retailer_delivery_packages")
    with op.batch_alter_table("sales_deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sales_deliveries_retailer_delivery_id"))
        batch_op.drop_index("ix_sales_deliveries_facility_state")
        batch_op.drop_index("ix_sales_deliveries_facility_sales_at")

    op.drop_table("sales_deliveries")
    with op.batch_alter_table("retailer_deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_retailer_deliveries_facility_state")

    op.drop_table("retailer_deliveries")
