"""The `leafledger` admin commands, run through Typer's test runner against a fresh SQLite file."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner, Result

from leafledger.app import create_app
from leafledger.cli import app
from leafledger.dialects.metrc.table import ROWS
from leafledger.permissions import all_permissions
from leafledger.store import Store
from tests.conftest import TEST_SETTINGS, basic_auth

runner = CliRunner()


class Cli:
    """Runs commands against one database file."""

    def __init__(self, url: str) -> None:
        self.url = url

    def run(self, *args: str) -> Result:
        return runner.invoke(app, [*args, "--database", self.url])

    def ok(self, *args: str) -> Result:
        result = self.run(*args)
        assert result.exit_code == 0, result.output
        return result

    def json(self, *args: str) -> Any:
        return json.loads(self.ok(*args, "--json").stdout)

    def fails(self, *args: str) -> str:
        """The command exits non-zero with a message and no traceback; returns its output."""
        result = self.run(*args)
        assert result.exit_code != 0, result.output
        assert isinstance(result.exception, SystemExit), result.exception
        assert "Traceback" not in result.output
        assert result.stderr.startswith("Error: ")
        return result.stderr


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(f"sqlite:///{tmp_path / 'cli.db'}")


@pytest.fixture
def api(cli: Cli) -> Iterator[TestClient]:
    """The API over the database the commands wrote to."""
    store = Store(cli.url)
    with TestClient(create_app(store, TEST_SETTINGS)) as client:
        yield client
    store.dispose()


def add_facility(cli: Cli, license_number: str, kind: str = "Cultivator") -> dict[str, Any]:
    payload: dict[str, Any] = cli.json(
        "facility", "add", "--license-number", license_number, "--name", f"{kind} {license_number}",
        "--state", "CO", "--type", kind,
    )  # fmt: skip
    return payload


# --- integrators -------------------------------------------------------------------------------


def test_integrator_add_prints_the_key_once(cli: Cli) -> None:
    output = cli.ok("integrator", "add", "Acme POS").stdout
    keys = re.findall(r"vendor key: (\S+)", output)
    assert len(keys) == 1 and len(keys[0]) >= 32
    assert output.count(keys[0]) == 1


def test_integrator_add_json(cli: Cli) -> None:
    payload = cli.json("integrator", "add", "Acme POS")
    assert payload["name"] == "Acme POS"
    assert isinstance(payload["vendor_key"], str) and len(payload["vendor_key"]) >= 32
    again = cli.json("integrator", "add", "Other POS")
    assert again["vendor_key"] != payload["vendor_key"]


def test_duplicate_integrator_fails_cleanly(cli: Cli) -> None:
    cli.ok("integrator", "add", "Acme POS")
    assert "exists already" in cli.fails("integrator", "add", "Acme POS")


# --- facilities --------------------------------------------------------------------------------


def test_facility_add_and_list(cli: Cli) -> None:
    grow = add_facility(cli, "CO-GROW-1")
    assert grow["license_number"] == "CO-GROW-1"
    assert (grow["license_type"], grow["state"], grow["timezone"]) == (
        "Cultivator", "CO", "America/Denver",
    )  # fmt: skip
    shop = cli.json(
        "facility", "add", "--license-number", "CA-SHOP-1", "--name", "Shop", "--state", "ca",
        "--type", "Retailer", "--timezone", "America/Los_Angeles",
    )  # fmt: skip
    assert (shop["license_type"], shop["state"], shop["timezone"]) == (
        "Dispensary", "CA", "America/Los_Angeles",
    )  # fmt: skip
    cli.json("facility", "add", "--license-number", "LAB-1", "--name", "Lab", "--state", "CO",
             "--type", "Testing Lab")  # fmt: skip

    listed = cli.json("facility", "list")
    assert [f["license_number"] for f in listed] == ["CA-SHOP-1", "CO-GROW-1", "LAB-1"]
    assert [f["license_type"] for f in listed] == ["Dispensary", "Cultivator", "Testing Lab"]
    assert all(f["employees"] == 0 for f in listed)

    human = cli.ok("facility", "list").stdout
    assert "CO-GROW-1" in human and "Testing Lab" in human


def test_facility_list_of_an_empty_database(cli: Cli) -> None:
    assert cli.json("facility", "list") == []
    assert "No facilities" in cli.ok("facility", "list").stdout


def test_facility_errors(cli: Cli) -> None:
    add_facility(cli, "CO-GROW-1")
    duplicate = cli.fails(
        "facility", "add", "--license-number", "CO-GROW-1", "--name", "Again", "--state", "CO",
        "--type", "Cultivator",
    )  # fmt: skip
    assert "CO-GROW-1" in duplicate and "registered already" in duplicate
    unknown_type = cli.fails(
        "facility", "add", "--license-number", "X-1", "--name", "X", "--state", "CO",
        "--type", "Bakery",
    )  # fmt: skip
    assert "Bakery" in unknown_type and "Cultivator" in unknown_type
    bad_zone = cli.fails(
        "facility", "add", "--license-number", "X-1", "--name", "X", "--state", "CO",
        "--type", "Cultivator", "--timezone", "Mars/Olympus",
    )  # fmt: skip
    assert "Mars/Olympus" in bad_zone
    assert [f["license_number"] for f in cli.json("facility", "list")] == ["CO-GROW-1"]


# --- users ---------------------------------------------------------------------------------------


def test_printed_keys_authenticate_against_the_api(cli: Cli, api: TestClient) -> None:
    vendor_key = cli.json("integrator", "add", "Acme POS")["vendor_key"]
    for number, kind in (("F-1", "Cultivator"), ("F-2", "Manufacturer"), ("F-3", "Distributor")):
        add_facility(cli, number, kind)
    user = cli.json(
        "user", "add", "--name", "Ann Grower", "--employee-license", "EMP-1",
        "--facility", "F-1", "--facility", "F-3", "--permission", "Manage Employees",
    )  # fmt: skip
    assert user["employee_license_number"] == "EMP-1"
    assert [f["license_number"] for f in user["facilities"]] == ["F-1", "F-3"]
    assert user["facilities"][0]["permissions"] == ["Manage Employees"]

    headers = basic_auth(vendor_key, user["user_key"])
    response = api.get("/facilities/v2/", headers=headers)
    assert response.status_code == 200, response.text
    assert [f["License"]["Number"] for f in response.json()] == ["F-1", "F-3"]
    assert {f["License"]["EmployeeLicenseNumber"] for f in response.json()} == {"EMP-1"}

    # The permission granted on the command line is the one the API checks.
    employees = api.get("/employees/v1/", params={"licenseNumber": "F-1"}, headers=headers)
    assert employees.status_code == 200
    assert [e["FullName"] for e in employees.json()] == ["Ann Grower"]

    assert api.get("/facilities/v2/", headers=basic_auth(vendor_key, "wrong")).status_code == 401
    assert (
        api.get("/facilities/v2/", headers=basic_auth("wrong", user["user_key"])).status_code == 401
    )


def test_user_add_prints_the_key_once(cli: Cli) -> None:
    add_facility(cli, "F-1")
    output = cli.ok(
        "user", "add", "--name", "Bo", "--employee-license", "EMP-2", "--facility", "F-1",
        "--all-permissions",
    ).stdout  # fmt: skip
    keys = re.findall(r"user key: (\S+)", output)
    assert len(keys) == 1 and output.count(keys[0]) == 1
    assert f"F-1: {len(all_permissions())} permissions" in output


def test_user_add_without_facilities_and_permission_spelling(cli: Cli) -> None:
    add_facility(cli, "F-1")
    alone = cli.json("user", "add", "--name", "Cy", "--employee-license", "EMP-3")
    assert alone["facilities"] == [] and alone["user_key"]
    # Names are matched without regard to case and stored as the catalogue writes them.
    staff = cli.json(
        "user", "add", "--name", "Di", "--employee-license", "EMP-4", "--facility", "F-1",
        "--permission", "view packages", "--permission", "View Packages",
    )  # fmt: skip
    assert staff["facilities"][0]["permissions"] == ["View Packages"]


def test_user_errors_change_nothing(cli: Cli) -> None:
    add_facility(cli, "F-1")
    unknown_facility = cli.fails(
        "user", "add", "--name", "Ed", "--employee-license", "EMP-5", "--facility", "NOPE",
    )  # fmt: skip
    assert "NOPE" in unknown_facility
    unknown_permission = cli.fails(
        "user", "add", "--name", "Ed", "--employee-license", "EMP-5", "--facility", "F-1",
        "--permission", "Fly Drones",
    )  # fmt: skip
    assert "Fly Drones" in unknown_permission
    no_facility = cli.fails(
        "user", "add", "--name", "Ed", "--employee-license", "EMP-5",
        "--permission", "View Packages",
    )  # fmt: skip
    assert "--facility" in no_facility
    # None of the failed attempts left a user behind, so the licence number is still free.
    made = cli.json("user", "add", "--name", "Ed", "--employee-license", "EMP-5")
    assert made["employee_license_number"] == "EMP-5"
    duplicate = cli.fails("user", "add", "--name", "Eve", "--employee-license", "EMP-5")
    assert "EMP-5" in duplicate
    assert all(f["employees"] == 0 for f in cli.json("facility", "list"))


def test_user_grant_adds_facilities_and_permissions(cli: Cli, api: TestClient) -> None:
    vendor_key = cli.json("integrator", "add", "Acme POS")["vendor_key"]
    add_facility(cli, "F-1")
    add_facility(cli, "F-2", "Dispensary")
    user = cli.json(
        "user", "add", "--name", "Fay", "--employee-license", "EMP-6", "--facility", "F-1",
        "--permission", "View Packages",
    )  # fmt: skip
    headers = basic_auth(vendor_key, user["user_key"])
    query = {"licenseNumber": "F-1"}
    assert api.get("/employees/v2/", params=query, headers=headers).status_code == 403

    granted = cli.json(
        "user", "grant", "--employee-license", "EMP-6", "--facility", "F-1",
        "--permission", "Manage Employees", "--permission", "View Employees",
    )  # fmt: skip
    assert granted["facilities"] == [
        {
            "license_number": "F-1",
            "permissions": ["Manage Employees", "View Employees", "View Packages"],
        }
    ]
    assert api.get("/employees/v2/", params=query, headers=headers).status_code == 200

    everything = cli.json(
        "user", "grant", "--employee-license", "EMP-6", "--facility", "F-2", "--all-permissions"
    )
    assert everything["facilities"][0]["permissions"] == all_permissions()
    numbers = [f["License"]["Number"] for f in api.get("/facilities/v2/", headers=headers).json()]
    assert numbers == ["F-1", "F-2"]
    assert [f["employees"] for f in cli.json("facility", "list")] == [1, 1]

    human = cli.ok("user", "grant", "--employee-license", "EMP-6", "--facility", "F-1").stdout
    assert "F-1: 3 permissions" in human


def test_user_grant_errors(cli: Cli) -> None:
    add_facility(cli, "F-1")
    cli.json("user", "add", "--name", "Gus", "--employee-license", "EMP-7")
    assert "EMP-404" in cli.fails(
        "user", "grant", "--employee-license", "EMP-404", "--facility", "F-1"
    )
    assert "F-404" in cli.fails(
        "user", "grant", "--employee-license", "EMP-7", "--facility", "F-404"
    )
    assert "Nap" in cli.fails(
        "user", "grant", "--employee-license", "EMP-7", "--facility", "F-1", "--permission", "Nap"
    )
    missing_facility = runner.invoke(app, ["user", "grant", "--employee-license", "EMP-7"])
    assert missing_facility.exit_code != 0


def test_database_errors_are_reported_without_a_traceback(cli: Cli) -> None:
    result = runner.invoke(app, ["facility", "list", "--database", "mysql://nobody@nowhere/x"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: cannot open the database")
    assert "Traceback" not in result.output


# --- route coverage ------------------------------------------------------------------------------


def test_routes_json_counts_the_table(cli: Cli) -> None:
    payload = cli.json("routes")
    assert payload["total"] == len(ROWS)
    assert payload["implemented"] == sum(1 for r in ROWS if r.handler is not None)
    assert sum(item["total"] for item in payload["resources"]) == len(ROWS)
    assert sum(item["implemented"] for item in payload["resources"]) == payload["implemented"]
    groups = {(item["resource"], item["version"]): item for item in payload["resources"]}
    assert len(groups) == len({(r.resource, r.version) for r in ROWS})
    for (resource, version), item in groups.items():
        rows = [r for r in ROWS if (r.resource, r.version) == (resource, version)]
        assert item["total"] == len(rows)
        assert item["implemented"] == sum(1 for r in rows if r.handler is not None)
    facilities_v2 = groups[("Facilities", "v2")]
    assert facilities_v2 == {
        "resource": "Facilities", "version": "v2", "implemented": 1, "total": 1,
    }  # fmt: skip


def test_routes_human_output(cli: Cli) -> None:
    output = cli.ok("routes").stdout
    implemented = sum(1 for r in ROWS if r.handler is not None)
    assert re.search(rf"^Total\s+{implemented}/{len(ROWS)}\b", output, re.MULTILINE)
    assert re.search(r"^Employees\s+v2\s+2/2\b", output, re.MULTILINE)


# --- the existing commands keep working ----------------------------------------------------------


def test_db_upgrade_and_demo(cli: Cli, api: TestClient) -> None:
    assert "up to date" in cli.ok("db", "upgrade").stdout
    first = cli.json("demo")
    assert first == cli.json("demo"), "the demo sandbox is created once"
    assert len(first["facilities"]) == 5
    headers = basic_auth(first["vendor_key"], first["user_key"])
    numbers = {f["License"]["Number"] for f in api.get("/facilities/v2/", headers=headers).json()}
    assert numbers == {f["license_number"] for f in first["facilities"]}
    listed = cli.json("facility", "list")
    assert [f["employees"] for f in listed] == [1] * 5


def test_routes_counts_the_trace_table_too(cli: Cli) -> None:
    from leafledger.dialects.trace.table import ROWS as TRACE_ROWS

    payload = cli.json("routes", "--dialect", "trace")
    assert payload["dialect"] == "trace"
    assert payload["total"] == len(TRACE_ROWS)
    assert payload["implemented"] == sum(1 for r in TRACE_ROWS if r.handler is not None)
    result = cli.run("routes", "--dialect", "soap")
    assert result.exit_code == 1 and "unknown dialect" in result.output


def test_routes_counts_the_extension_table(cli: Cli) -> None:
    from leafledger.dialects.leafledger.table import ROWS as LEAFLEDGER_ROWS

    payload = cli.json("routes", "--dialect", "leafledger")
    assert payload["dialect"] == "leafledger"
    assert payload["total"] == payload["implemented"] == len(LEAFLEDGER_ROWS)


def test_routes_tells_the_trace_fraction_per_resource(cli: Cli) -> None:
    from leafledger.dialects.trace.table import ROWS as TRACE_ROWS

    payload = cli.json("routes", "--dialect", "trace")
    groups = {item["resource"]: item for item in payload["resources"]}
    assert set(groups) == {r.resource for r in TRACE_ROWS}
    for resource, item in groups.items():
        rows = [r for r in TRACE_ROWS if r.resource == resource]
        assert item["version"] == "v1"
        assert item["total"] == len(rows)
        assert item["implemented"] == sum(1 for r in rows if r.handler is not None)
    assert groups["Locations"]["implemented"] == groups["Locations"]["total"] == 6
    assert groups["Sales"]["total"] == 10
    assert payload["implemented"] < payload["total"]

    output = cli.ok("routes", "--dialect", "trace").stdout
    for resource, item in groups.items():
        fraction = f"{item['implemented']}/{item['total']}"
        assert re.search(rf"^{re.escape(resource)}\s+v1\s+{fraction}\b", output, re.MULTILINE), (
            resource
        )
    done, total = payload["implemented"], payload["total"]
    share = f"{100 * done / total:.0f}%"
    assert re.search(rf"^Total\s+{done}/{total}\s+\({share} implemented\)", output, re.MULTILINE)


@pytest.mark.parametrize(("workers", "single_accept"), [(1, None), (3, "1")])
def test_serve_spreads_new_connections_over_several_workers(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, workers: int, single_accept: str | None
) -> None:
    import os

    import uvicorn

    started: dict[str, Any] = {}
    monkeypatch.delenv("UV_TCP_SINGLE_ACCEPT", raising=False)
    monkeypatch.setenv("LEAFLEDGER_DATABASE_URL", cli.url)  # serve sets it; undone afterwards
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: started.update(kwargs))
    cli.ok("serve", "--workers", str(workers))
    assert started["workers"] == workers
    assert os.environ.get("UV_TCP_SINGLE_ACCEPT") == single_accept


def test_worker_processes_freeze_their_startup_objects(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    from leafledger.app import app_from_env

    monkeypatch.setenv("LEAFLEDGER_DATABASE_URL", cli.url)
    gc.unfreeze()
    try:
        app = app_from_env()
        assert gc.get_freeze_count() > 0
        app.state.store.dispose()
    finally:
        gc.unfreeze()


# --- Trace API keys ------------------------------------------------------------------------------


def trace_caller(cli: Cli, key: str, licence: str) -> dict[str, str]:
    """The headers of a Trace caller at a new facility `licence`: the Trace key `key`, and
    an integrator's and a user's keys made by the commands."""
    from tests.trace.conftest import kmp_token

    vendor_key = cli.json("integrator", "add", "Acme POS")["vendor_key"]
    add_facility(cli, licence)
    user = cli.json(
        "user", "add", "--name", "Tia Trace", "--employee-license", f"EMP-{licence}",
        "--facility", licence, "--permission", "Manage Locations",
    )  # fmt: skip
    return {"x-api-key": key, "Authorization": kmp_token(vendor_key, user["user_key"])}


def test_trace_key_add_prints_the_key_once_and_it_opens_the_trace_dialect(
    cli: Cli, api: TestClient
) -> None:
    from leafledger.domain.models import TraceAccount

    output = cli.ok("trace-key", "add", "Acme Trace").stdout
    [key] = re.findall(r"x-api-key: (\S+)", output)
    assert len(key) >= 32 and "shown only this once" in output
    headers = trace_caller(cli, key, "T-1")
    response = api.get("/co/v1/config/locations", params={"license_number": "T-1"}, headers=headers)
    assert response.status_code == 200, response.text
    refused = api.get(
        "/co/v1/config/locations",
        params={"license_number": "T-1"},
        headers={**headers, "x-api-key": key[:-2] + "xx"},
    )
    assert refused.status_code == 401

    # The database keeps a digest of the key, not the key.
    store = Store(cli.url)
    with store.transaction() as session:
        from sqlalchemy import select

        [account] = session.scalars(select(TraceAccount).where(TraceAccount.name == "Acme Trace"))
        assert key not in (account.key_hash, account.key_prefix) and account.key_hash != key
    store.dispose()


def test_a_revoked_trace_key_is_refused_at_once_and_listed_as_revoked(
    cli: Cli, api: TestClient
) -> None:

    key = cli.json("trace-key", "add", "Till 4")["trace_api_key"]
    headers = trace_caller(cli, key, "T-2")
    path, params = "/co/v1/config/locations", {"license_number": "T-2"}
    assert api.get(path, params=params, headers=headers).status_code == 200  # now remembered

    said = cli.ok("trace-key", "revoke", "Till 4").stdout
    assert "Revoked the Trace API key Till 4" in said and key not in said
    refused = api.get(path, params=params, headers=headers)
    assert refused.status_code == 401, refused.text
    [listed] = cli.json("trace-key", "list")
    assert (listed["name"], listed["active"]) == ("Till 4", False)
    assert "revoked" in cli.ok("trace-key", "list").stdout
    again = cli.json("trace-key", "revoke", "Till 4")
    assert (again["active"], again["revoked_now"]) == (False, False)
    assert "No Trace API key is named 'Till 5'" in cli.fails("trace-key", "revoke", "Till 5")


def test_trace_key_list_names_keys_without_showing_them(cli: Cli) -> None:
    assert "No Trace API keys yet" in cli.ok("trace-key", "list").stdout
    first = cli.json("trace-key", "add", "Beta")["trace_api_key"]
    cli.json("trace-key", "add", "Alpha")
    listed = cli.json("trace-key", "list")
    assert [item["name"] for item in listed] == ["Alpha", "Beta"]
    assert all(item["active"] for item in listed)
    assert listed[1]["key_prefix"] == first[: len(listed[1]["key_prefix"])]
    output = cli.ok("trace-key", "list").stdout
    assert first not in output and "Alpha" in output and "Beta" in output
    assert "exists already" in cli.fails("trace-key", "add", "Alpha")
