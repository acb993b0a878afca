"""package counts: how many records each facility has on each package list

- package_counts: (facility, list) -> count, for the lists active, inactive, onhold,
  labsamples, intransit and transferred (services/package_counts.py keeps them), filled here
  from the packages and shipments already recorded.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 01:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# What puts a package on each list (queries/packages.py), as of this revision.
_PACKAGE_LISTS = {
    "active": "finished_date IS NULL AND in_transit = {false}",
    "inactive": "finished_date IS NOT NULL",
    "onhold": "is_on_hold = {true}",
    "labsamples": "is_testing_sample = {true}",
}


def upgrade() -> None:
    op.create_table(
        "package_counts",
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("list_name", sa.String(length=16), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["facility_id"],
            ["facilities.id"],
            name=op.f("fk_package_counts_facility_id_facilities"),
        ),
        sa.PrimaryKeyConstraint("facility_id", "list_name", name=op.f("pk_package_counts")),
    )
    postgresql = op.get_bind().dialect.name == "postgresql"
    truth = {"true": "TRUE", "false": "FALSE"} if postgresql else {"true": "1", "false": "0"}
    for name, condition in _PACKAGE_LISTS.items():
        op.execute(
            "INSERT INTO package_counts (facility_id, list_name, count) "
            f"SELECT facility_id, '{name}', count(*) FROM packages "
            f"WHERE archived_date IS NULL AND {condition.format(**truth)} "
            "GROUP BY facility_id"
        )
    op.execute(
        "INSERT INTO package_counts (facility_id, list_name, count) "
        "SELECT facility_id, 'intransit', count(*) FROM package_shipments "
        "WHERE state = 'Shipped' AND departed_at IS NOT NULL GROUP BY facility_id"
    )
    op.execute(
        "INSERT INTO package_counts (facility_id, list_name, count) "
        "SELECT s.facility_id, 'transferred', count(*) FROM package_shipments s "
        "JOIN transfer_deliveries d ON d.id = s.delivery_id "
        "JOIN transfers t ON t.id = d.transfer_id "
        "WHERE s.state <> 'Shipped' AND t.kind <> 'External' GROUP BY s.facility_id"
    )


def downgrade() -> None:
    op.drop_table("package_counts")
