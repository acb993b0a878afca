"""indexes for rows looked up by a column no index led with

- lab_test_packages by package: a package made from others takes the released results its
  sources carry, looked up by the sources' ids alone (the one index led with the facility);
- plant_additives and plant_waste by plant batch: a Trace page of plant batches reads the
  additives and waste of its batches.

Without them each of those lookups read its whole table.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 14:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INDEXES = (
    ("ix_lab_test_packages_package", "lab_test_packages", "package_id"),
    ("ix_plant_additives_plant_batch_id", "plant_additives", "plant_batch_id"),
    ("ix_plant_waste_plant_batch_id", "plant_waste", "plant_batch_id"),
)


def upgrade() -> None:
    for name, table, column in _INDEXES:
        op.create_index(name, table, [column])


def downgrade() -> None:
    for name, table, _column in _INDEXES:
        op.drop_index(name, table_name=table)
