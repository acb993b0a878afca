"""lab test packages found by package alone

A package made from others takes the released results its sources carry, looked up by the
sources' ids with no facility: the one index on the table led with the facility, so that
lookup read the whole table, once per new package.

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


def upgrade() -> None:
    op.create_index("ix_lab_test_packages_package", "lab_test_packages", ["package_id"])


def downgrade() -> None:
    op.drop_index("ix_lab_test_packages_package", table_name="lab_test_packages")
