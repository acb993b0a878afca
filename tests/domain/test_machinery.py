"""Unit tests of the endpoint-table machinery: window, paging, rate limiter, endpoint rows."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    Select,
    Subquery,
    Table,
    create_engine,
    event,
    insert,
    select,
)
from sqlalchemy.orm import Session

from leafledger.dialects.kit.endpoint import Body, Endpoint, Scope, parse_permissions
from leafledger.dialects.kit.errors import RequestError, bad_request
from leafledger.dialects.kit.paging import PageRequest, fetch_page, parse_positive_int
from leafledger.dialects.kit.ratelimit import RateLimiter, retry_after_header
from leafledger.dialects.kit.runner import Limits
from leafledger.dialects.kit.window import MAX_WINDOW, parse_instant, parse_window
from leafledger.settings import RateLimits


def rejects(status: int = 400) -> pytest.RaisesExc[RequestError]:
    return pytest.raises(RequestError, check=lambda exc: exc.status == status)


# --- window ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-03-01T12:00:00Z", datetime(2024, 3, 1, 12, tzinfo=UTC)),
        ("2024-03-01T12:00:00+00:00", datetime(2024, 3, 1, 12, tzinfo=UTC)),
        ("2024-03-01T12:00:00.250Z", datetime(2024, 3, 1, 12, 0, 0, 250000, tzinfo=UTC)),
        ("2024-03-01T12:00:00.123456789Z", datetime(2024, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)),
        ("2024-03-01T12:00:00-07:00", datetime(2024, 3, 1, 19, tzinfo=UTC)),
        ("2024-03-01T12:00:00+05:30", datetime(2024, 3, 1, 6, 30, tzinfo=UTC)),
        ("2024-03-01T12:00:00", datetime(2024, 3, 1, 12, tzinfo=UTC)),  # no offset: UTC
        ("2024-03-01T12:00:00 05:30", datetime(2024, 3, 1, 6, 30, tzinfo=UTC)),  # '+' as space
        ("  2024-03-01T12:00:00Z  ", datetime(2024, 3, 1, 12, tzinfo=UTC)),
    ],
)
def test_parse_instant_accepts_iso_8601(raw: str, expected: datetime) -> None:
    value = parse_instant("lastModifiedStart", raw)
    assert value == expected
    assert value.tzinfo == UTC


@pytest.mark.parametrize(
    "raw", ["", "yesterday", "2024-13-01T00:00:00Z", "2024-03-01T24:30:00Z", "12:00", "1709251200"]
)
def test_parse_instant_rejects_other_text(raw: str) -> None:
    with rejects() as caught:
        parse_instant("lastModifiedEnd", raw)
    assert "lastModifiedEnd" in caught.value.message


@pytest.mark.parametrize("raw", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00"])
def test_parse_instant_refuses_instants_outside_the_calendar_in_utc(raw: str) -> None:
    """Valid ISO 8601 whose UTC equivalent falls outside years 1..9999: a 400, not a crash."""
    with rejects():
        parse_instant("lastModifiedStart", raw)


def names(start: str | None, end: str | None) -> object:
    return parse_window(start, end, start_name="from", end_name="to")


def test_no_window_when_neither_bound_is_given() -> None:
    assert names(None, None) is None
    assert names("", "") is None


@pytest.mark.parametrize(("start", "end"), [("2024-03-01T00:00:00Z", None), (None, "2024-03-01")])
def test_window_needs_both_bounds(start: str | None, end: str | None) -> None:
    with rejects() as caught:
        names(start, end)
    assert "from" in caught.value.message and "to" in caught.value.message


def test_window_end_before_start_is_refused() -> None:
    with rejects() as caught:
        names("2024-03-01T00:00:01Z", "2024-03-01T00:00:00Z")
    assert "before" in caught.value.message


def test_window_of_exactly_24_hours_is_the_longest_allowed() -> None:
    window = parse_window(
        "2024-03-01T00:00:00Z", "2024-03-02T00:00:00Z", start_name="s", end_name="e"
    )
    assert window is not None
    assert window.end - window.start == MAX_WINDOW == timedelta(hours=24)
    with rejects():
        names("2024-03-01T00:00:00Z", "2024-03-02T00:00:00.000001Z")


def test_an_empty_window_is_allowed() -> None:
    window = parse_window(
        "2024-03-01T00:00:00Z", "2024-03-01T00:00:00+00:00", start_name="s", end_name="e"
    )
    assert window is not None and window.start == window.end


instants = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
offsets = st.integers(min_value=-12 * 60, max_value=14 * 60).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)


@given(
    start=instants, length=st.timedeltas(timedelta(0), MAX_WINDOW), start_tz=offsets, end_tz=offsets
)
def test_windows_up_to_24_hours_are_accepted_in_any_offset(
    start: datetime, length: timedelta, start_tz: timezone, end_tz: timezone
) -> None:
    end = start + length
    window = names(start.astimezone(start_tz).isoformat(), end.astimezone(end_tz).isoformat())
    assert window is not None
    assert (window.start, window.end) == (start, end)


@given(start=instants, extra=st.timedeltas(timedelta(microseconds=1), timedelta(days=400)))
def test_windows_longer_than_24_hours_are_refused(start: datetime, extra: timedelta) -> None:
    with rejects():
        names(start.isoformat(), (start + MAX_WINDOW + extra).isoformat())


# --- paging ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "expected"), [(None, None), ("", None), ("1", 1), ("20", 20)])
def test_parse_positive_int_accepts(raw: str | None, expected: int | None) -> None:
    assert parse_positive_int("pageSize", raw) == expected


@pytest.mark.parametrize("raw", ["0", "-1", "abc", "1.5", "1e3", "two"])
def test_parse_positive_int_refuses(raw: str) -> None:
    with rejects() as caught:
        parse_positive_int("pageNumber", raw)
    assert "pageNumber" in caught.value.message


@pytest.mark.parametrize("raw", [str(2**31), str(10**18), "100000000000000000000"])
def test_parse_positive_int_refuses_numbers_no_sql_offset_can_hold(raw: str) -> None:
    """A page number so large its offset overflows a 64-bit SQL integer must be a 400."""
    with rejects():
        parse_positive_int("pageNumber", raw)


def test_parse_positive_int_accepts_the_largest_32_bit_value() -> None:
    assert parse_positive_int("pageNumber", str(2**31 - 1)) == 2**31 - 1


def test_page_request_offsets() -> None:
    assert PageRequest().offset == 0
    assert PageRequest(5, None).offset == 0  # no size: everything, from the start
    assert PageRequest(1, 20).offset == 0
    assert PageRequest(3, 20).offset == 40


@pytest.fixture(scope="module")
def numbers() -> Iterator[tuple[Session, Table]]:
    """An in-memory table holding 1..47, to page through with SQL."""
    engine = create_engine("sqlite://")
    table = Table("numbers", MetaData(), Column("n", Integer, primary_key=True))
    table.metadata.create_all(engine)
    with Session(engine) as session:
        session.execute(insert(table), [{"n": n} for n in range(1, 48)])
        session.commit()
        yield session, table
    engine.dispose()


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        (PageRequest(), list(range(1, 48))),
        (PageRequest(1, 20), list(range(1, 21))),
        (PageRequest(3, 20), list(range(41, 48))),
        (PageRequest(4, 20), []),
        (PageRequest(2, 1), [2]),
    ],
)
def test_fetch_page_on_a_query_and_on_a_list(
    numbers: tuple[Session, Table], page: PageRequest, expected: list[int]
) -> None:
    session, table = numbers
    query = select(table.c.n).order_by(table.c.n)
    from_sql = fetch_page(session, query, page)
    from_list = fetch_page(session, list(range(1, 48)), page)
    for result in (from_sql, from_list):
        assert result.records == expected
        assert result.total == 47
        assert result.request == page


def test_fetch_page_counts_the_whole_filtered_query(numbers: tuple[Session, Table]) -> None:
    session, table = numbers
    query = select(table.c.n).where(table.c.n % 2 == 0).order_by(table.c.n.desc())
    result = fetch_page(session, query, PageRequest(2, 5))
    assert result.total == 23
    assert result.records == [36, 34, 32, 30, 28]


@given(
    items=st.lists(st.integers(), max_size=60),
    number=st.integers(min_value=1, max_value=10),
    size=st.integers(min_value=1, max_value=20),
)
def test_pages_of_a_list_partition_it(items: list[int], number: int, size: int) -> None:
    session: Session | None = None  # a list is paged without the database
    result = fetch_page(session, items, PageRequest(number, size))  # type: ignore[arg-type]
    assert result.total == len(items)
    assert result.records == items[(number - 1) * size : number * size]


# --- rate limiter --------------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_bucket_allows_one_seconds_worth_then_asks_to_wait() -> None:
    clock = Clock()
    limiter = RateLimiter(2, clock)
    assert limiter.acquire("a") == 0
    assert limiter.acquire("a") == 0
    assert limiter.acquire("a") == pytest.approx(0.5)
    clock.now += 0.25
    assert limiter.acquire("a") == pytest.approx(0.25)
    clock.now += 0.25
    assert limiter.acquire("a") == 0
    assert limiter.acquire("a") > 0


def test_buckets_are_per_key() -> None:
    limiter = RateLimiter(1, Clock())
    assert limiter.acquire(1) == 0
    assert limiter.acquire(1) > 0
    assert limiter.acquire(2) == 0
    assert limiter.acquire("1") == 0


def test_idle_time_does_not_grow_the_burst_past_capacity() -> None:
    clock = Clock()
    limiter = RateLimiter(3, clock)
    assert limiter.acquire("k") == 0
    clock.now += 3600
    allowed = sum(1 for _ in range(10) if limiter.acquire("k") == 0)
    assert allowed == 3


def test_slow_rates_still_allow_one_request() -> None:
    clock = Clock()
    limiter = RateLimiter(0.5, clock)
    assert limiter.capacity == 1
    assert limiter.acquire("k") == 0
    assert limiter.acquire("k") == pytest.approx(2.0)
    clock.now += 2
    assert limiter.acquire("k") == 0


@pytest.mark.parametrize("rate", [0, -1])
def test_rate_must_be_positive(rate: float) -> None:
    with pytest.raises(ValueError):
        RateLimiter(rate)


def test_concurrent_callers_share_one_bucket_exactly() -> None:
    limiter = RateLimiter(25, Clock())  # a frozen clock: no refill while the threads run
    results: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(20):
            wait = limiter.acquire("shared")
            with lock:
                results.append(wait)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 160
    assert results.count(0.0) == 25


@pytest.mark.parametrize(
    ("wait", "header"), [(0.0, "1"), (0.01, "1"), (1.0, "1"), (1.2, "2"), (2.0, "2"), (9.5, "10")]
)
def test_retry_after_is_whole_seconds_rounded_up(wait: float, header: str) -> None:
    assert retry_after_header(wait) == header


def frozen_limits(config: RateLimits) -> Limits:
    limits = Limits(config)
    for limiter in (limits.facility, limits.integrator):
        if limiter is not None:
            limiter._clock = Clock()
    return limits


def test_limits_apply_to_gets_only() -> None:
    limits = frozen_limits(RateLimits(True, 1, 100))
    limits.check("GET", 1, 10)
    with rejects(429) as caught:
        limits.check("GET", 1, 10)
    assert caught.value.headers["Retry-After"] == "1"
    for method in ("POST", "PUT", "DELETE"):
        limits.check(method, 1, 10)
    limits.check("GET", 1, 11)  # another facility has its own bucket


def test_integrator_limit_covers_caller_scoped_requests() -> None:
    limits = frozen_limits(RateLimits(True, 100, 2))
    limits.check("GET", 7, None)
    limits.check("GET", 7, 1)
    with rejects(429):
        limits.check("GET", 7, None)
    limits.check("GET", 8, None)


def test_disabled_or_zero_limits_never_refuse() -> None:
    off = frozen_limits(RateLimits(False, 1, 1))
    zero = frozen_limits(RateLimits(True, 0, 0))
    assert zero.facility is None and zero.integrator is None
    for _ in range(50):
        off.check("GET", 1, 1)
        zero.check("GET", 1, 1)


# --- endpoint rows -------------------------------------------------------------------------------


def endpoint(path: str, method: str = "GET", **kwargs: object) -> Endpoint:
    return Endpoint("Things", "UNIVERSAL", "v2", method, path, (), **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("path", "route"),
    [
        ("/employees/v2/", "/employees/v2"),
        ("/packages/v2/active", "/packages/v2/active"),
        ("/packages/v2/{id}", "/packages/v2/{id:int}"),
        ("/packages/v2/{label}", "/packages/v2/{label}"),
        ("/packages/v2/{id}/source/harvests", "/packages/v2/{id:int}/source/harvests"),
        (
            "/sales/v1/transactions/{salesDateStart}/{salesDateEnd}",
            "/sales/v1/transactions/{salesDateStart}/{salesDateEnd}",
        ),
        ("/", "/"),
    ],
)
def test_route_path(path: str, route: str) -> None:
    assert endpoint(path).route_path == route


def test_params_in_order() -> None:
    assert endpoint("/a/v1/{salesDateStart}/{salesDateEnd}").params == [
        "salesDateStart",
        "salesDateEnd",
    ]
    assert endpoint("/a/v2/active").params == []


def test_mount_order_puts_words_before_ids_before_text() -> None:
    rows = [
        endpoint("/packages/v2/{label}"),
        endpoint("/packages/v2/{id}"),
        endpoint("/packages/v2/active"),
        endpoint("/packages/v2/{id}/source/harvests"),
    ]
    ordered = [r.path for r in sorted(rows, key=Endpoint.mount_order)]
    assert ordered.index("/packages/v2/active") < ordered.index("/packages/v2/{id}")
    assert ordered.index("/packages/v2/{id}") < ordered.index("/packages/v2/{label}")


def test_handler_does_not_take_part_in_equality() -> None:
    plain = endpoint("/x/v2/", body=Body.ARRAY)
    served = endpoint("/x/v2/", body=Body.ARRAY, handler=lambda call: None)
    assert plain == served
    assert not plain.implemented and served.implemented
    assert plain.scope is Scope.FACILITY and not plain.paged and not plain.windowed


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("None", ()),
        ("Permissions vary", ()),
        ("", ()),
        ("  None ", ()),
        ("Manage Additives", ("Manage Additives",)),
        ("View Harvests; Manage Harvests", ("View Harvests", "Manage Harvests")),
        ("A;; B ;", ("A", "B")),
    ],
)
def test_parse_permissions(text: str, expected: tuple[str, ...]) -> None:
    assert parse_permissions(text) == expected


def test_bad_request_is_a_400() -> None:
    error = bad_request("nope")
    assert (error.status, error.message, error.headers) == (400, "nope", {})


def test_an_empty_page_still_reports_the_total(numbers: tuple[Session, Table]) -> None:
    session, table = numbers
    query = select(table.c.n).order_by(table.c.n)
    assert fetch_page(session, query, PageRequest(9, 20)).total == 47
    nothing = select(table.c.n).where(table.c.n > 100).order_by(table.c.n)
    assert fetch_page(session, nothing, PageRequest(1, 20)).total == 0


def test_a_page_of_keys_is_expanded_to_its_records(numbers: tuple[Session, Table]) -> None:
    session, table = numbers
    keys = select(table.c.n).where(table.c.n % 5 == 0).order_by(table.c.n)

    def squares(page: Subquery) -> Select[Any]:
        return (
            select(table.c.n, (table.c.n * table.c.n).label("square"))
            .where(table.c.n.in_(select(page.c.n)))
            .order_by(table.c.n)
        )

    result = fetch_page(session, keys, PageRequest(2, 3), expand=squares)
    assert result.total == 9
    assert [(row.n, row.square) for row in result.records] == [(20, 400), (25, 625), (30, 900)]
    # The same statement serves every page: the page bounds are parameters.
    again = fetch_page(session, keys, PageRequest(3, 3), expand=squares)
    assert [row.n for row in again.records] == [35, 40, 45]


def test_the_page_size_is_written_into_the_sql(numbers: tuple[Session, Table]) -> None:
    """A plan made for an unknown LIMIT expects a tenth of the table (see kit/paging.py)."""
    session, table = numbers
    seen: list[tuple[str, Any]] = []

    def note(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        seen.append((statement, parameters))

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", note)
    try:
        fetch_page(session, select(table.c.n).order_by(table.c.n), PageRequest(3, 7))
    finally:
        event.remove(engine, "before_cursor_execute", note)
    statement, parameters = seen[-1]
    assert "LIMIT 7" in statement
    assert 14 in parameters  # the offset stays a parameter


def test_each_page_size_gets_its_own_statement(numbers: tuple[Session, Table]) -> None:
    session, table = numbers
    query = select(table.c.n).order_by(table.c.n)
    assert fetch_page(session, query, PageRequest(2, 7)).records == list(range(8, 15))
    assert fetch_page(session, query, PageRequest(2, 3)).records == [4, 5, 6]
    assert fetch_page(session, query, PageRequest(2, 7)).records == list(range(8, 15))
    assert len(fetch_page(session, query, PageRequest(1, None)).records) == 47
