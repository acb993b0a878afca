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
    table = model.__table__.name
    with store.engine.connect() as connection, connection.begin() as transaction:
        if postgres:
            # Whether the index fits the query, whatever the statistics of a small test
            # table say: the table's other secondary indexes go (rolled back below), and so
            # does the choice of a sequential scan.
            connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
            others = connection.exec_driver_sql(
                "SELECT indexname FROM pg_indexes WHERE tablename = %(t)s "
                "AND indexname NOT LIKE 'pk_%%' AND indexname <> %(i)s",
                {"t": table, "i": index},
            ).scalars()
            for name in list(others):
                connection.exec_driver_sql(f'DROP INDEX "{name}"')
        sql = str(query.compile(connection, compile_kwargs={"literal_binds": True}))
        explain = "EXPLAIN " if postgres else "EXPLAIN QUERY PLAN "
        plan = "\n".join(str(row[-1]) for row in connection.exec_driver_sql(explain + sql))
        transaction.rollback()
    assert index in plan, plan


def test_postgresql_keeps_generic_plans_for_prepared_statements(store: Store) -> None:
    if store.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no plan cache")
    with store.read() as session:
        assert session.scalar(text("SHOW plan_cache_mode")) == "force_generic_plan"
