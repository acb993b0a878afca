"""Store-level choices that decide how the databases run the ledger's queries."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from leafledger.domain.models import Location, PlantBatch
from leafledger.domain.models.base import IsTrue
from leafledger.store import Store


@pytest.mark.parametrize(
    ("model", "index"),
    [
        (PlantBatch, "uq_plant_batches_facility_active_name"),
        (Location, "uq_locations_facility_active_name"),
    ],
)
def test_unique_name_checks_use_the_partial_indexes(
    store: Store, model: type[PlantBatch] | type[Location], index: str
) -> None:
    query = select(model.id).where(
        model.facility_id == 1, model.name == "Flower Room", IsTrue(model.active)
    )
    postgres = store.engine.dialect.name == "postgresql"
    with store.read() as session:
        if postgres:
            # A tiny test table may be cheaper to scan; the question is whether the index fits.
            session.execute(text("SET LOCAL enable_seqscan = off"))
        sql = str(query.compile(session.get_bind(), compile_kwargs={"literal_binds": True}))
        explain = "EXPLAIN " if postgres else "EXPLAIN QUERY PLAN "
        plan = "\n".join(str(row[-1]) for row in session.execute(text(explain + sql)))
    assert index in plan, plan


def test_postgresql_keeps_generic_plans_for_prepared_statements(store: Store) -> None:
    if store.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no plan cache")
    with store.read() as session:
        assert session.scalar(text("SHOW plan_cache_mode")) == "force_generic_plan"
