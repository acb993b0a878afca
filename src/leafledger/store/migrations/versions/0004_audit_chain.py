"""audit hash chains

- audit_events.chain, seq, prev_hash, hash: each event is a link of its facility's chain;
- audit_chains: each chain's head (last seq and hash).

Events already in the log are sealed as they stand when this migration runs: they become the
first links of their chains, in the order of their ids. The chain proves that nothing changed
after the migration; it cannot tell whether anything changed before it.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 20:30:00
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from leafledger.domain.models.base import JsonColumn, UtcDateTime
from leafledger.domain.services.audit_chain import GENESIS, chain_of, event_hash

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_EVENTS = sa.table(
    "audit_events",
    sa.column("id", sa.Integer()),
    sa.column("occurred_at", UtcDateTime()),
    sa.column("facility_id", sa.Integer()),
    sa.column("user_id", sa.Integer()),
    sa.column("integrator_id", sa.Integer()),
    sa.column("channel", sa.String()),
    sa.column("entity_type", sa.String()),
    sa.column("entity_id", sa.Integer()),
    sa.column("action", sa.String()),
    sa.column("before", JsonColumn),
    sa.column("after", JsonColumn),
    sa.column("chain", sa.Integer()),
    sa.column("seq", sa.Integer()),
    sa.column("prev_hash", sa.String()),
    sa.column("hash", sa.String()),
)
_HEADS = sa.table(
    "audit_chains",
    sa.column("chain", sa.Integer()),
    sa.column("seq", sa.Integer()),
    sa.column("hash", sa.String()),
)


def _seal_existing_events() -> None:
    connection = op.get_bind()
    heads: dict[int, tuple[int, str]] = {}
    links: list[dict[str, Any]] = []
    for row in connection.execute(sa.select(_EVENTS).order_by(_EVENTS.c.id)):
        event = dict(row._mapping)
        chain = chain_of(event["facility_id"])
        seq, last = heads.get(chain, (0, GENESIS))
        event.update(chain=chain, seq=seq + 1, prev_hash=last)
        event["hash"] = event_hash(event)
        heads[chain] = (event["seq"], event["hash"])
        links.append(
            {
                "event_id": event["id"],
                "c": chain,
                "s": event["seq"],
                "p": event["prev_hash"],
                "h": event["hash"],
            }
        )
    if links:
        connection.execute(
            _EVENTS.update()
            .where(_EVENTS.c.id == sa.bindparam("event_id"))
            .values(
                chain=sa.bindparam("c"),
                seq=sa.bindparam("s"),
                prev_hash=sa.bindparam("p"),
                hash=sa.bindparam("h"),
            ),
            links,
        )
    if heads:
        connection.execute(
            _HEADS.insert(),
            [{"chain": c, "seq": s, "hash": h} for c, (s, h) in sorted(heads.items())],
        )


def upgrade() -> None:
    op.create_table(
        "audit_chains",
        sa.Column("chain", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("chain", name=op.f("pk_audit_chains")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("chain", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("seq", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
    _seal_existing_events()
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.alter_column("chain", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("seq", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_index("ix_audit_events_chain_seq", ["chain", "seq"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_chain_seq")
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("seq")
        batch_op.drop_column("chain")
    op.drop_table("audit_chains")
