"""demo sandbox keeps no keys in clear

The demo's keys were kept in clear in demo_sandbox; they go. Its integrator, user and Trace
account keep their keys hashed like any other. The next `leafledger demo` (or `serve --demo`)
on a database made before this finds no printable keys, gives the demo new keys and keeps
them in its key file (see the README).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 21:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("demo_sandbox", schema=None) as batch_op:
        batch_op.drop_column("trace_api_key")
        batch_op.drop_column("user_key")
        batch_op.drop_column("vendor_key")


def downgrade() -> None:
    # The keys cannot come back: the columns return empty (the demo's keys are then unknown).
    with op.batch_alter_table("demo_sandbox", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("vendor_key", sa.String(length=64), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("user_key", sa.String(length=64), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("trace_api_key", sa.String(length=64), nullable=True))
