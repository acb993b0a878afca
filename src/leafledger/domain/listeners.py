"""The ledger's flush hooks, installed on a session factory when a Store is built.

- plant counts follow every plant inserted, deleted or moved between phases and states;
- lookups by name made during a request forget the kinds of row a flush touched;
- creations recorded before their rows had ids get their audit events after the flush;
- a flush touching identity rows (integrators, users, employees, facilities) is counted, so
  that remembered credentials are dropped (dialects/kit/access.py).

Nothing is registered by importing a module: a session made outside a Store's factory has
none of these hooks (tests make theirs with `Store.session`).
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from leafledger.domain.services.audit import record_flushed_creations
from leafledger.domain.services.identity import count_identity_changes
from leafledger.domain.services.lookups import forget_changed_kinds
from leafledger.domain.services.plant_counts import track_plant_counts


def install(sessions: sessionmaker[Session]) -> None:
    event.listen(sessions, "before_flush", track_plant_counts)
    event.listen(sessions, "after_flush", forget_changed_kinds)
    event.listen(sessions, "after_flush_postexec", record_flushed_creations)
    event.listen(sessions, "after_flush", count_identity_changes)
