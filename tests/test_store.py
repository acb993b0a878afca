"""Store-level choices that decide how the databases run the ledger's queries."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, event, func, insert, select, text
from sqlalchemy.orm import Session

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


def test_reads_take_no_transaction_on_postgresql_and_writes_stay_atomic(store: Store) -> None:
    """A read block runs each statement on its own (as SQLite's driver does for reads): no
    BEGIN and COMMIT round trips. The pooled connection is a transactional one again for the
    next write block."""
    if store.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's driver opens no transaction for reads by itself")
    from psycopg.pq import TransactionStatus

    def status(session: Session) -> TransactionStatus:
        raw = session.connection().connection.dbapi_connection
        return raw.info.transaction_status  # type: ignore[union-attr]

    probe = Table(f"atomicity_probe_{uuid.uuid4().hex[:8]}", MetaData(), Column("n", Integer))
    probe.create(store.engine)
    try:
        with store.transaction(write=False) as session:
            session.execute(select(1))
            assert status(session) is TransactionStatus.IDLE
        with pytest.raises(RuntimeError), store.transaction() as session:
            session.execute(select(1))
            assert status(session) is TransactionStatus.INTRANS
            session.execute(insert(probe).values(n=1))
            raise RuntimeError("the request failed after its insert")
        with store.transaction(write=False) as session:
            assert session.scalar(select(func.count()).select_from(probe)) == 0
    finally:
        probe.drop(store.engine)


def test_psycopg_keeps_parsed_multi_row_inserts(store: Store) -> None:
    """A flush of 10 new rows is one INSERT of well over 50 parameters (see store/engine.py)."""
    if store.engine.dialect.name != "postgresql":
        pytest.skip("psycopg only")
    from psycopg import _queries

    table = Table(
        "parsed_statements_probe", MetaData(), *(Column(f"c{i}", Integer) for i in range(20))
    )
    rows = [{f"c{i}": n for i in range(20)} for n in range(10)]
    statement = table.insert().values(rows)  # one statement of 200 parameters
    with store.engine.connect() as connection, connection.begin() as transaction:
        table.create(connection)
        connection.execute(statement)
        before = _queries._query2pg.cache_info().hits
        connection.execute(statement)
        assert _queries._query2pg.cache_info().hits > before
        transaction.rollback()


def test_rows_inserted_together_go_as_one_statement_on_postgresql(store: Store) -> None:
    """A request's audit events are one multi-row INSERT, not a pipeline of one per row."""
    if store.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's executemany runs in C; nothing to gain")
    probe = Table("insert_shape_probe", MetaData(), Column("n", Integer))
    seen: list[str] = []

    def note(_c: object, _cur: object, statement: str, *_: object) -> None:
        seen.append(statement)

    with store.engine.connect() as connection, connection.begin() as transaction:
        probe.create(connection)
        event.listen(connection, "before_cursor_execute", note)
        connection.execute(insert(probe), [{"n": n} for n in range(10)])
        event.remove(connection, "before_cursor_execute", note)
        assert connection.scalar(select(func.count()).select_from(probe)) == 10
        transaction.rollback()
    assert len(seen) == 1
    assert seen[0].count("(%(") == 10  # ten rows of VALUES in the one statement


def test_json_columns_take_what_the_standard_encoder_takes() -> None:
    from leafledger.store.engine import _json_text

    assert json.loads(_json_text({"a": [1, "x", None], 2: True})) == {
        "a": [1, "x", None],
        "2": True,
    }
    assert json.loads(_json_text({"big": 2**70})) == {"big": 2**70}


def test_json_columns_read_what_the_standard_decoder_reads() -> None:
    from leafledger.store.engine import _json_value

    for text_value in ('{"a": [1, "é", null], "b": 1.5}', '{"big": 1180591620717411303424}'):
        assert _json_value(text_value) == json.loads(text_value)
        assert _json_value(text_value.encode()) == json.loads(text_value)
    assert _json_value(b"[NaN]")[0] != _json_value(b"[NaN]")[0]  # NaN, as json reads it


# Queries of a list of values that PostgreSQL must answer with one index probe per value,
# even by the generic plan the server keeps, made while the statistics say the table is small:
# (statement, parameter types, values, the index condition each probe uses).
_PROBED_LISTS = {
    "taken receipt numbers": (
        "leafledger.domain.services.sales:_TAKEN_NUMBERS_POSTGRESQL",
        {"facility": "integer", "numbers": "varchar[]"},
        {"facility": 1, "numbers": ["POS-1", "POS-2"]},
        "external_receipt_number = (n.n)::text",
    ),
    "audit trails": (
        "leafledger.domain.queries.history:_TRAILS_POSTGRESQL",
        {"ids": "integer[]", "facility": "integer", "table": "varchar"},
        {"ids": [1, 2, 3], "facility": 1, "table": "sales_receipts"},
        "entity_id = wanted.id",
    ),
}


@pytest.mark.parametrize("name", sorted(_PROBED_LISTS))
def test_value_lists_are_probed_one_value_at_a_time_by_generic_plans(
    store: Store, name: str
) -> None:
    if store.engine.dialect.name != "postgresql":
        pytest.skip("SQLite keeps no generic plans")
    import importlib

    where, types, values, probe = _PROBED_LISTS[name]
    module, attribute = where.split(":")
    sql = str(getattr(importlib.import_module(module), attribute))
    for number, key in enumerate(types, 1):
        sql = sql.replace(f":{key}", f"${number}")
    arguments = ", ".join(
        f"'{{{','.join(map(str, v))}}}'" if isinstance(v, list) else f"'{v}'"
        for v in values.values()
    )
    with store.engine.connect() as connection:
        connection.exec_driver_sql("SET plan_cache_mode = force_generic_plan")
        connection.exec_driver_sql(f"PREPARE probed ({', '.join(types.values())}) AS {sql}")
        plan = "\n".join(
            row[0] for row in connection.exec_driver_sql(f"EXPLAIN EXECUTE probed ({arguments})")
        )
        connection.exec_driver_sql("DEALLOCATE probed")
    assert "Index" in plan and "Index Cond: " in plan and probe in plan, plan
    assert "ANY" not in plan, plan
