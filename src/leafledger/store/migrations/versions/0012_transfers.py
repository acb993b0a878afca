"""transfers: templates, licensed and external incoming transfers, their deliveries,
transporters (legs, hubs, drivers) and packages

- transfers: a manifest or a template, owned by the facility that keeps it (the shipper, or
  the receiver of an external incoming transfer, whose shipper is described by its columns);
- transfer_deliveries: one destination of a transfer (a recipient facility, a transfer type);
- transfer_transporters: the legs of a delivery (a transporter facility; at a layover, the
  hub's steps); transfer_drivers: the drivers and vehicles of each leg;
- transfer_template_packages: the packages a template plans to send;
- package_shipments: now one package of one delivery (delivery_id), with the shortage found
  and the reason of a rejection at receipt. No code wrote shipments before this revision (the
  lists that read them were empty until transfers), so the new column is required at once;
- packages: in_transit, set while a package travels (false for the packages already there).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 22:03:31.768056
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import leafledger.domain.models.base

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "transfers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("manifest_number", sa.String(length=32), nullable=True),
        sa.Column("template_id", sa.Integer(), nullable=True),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.Column(
            "departed_at", leafledger.domain.models.base.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "voided_at", leafledger.domain.models.base.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "archived_at", leafledger.domain.models.base.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column("shipper_license_number", sa.String(length=64), nullable=True),
        sa.Column("shipper_name", sa.String(length=200), nullable=True),
        sa.Column("shipper_main_phone_number", sa.String(length=64), nullable=True),
        sa.Column("shipper_address1", sa.String(length=200), nullable=True),
        sa.Column("shipper_address2", sa.String(length=200), nullable=True),
        sa.Column("shipper_address_city", sa.String(length=200), nullable=True),
        sa.Column("shipper_address_state", sa.String(length=64), nullable=True),
        sa.Column("shipper_address_postal_code", sa.String(length=64), nullable=True),
        sa.Column(
            "created_at", leafledger.domain.models.base.UtcDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "last_modified",
            leafledger.domain.models.base.UtcDateTime(timezone=True),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"], ["users.id"], name=op.f("fk_transfers_created_by_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["facility_id"], ["facilities.id"], name=op.f("fk_transfers_facility_id_facilities")
        ),
        sa.ForeignKeyConstraint(
            ["template_id"], ["transfers.id"], name=op.f("fk_transfers_template_id_transfers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfers")),
        sa.UniqueConstraint("manifest_number", name=op.f("uq_transfers_manifest_number")),
    )
    with op.batch_alter_table("transfers", schema=None) as batch_op:
        batch_op.create_index(
            "ix_transfers_facility_kind", ["facility_id", "kind", "id"], unique=False
        )

    op.create_table(
        "transfer_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("transfer_id", sa.Integer(), nullable=False),
        sa.Column("delivery_number", sa.Integer(), nullable=False),
        sa.Column("recipient_facility_id", sa.Integer(), nullable=False),
        sa.Column("transfer_type_name", sa.String(length=64), nullable=False),
        sa.Column("invoice_number", sa.String(length=100), nullable=True),
        sa.Column("planned_route", sa.String(length=1000), nullable=True),
        sa.Column(
            "estimated_departure_at",
            leafledger.domain.models.base.UtcDateTime(timezone=True),
            nullable=False,
        ),
        sa.Column(
            "estimated_arrival_at",
            leafledger.domain.models.base.UtcDateTime(timezone=True),
            nullable=False,
        ),
        sa.Column(
            "gross_weight",
            leafledger.domain.models.base.Quantity(precision=28, scale=10),
            nullable=True,
        ),
        sa.Column("gross_unit", sa.String(length=32), nullable=True),
        sa.Column(
            "departed_at", leafledger.domain.models.base.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "received_at", leafledger.domain.models.base.UtcDateTime(timezone=True), nullable=True
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
            name=op.f("fk_transfer_deliveries_facility_id_facilities"),
        ),
        sa.ForeignKeyConstraint(
            ["recipient_facility_id"],
            ["facilities.id"],
            name=op.f("fk_transfer_deliveries_recipient_facility_id_facilities"),
        ),
        sa.ForeignKeyConstraint(
            ["transfer_id"],
            ["transfers.id"],
            name=op.f("fk_transfer_deliveries_transfer_id_transfers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfer_deliveries")),
    )
    with op.batch_alter_table("transfer_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_transfer_deliveries_facility", ["facility_id", "id"], unique=False
        )
        batch_op.create_index(
            "ix_transfer_deliveries_recipient", ["recipient_facility_id", "id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_transfer_deliveries_transfer_id"), ["transfer_id"], unique=False
        )

    op.create_table(
        "transfer_transporters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("transporter_facility_id", sa.Integer(), nullable=False),
        sa.Column("phone_number", sa.String(length=64), nullable=True),
        sa.Column("is_layover", sa.Boolean(), server_default=sa.false(), nullable=False),
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
        sa.Column("hub_state", sa.String(length=16), nullable=True),
        sa.Column(
            "hub_arrived_at",
            leafledger.domain.models.base.UtcDateTime(timezone=True),
            nullable=True,
        ),
        sa.Column(
            "hub_checked_in_at",
            leafledger.domain.models.base.UtcDateTime(timezone=True),
            nullable=True,
        ),
        sa.Column(
            "hub_checked_out_at",
            leafledger.domain.models.base.UtcDateTime(timezone=True),
            nullable=True,
        ),
        sa.Column(
            "hub_departed_at",
            leafledger.domain.models.base.UtcDateTime(timezone=True),
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
            ["delivery_id"],
            ["transfer_deliveries.id"],
            name=op.f("fk_transfer_transporters_delivery_id_transfer_deliveries"),
        ),
        sa.ForeignKeyConstraint(
            ["facility_id"],
            ["facilities.id"],
            name=op.f("fk_transfer_transporters_facility_id_facilities"),
        ),
        sa.ForeignKeyConstraint(
            ["transporter_facility_id"],
            ["facilities.id"],
            name=op.f("fk_transfer_transporters_transporter_facility_id_facilities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfer_transporters")),
    )
    with op.batch_alter_table("transfer_transporters", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_transfer_transporters_delivery_id"), ["delivery_id"], unique=False
        )
        batch_op.create_index(
            "ix_transfer_transporters_hub",
            ["transporter_facility_id", "is_layover", "id"],
            unique=False,
        )

    op.create_table(
        "transfer_drivers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("transporter_id", sa.Integer(), nullable=False),
        sa.Column("driver_id", sa.Integer(), nullable=False),
        sa.Column("vehicle_id", sa.Integer(), nullable=False),
        sa.Column("layover_leg", sa.String(length=32), nullable=True),
        sa.Column(
            "created_at", leafledger.domain.models.base.UtcDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "last_modified",
            leafledger.domain.models.base.UtcDateTime(timezone=True),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["driver_id"], ["drivers.id"], name=op.f("fk_transfer_drivers_driver_id_drivers")
        ),
        sa.ForeignKeyConstraint(
            ["facility_id"],
            ["facilities.id"],
            name=op.f("fk_transfer_drivers_facility_id_facilities"),
        ),
        sa.ForeignKeyConstraint(
            ["transporter_id"],
            ["transfer_transporters.id"],
            name=op.f("fk_transfer_drivers_transporter_id_transfer_transporters"),
        ),
        sa.ForeignKeyConstraint(
            ["vehicle_id"], ["vehicles.id"], name=op.f("fk_transfer_drivers_vehicle_id_vehicles")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfer_drivers")),
    )
    with op.batch_alter_table("transfer_drivers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_transfer_drivers_transporter_id"), ["transporter_id"], unique=False
        )

    op.create_table(
        "transfer_template_packages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("package_id", sa.Integer(), nullable=False),
        sa.Column(
            "wholesale_price",
            leafledger.domain.models.base.Quantity(precision=28, scale=10),
            nullable=True,
        ),
        sa.Column(
            "gross_weight",
            leafledger.domain.models.base.Quantity(precision=28, scale=10),
            nullable=True,
        ),
        sa.Column("gross_unit", sa.String(length=32), nullable=True),
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
            ["transfer_deliveries.id"],
            name=op.f("fk_transfer_template_packages_delivery_id_transfer_deliveries"),
        ),
        sa.ForeignKeyConstraint(
            ["facility_id"],
            ["facilities.id"],
            name=op.f("fk_transfer_template_packages_facility_id_facilities"),
        ),
        sa.ForeignKeyConstraint(
            ["package_id"],
            ["packages.id"],
            name=op.f("fk_transfer_template_packages_package_id_packages"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transfer_template_packages")),
    )
    with op.batch_alter_table("transfer_template_packages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_transfer_template_packages_delivery_id"), ["delivery_id"], unique=False
        )

    with op.batch_alter_table("package_shipments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("delivery_id", sa.Integer(), nullable=False))
        batch_op.add_column(
            sa.Column(
                "shortage",
                leafledger.domain.models.base.Quantity(precision=28, scale=10),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("rejection_reason", sa.String(length=1000), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_package_shipments_delivery_id"), ["delivery_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_package_shipments_delivery_id_transfer_deliveries"),
            "transfer_deliveries",
            ["delivery_id"],
            ["id"],
        )

    with op.batch_alter_table("packages", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("in_transit", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("packages", schema=None) as batch_op:
        batch_op.drop_column("in_transit")

    with op.batch_alter_table("package_shipments", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_package_shipments_delivery_id_transfer_deliveries"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_package_shipments_delivery_id"))
        batch_op.drop_column("rejection_reason")
        batch_op.drop_column("shortage")
        batch_op.drop_column("delivery_id")

    with op.batch_alter_table("transfer_template_packages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_transfer_template_packages_delivery_id"))

    op.drop_table("transfer_template_packages")
    with op.batch_alter_table("transfer_drivers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_transfer_drivers_transporter_id"))

    op.drop_table("transfer_drivers")
    with op.batch_alter_table("transfer_transporters", schema=None) as batch_op:
        batch_op.drop_index("ix_transfer_transporters_hub")
        batch_op.drop_index(batch_op.f("ix_transfer_transporters_delivery_id"))

    op.drop_table("transfer_transporters")
    with op.batch_alter_table("transfer_deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_transfer_deliveries_transfer_id"))
        batch_op.drop_index("ix_transfer_deliveries_recipient")
        batch_op.drop_index("ix_transfer_deliveries_facility")

    op.drop_table("transfer_deliveries")
    with op.batch_alter_table("transfers", schema=None) as batch_op:
        batch_op.drop_index("ix_transfers_facility_kind")

    op.drop_table("transfers")
