"""The defects a probe of the server found, each reproduced as a request (issue: hostile input).

Each answered badly before: a worker pinned for minutes, a 500 on PostgreSQL or on both
databases, a boolean taken for a number, a date 2,000 years off, a 100 MB body read whole.
Each must now be a prompt 400 (or 413) in the dialect's error format, changing nothing. The
time bounds are hang guards (seconds), not performance targets.
"""

from __future__ import annotations

import select
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlalchemy import select as select_rows

from leafledger.dialects.kit.json_body import MAX_BODY_BYTES
from leafledger.domain.models import AuditEvent
from leafledger.store import Store
from tests.conftest import DemoAccess, Ledger, unique
from tests.servers import serving

HANG_SECONDS = 5.0


class Probe:
    def __init__(self, client: TestClient, store: Store, headers: dict[str, str], licence: str):
        self.client, self.store, self.headers, self.licence = client, store, headers, licence

    def send(self, method: str, path: str, raw: bytes | Iterator[bytes]) -> Any:
        before = self.events()
        started = time.monotonic()
        response = self.client.request(
            method,
            path,
            params={"licenseNumber": self.licence},
            content=raw,
            headers={**self.headers, "Content-Type": "application/json"},
        )
        assert time.monotonic() - started < HANG_SECONDS
        assert self.events() == before, "a refused request changed the ledger"
        return response

    def events(self) -> int:
        with self.store.transaction(write=False) as session:
            return int(session.scalar(select_rows(func.count()).select_from(AuditEvent)) or 0)


@pytest.fixture()
def probe(client: TestClient, store: Store, ledger: Ledger, demo: DemoAccess) -> Probe:
    facility = ledger.facility("Cultivator")
    ledger.grant_demo_user(facility.license_number)
    made = client.post(
        "/locations/v2/",
        params={"licenseNumber": facility.license_number},
        json=[{"Name": unique("Room"), "LocationTypeName": "Default"}],
        headers=demo.headers,
    )
    assert made.status_code == 200
    return Probe(client, store, demo.headers, facility.license_number)


def _refusal(response: Any, status: int = 400) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    return str(body[0]["message"] if isinstance(body, list) else body["Message"])


def test_a_number_with_a_huge_exponent_is_refused_unexpanded(probe: Probe) -> None:
    raw = b'[{"Id":1.0e999999999,"Name":"Room","LocationTypeName":"Default"}]'
    assert "out of range" in _refusal(probe.send("PUT", "/locations/v2/", raw))
    counts = b'[{"Name":"B","Type":"Clone","Count":1e999999999,"Strain":"S"}]'
    assert "out of range" in _refusal(probe.send("POST", "/plantbatches/v2/plantings", counts))
    finish = b'[{"Id":1e999999999}]'
    assert "out of range" in _refusal(probe.send("PUT", "/harvests/v2/finish", finish))


@pytest.mark.parametrize("big", [2**31, 2**40, 2**63 - 1])
def test_ids_past_the_column_name_nothing_on_every_database(probe: Probe, big: int) -> None:
    strain = f'[{{"Id":{big},"Name":"Kush","TestingStatus":"None"}}]'.encode()
    assert probe.send("PUT", "/strains/v2/", strain).status_code in (400, 404)
    package = (
        '[{"Tag":"1A4000000000000000000001","Item":"Buds","UnitOfWeight":"Grams",'
        f'"Ingredients":[{{"HarvestId":{big},"Weight":1,"UnitOfWeight":"Grams"}}]}}]'
    ).encode()
    assert probe.send("POST", "/harvests/v2/packages", package).status_code in (400, 404)


def test_a_lone_surrogate_is_refused(probe: Probe) -> None:
    raw = b'[{"Name":"\\ud800","Type":"Clone","Count":1,"Strain":"S"}]'
    assert "surrogate" in _refusal(probe.send("POST", "/plantbatches/v2/plantings", raw))


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32-le"])
@pytest.mark.parametrize(("escape", "named"), [("\\ud800", "surrogate"), ("\\u0000", "NUL")])
def test_escapes_are_checked_in_a_body_of_any_unicode_encoding(
    probe: Probe, encoding: str, escape: str, named: str
) -> None:
    """JSON also reads UTF-16 and UTF-32: a lone surrogate or a NUL written as an escape
    there is refused as it is in UTF-8."""
    raw = f'[{{"Name":"{escape}","Type":"Clone","Count":1,"Strain":"S"}}]'.encode(encoding)
    assert named in _refusal(probe.send("POST", "/plantbatches/v2/plantings", raw))


def test_nesting_past_the_limit_is_refused_with_or_without_escapes(probe: Probe) -> None:
    deep = "[" * 40 + "]" * 40
    for name in ("B", "\\u00e9"):
        raw = f'[{{"Name":"{name}","Type":"Clone","Count":1,"Strain":"S","X":{deep}}}]'
        refusal = _refusal(probe.send("POST", "/plantbatches/v2/plantings", raw.encode()))
        assert "nested deeper" in refusal


def test_true_is_not_a_number(probe: Probe) -> None:
    raw = b'[{"Name":"B","Type":"Clone","Count":true,"Strain":"S"}]'
    assert "true or false" in _refusal(probe.send("POST", "/plantbatches/v2/plantings", raw))
    assert "true or false" in _refusal(probe.send("PUT", "/harvests/v2/finish", b'[{"Id":true}]'))


def test_a_planting_in_year_one_is_refused(probe: Probe) -> None:
    raw = b'[{"Name":"B","Type":"Clone","Count":1,"Strain":"S","ActualDate":"0001-01-01"}]'
    assert "between 1900-01-01" in _refusal(probe.send("POST", "/plantbatches/v2/plantings", raw))


def test_a_body_over_the_limit_is_refused_before_it_is_read_whole(
    probe: Probe, tmp_path: Path
) -> None:
    declared = probe.send("POST", "/locations/v2/", b" " * (MAX_BODY_BYTES + 1))
    assert "at most" in _refusal(declared, 413)
    # Streamed without a Content-Length to a real server: the answer comes back while the
    # client is still sending, long before 100 MB have gone.
    with serving(f"sqlite:///{tmp_path / 'limit.db'}", tmp_path / "server.log", 1) as server:
        sent, answer = _stream_until_answered(server.port, total_mb=100)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    # What was sent beyond the limit sat in the two sockets' buffers (a few MB), unread.
    assert sent <= 32


MB = 1024 * 1024


def _stream_until_answered(port: int, total_mb: int) -> tuple[int, bytes]:
    """Send a chunked body a megabyte at a time; the megabytes sent when an answer came."""
    with socket.create_connection(("127.0.0.1", port), timeout=HANG_SECONDS) as connection:
        connection.sendall(
            b"POST /locations/v2/?licenseNumber=X HTTP/1.1\r\nHost: x\r\n"
            b"Authorization: Basic eDp5\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        chunk = f"{MB:x}\r\n".encode() + b" " * MB + b"\r\n"
        for sent in range(total_mb):
            ready, _, _ = select.select([connection], [], [], 0)
            if ready:
                return sent, connection.recv(4096)
            try:
                connection.sendall(chunk)
            except OSError:  # the server closed the connection after answering
                break
        return total_mb, connection.recv(4096)
