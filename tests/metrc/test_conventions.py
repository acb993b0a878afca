"""Wire conventions shared by every row: the lastModified window, error bodies, rate limits."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest
from fastapi.testclient import TestClient

from leafledger.app import create_app
from leafledger.permissions import all_permissions
from leafledger.settings import RateLimits, Settings
from leafledger.store import Store
from tests.conftest import Ledger

WINDOWED = ["/harvests/v2/active", "/harvests/v1/active"]  # one v2 (paged) row, one v1 row
GET_ROW = "/harvests/v2/active"
POST_ROW = "/harvests/v2/waste"
CALLER_ROW = "/facilities/v2/"


def no_crash(response: httpx.Response) -> httpx.Response:
    assert response.status_code != 500, response.text
    return response


def message_of(response: httpx.Response) -> str:
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert isinstance(body, dict)
    assert set(body) == {"Message"}
    assert isinstance(body["Message"], str)
    assert body["Message"]
    return body["Message"]


@pytest.fixture(scope="module")
def cultivator(ledger: Ledger) -> tuple[str, dict[str, str]]:
    """A facility of this module's own and the headers of a user with every permission there."""
    license_number = ledger.facility("Cultivator").license_number
    return license_number, ledger.user({license_number: all_permissions()})


def window_get(
    client: TestClient,
    cultivator: tuple[str, dict[str, str]],
    path: str,
    start: str | None,
    end: str | None,
    *,
    encode: bool = True,
) -> httpx.Response:
    """GET `path` with the window; `encode=False` puts the values in the URL as typed, so a
    '+' arrives unencoded (and is read as a space by the server's query parser)."""
    license_number, headers = cultivator
    parts = [f"licenseNumber={quote(license_number)}"]
    for name, value in (("lastModifiedStart", start), ("lastModifiedEnd", end)):
        if value is not None:
            parts.append(f"{name}={quote(value, safe='') if encode else value}")
    return no_crash(client.get(f"{path}?{'&'.join(parts)}", headers=headers))


def window_accepted(response: httpx.Response) -> bool:
    """Past the window check: the row answers (200) or says it is not implemented (501)."""
    return response.status_code in (200, 501)


# --- lastModifiedStart / lastModifiedEnd


@pytest.mark.parametrize("path", WINDOWED)
@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2024-03-01T00:00:00Z", "2024-03-01T12:00:00Z"),
        ("2024-03-01T00:00:00+00:00", "2024-03-01T12:00:00+00:00"),
        ("2024-03-01T00:00:00.123Z", "2024-03-01T12:00:00.987654+00:00"),
        ("2024-03-01T00:00:00.5-07:00", "2024-03-01T23:00:00-07:00"),
        ("2024-03-01T00:00:00", "2024-03-01T12:00:00"),  # no offset: UTC
        ("2024-03-01T00:00:00Z", "2024-03-02T00:00:00Z"),  # exactly 24 hours
        ("2024-03-01T10:00:00+05:00", "2024-03-02T04:00:00+00:00"),  # 23 h once offsets count
    ],
)
def test_window_forms_accepted(
    client: TestClient, cultivator: tuple[str, dict[str, str]], path: str, start: str, end: str
) -> None:
    response = window_get(client, cultivator, path, start, end)
    assert window_accepted(response), response.text


@pytest.mark.parametrize("path", WINDOWED)
def test_window_with_an_unencoded_plus_is_accepted(
    client: TestClient, cultivator: tuple[str, dict[str, str]], path: str
) -> None:
    response = window_get(
        client,
        cultivator,
        path,
        "2024-03-01T00:00:00+00:00",
        "2024-03-01T06:00:00.250+00:00",
        encode=False,
    )
    assert window_accepted(response), response.text


@pytest.mark.parametrize("path", WINDOWED)
def test_an_unencoded_plus_offset_is_honoured_not_dropped(
    client: TestClient, cultivator: tuple[str, dict[str, str]], path: str
) -> None:
    # 11:00+05:00 is 06:00 UTC, before the start; were the offset lost it would look valid.
    response = window_get(
        client,
        cultivator,
        path,
        "2024-03-01T10:00:00+00:00",
        "2024-03-01T11:00:00+05:00",
        encode=False,
    )
    assert response.status_code == 400
    message = message_of(response)
    assert "lastModifiedEnd" in message and "lastModifiedStart" in message


REJECTED = [
    pytest.param("2024-03-01T00:00:00Z", "2024-03-02T00:00:01Z", id="longer-than-24h"),
    pytest.param("2024-03-01T00:00:00+00:00", "2024-03-01T20:00:00-05:00", id="25h-with-offsets"),
    pytest.param("2024-03-01T00:00:00Z", "2024-03-05T00:00:00Z", id="four-days"),
    pytest.param("2024-03-02T00:00:00Z", "2024-03-01T00:00:00Z", id="end-before-start"),
    pytest.param("2024-03-01T00:00:00Z", None, id="start-only"),
    pytest.param(None, "2024-03-01T00:00:00Z", id="end-only"),
    pytest.param("", "2024-03-01T00:00:00Z", id="empty-start"),
    pytest.param("yesterday", "2024-03-01T00:00:00Z", id="garbage-start"),
    pytest.param("2024-03-01T00:00:00Z", "soon", id="garbage-end"),
    pytest.param("2024-13-01T00:00:00Z", "2024-13-01T01:00:00Z", id="month-13"),
    pytest.param("2024-03-01T25:00:00Z", "2024-03-01T26:00:00Z", id="hour-25"),
    pytest.param("1709251200", "1709254800", id="epoch-seconds"),
]


@pytest.mark.parametrize("path", WINDOWED)
@pytest.mark.parametrize(("start", "end"), REJECTED)
def test_window_rejected_with_400(
    client: TestClient,
    cultivator: tuple[str, dict[str, str]],
    path: str,
    start: str | None,
    end: str | None,
) -> None:
    response = window_get(client, cultivator, path, start, end)
    assert response.status_code == 400, response.text
    message_of(response)


@pytest.mark.parametrize("path", WINDOWED)
def test_window_outside_the_calendar_in_utc_answers_400(
    client: TestClient, cultivator: tuple[str, dict[str, str]], path: str
) -> None:
    response = window_get(
        client, cultivator, path, "0001-01-01T00:00:00+05:00", "0001-01-01T06:00:00+05:00"
    )
    assert response.status_code == 400, response.text
    message_of(response)


def test_huge_page_number_answers_400(
    client: TestClient, cultivator: tuple[str, dict[str, str]]
) -> None:
    """On a list paged by the database, an offset past 64 bits must not reach the SQL."""
    license_number, headers = cultivator
    for number in ("1000000000000000000", "100000000000000000000"):
        response = no_crash(
            client.get(
                "/employees/v2/",
                params={"licenseNumber": license_number, "pageNumber": number, "pageSize": "20"},
                headers=headers,
            )
        )
        assert response.status_code == 400, response.text
        message_of(response)


def test_window_is_checked_after_the_licence(
    client: TestClient, cultivator: tuple[str, dict[str, str]]
) -> None:
    """A bad window from a caller without keys is still a 401: credentials come first."""
    response = no_crash(
        client.get(
            GET_ROW,
            params={
                "licenseNumber": cultivator[0],
                "lastModifiedStart": "garbage",
                "lastModifiedEnd": "garbage",
            },
        )
    )
    assert response.status_code == 401
    message_of(response)


# --- rate limits


@pytest.fixture
def limited_client(store: Store) -> Iterator[TestClient]:
    """A second app over the same store, with small GET limits (a new app: fresh buckets)."""
    settings = Settings(
        rate_limits=RateLimits(
            enabled=True, facility_get_per_second=2, integrator_get_per_second=1000
        )
    )
    with TestClient(create_app(store, settings)) as client:
        yield client


@pytest.fixture
def integrator_limited_client(store: Store) -> Iterator[TestClient]:
    settings = Settings(
        rate_limits=RateLimits(
            enabled=True, facility_get_per_second=1000, integrator_get_per_second=2
        )
    )
    with TestClient(create_app(store, settings)) as client:
        yield client


def get_until_limited(
    client: TestClient, path: str, headers: dict[str, str], params: dict[str, str], tries: int = 60
) -> list[httpx.Response]:
    """GET until a 429 arrives (or `tries` run out); every response, in order."""
    responses = []
    for _ in range(tries):
        response = no_crash(client.get(path, params=params, headers=headers))
        responses.append(response)
        if response.status_code == 429:
            break
    return responses


def assert_limited(responses: list[httpx.Response]) -> None:
    last = responses[-1]
    assert last.status_code == 429, [r.status_code for r in responses]
    assert "limit" in message_of(last).lower() or "many" in message_of(last).lower()
    retry_after = last.headers["Retry-After"]
    assert retry_after.isdigit()
    assert int(retry_after) >= 1


def test_facility_get_limit_answers_429_with_retry_after(
    limited_client: TestClient, ledger: Ledger
) -> None:
    first = ledger.facility("Cultivator").license_number
    second = ledger.facility("Cultivator").license_number
    headers = ledger.user({first: all_permissions(), second: all_permissions()})

    responses = get_until_limited(limited_client, GET_ROW, headers, {"licenseNumber": first})
    # A fresh bucket holds one second's worth of requests: the first two always pass.
    assert responses[0].status_code != 429 and responses[1].status_code != 429
    assert_limited(responses)

    # The limit is per facility: another licence of the same user starts with a full bucket.
    other = no_crash(limited_client.get(GET_ROW, params={"licenseNumber": second}, headers=headers))
    assert other.status_code != 429

    # Writes are not rate limited, even at the facility whose GETs are.
    for _ in range(10):
        post = no_crash(
            limited_client.post(
                POST_ROW, params={"licenseNumber": first}, headers=headers, json=[{}]
            )
        )
        assert post.status_code != 429, post.text


def test_integrator_get_limit_answers_429_with_retry_after(
    integrator_limited_client: TestClient, ledger: Ledger
) -> None:
    license_number = ledger.facility("Cultivator").license_number
    headers = ledger.user({license_number: all_permissions()})

    # A caller-scoped row has no facility: only the integrator's bucket applies.
    responses = get_until_limited(integrator_limited_client, CALLER_ROW, headers, {})
    assert responses[0].status_code != 429 and responses[1].status_code != 429
    assert_limited(responses)

    for _ in range(10):
        post = no_crash(
            integrator_limited_client.post(
                POST_ROW, params={"licenseNumber": license_number}, headers=headers, json=[{}]
            )
        )
        assert post.status_code != 429, post.text


def test_unauthenticated_requests_do_not_spend_the_budget(
    limited_client: TestClient, ledger: Ledger
) -> None:
    license_number = ledger.facility("Cultivator").license_number
    headers = ledger.user({license_number: all_permissions()})
    for _ in range(10):
        anonymous = no_crash(limited_client.get(GET_ROW, params={"licenseNumber": license_number}))
        assert anonymous.status_code == 401
    first = no_crash(
        limited_client.get(GET_ROW, params={"licenseNumber": license_number}, headers=headers)
    )
    assert first.status_code != 429


def test_no_limits_when_disabled(
    client: TestClient, cultivator: tuple[str, dict[str, str]]
) -> None:
    license_number, headers = cultivator
    statuses = {
        no_crash(
            client.get(GET_ROW, params={"licenseNumber": license_number}, headers=headers)
        ).status_code
        for _ in range(30)
    }
    assert 429 not in statuses


# --- settings from the environment


def test_rate_limit_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEAFLEDGER_RATE_LIMITS", "off")
    monkeypatch.setenv("LEAFLEDGER_RATE_LIMIT_FACILITY_GET", "7.5")
    monkeypatch.setenv("LEAFLEDGER_RATE_LIMIT_INTEGRATOR_GET", "0")
    monkeypatch.setenv("LEAFLEDGER_DATABASE_URL", "sqlite:///elsewhere.db")
    settings = Settings.from_env()
    assert settings.database_url == "sqlite:///elsewhere.db"
    assert settings.rate_limits == RateLimits(
        enabled=False, facility_get_per_second=7.5, integrator_get_per_second=0
    )


def test_rate_limit_settings_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "LEAFLEDGER_RATE_LIMITS",
        "LEAFLEDGER_RATE_LIMIT_FACILITY_GET",
        "LEAFLEDGER_RATE_LIMIT_INTEGRATOR_GET",
        "LEAFLEDGER_DATABASE_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    settings = Settings.from_env()
    assert settings.database_url == "sqlite:///leafledger.db"
    assert settings.rate_limits == RateLimits(True, 50.0, 150.0)


def test_rate_limit_setting_that_is_not_a_number_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LEAFLEDGER_RATE_LIMIT_FACILITY_GET", "fast")
    with pytest.raises(ValueError, match="LEAFLEDGER_RATE_LIMIT_FACILITY_GET"):
        Settings.from_env()
