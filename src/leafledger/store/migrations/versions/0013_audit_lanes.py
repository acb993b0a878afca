"""audit lanes: each facility's chain split into lanes that concurrent writers take in turn

- audit_chains: the head of one lane of a chain, keyed by (chain, lane);
- audit_events: lane, the lane an event is a link of; (chain, lane, seq) is unique.

Every existing event and head is lane 0, whose hashes leave the lane out, so a log sealed
before this revision verifies unchanged.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 00:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit_chains", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lane", sa.Integer(), server_default="0", nullable=False))
        batch_op.drop_constraint("pk_audit_chains", type_="primary")
        batch_op.create_primary_key("pk_audit_chains", ["chain", "lane"])
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lane", sa.Integer(), server_default="0", nullable=False))
        batch_op.drop_index("ix_audit_events_chain_seq")
        batch_op.create_index(
            "ix_audit_events_chain_lane_seq", ["chain", "lane", "seq"], unique=True
        )


def downgrade() -> None:
    # Lanes past the first cannot fold back into one chain without resealing it.
    laned = op.get_bind().execute(sa.text("SELECT count(*) FROM audit_events WHERE lane <> 0"))
    if laned.scalar_one():
        raise RuntimeError("the audit log has events in lanes past the first: not downgraded")
    op.execute("DELETE FROM audit_chains WHERE lane <> 0")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_chain_lane_seq")
        batch_op.create_index("ix_audit_events_chain_seq", ["chain", "seq"], unique=True)
        batch_op.drop_column("lane")
    with op.batch_alter_table("audit_chains", schema=None) as batch_op:
        batch_op.drop_constraint("pk_audit_chains", type_="primary")
        batch_op.create_primary_key("pk_audit_chains", ["chain"])
        batch_op.drop_column("lane")
