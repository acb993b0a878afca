"""The ledger's flush hooks, installed on a session factory when a Store is built.

- plant counts follow every plant inserted, deleted or moved between phases and states;
- sales receipt counts follow every receipt recorded or voided (changed at commit);
- package list counts follow every package and shipment moved onto or off a list (changed at
  commit);
- lookups by name made during a request forget the kinds of row a flush touched;
- a locked read (SELECT ... FOR UPDATE) refreshes the objects it returns, read before or not;
- the audit events a request recorded are appended to their chains at commit (or before the
  request itself queries the audit log);
- a flush touching identity rows (integrators, users, employees, facilities) is counted, so
  that remembered credentials are dropped (dialects/kit/access.py).

Nothing is registered by importing a module: a session made outside a Store's factory has
none of these hooks (tests make theirs with `Store.session`).
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from leafledger.domain.services.audit import (
    settle_creations,
    write_events_at_commit,
    write_events_before_reading_them,
)
from leafledger.domain.services.identity import count_identity_changes
from leafledger.domain.services.lookups import forget_changed_kinds, refresh_locked_rows
from leafledger.domain.services.package_counts import (
    apply_package_counts,
    forget_package_counts,
    track_package_counts,
)
from leafledger.domain.services.plant_counts import track_plant_counts
from leafledger.domain.services.sales_counts import (
    apply_receipt_counts,
    forget_receipt_counts,
    track_receipt_counts,
)


def install(sessions: sessionmaker[Session]) -> None:
    # At commit, the events first and the kept counts last: a count row is a lock every
    # writer of the facility takes, so it is taken as late as can be (held for the commit
    # alone, not while the request's events are hashed and written).
    event.listen(sessions, "before_commit", write_events_at_commit)
    event.listen(sessions, "before_flush", track_plant_counts)
    event.listen(sessions, "before_flush", track_receipt_counts)
    event.listen(sessions, "before_commit", apply_receipt_counts)
    event.listen(sessions, "after_rollback", forget_receipt_counts)
    event.listen(sessions, "before_flush", track_package_counts)
    event.listen(sessions, "before_commit", apply_package_counts)
    event.listen(sessions, "after_rollback", forget_package_counts)
    event.listen(sessions, "after_flush", forget_changed_kinds)
    event.listen(sessions, "after_flush_postexec", settle_creations)
    event.listen(sessions, "do_orm_execute", write_events_before_reading_them)
    event.listen(sessions, "do_orm_execute", refresh_locked_rows)
    event.listen(sessions, "after_flush", count_identity_changes)
