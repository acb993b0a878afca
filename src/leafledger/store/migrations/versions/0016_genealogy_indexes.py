"""genealogy indexes: every column the forward walk of the genealogy follows is indexed

- package_sources: source_plant_batch_id, source_plant_id (source_harvest_id,
  source_package_id and source_processing_job_id already were);
- plant_batches: source_package_id (plantings from a package), source_plant_id (clones of a
  mother plant).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 00:40:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("package_sources", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_package_sources_source_plant_batch_id"),
            ["source_plant_batch_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_package_sources_source_plant_id"), ["source_plant_id"], unique=False
        )
    with op.batch_alter_table("plant_batches", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_plant_batches_source_package_id"), ["source_package_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_plant_batches_source_plant_id"), ["source_plant_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("plant_batches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plant_batches_source_plant_id"))
        batch_op.drop_index(batch_op.f("ix_plant_batches_source_package_id"))
    with op.batch_alter_table("package_sources", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_package_sources_source_plant_id"))
        batch_op.drop_index(batch_op.f("ix_package_sources_source_plant_batch_id"))
