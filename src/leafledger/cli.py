"""The `leafledger` command: serve, migrate, administer keys and facilities, demo data, coverage."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any, NoReturn

import typer
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from leafledger.demo_keys import key_file_for, read_keys, write_keys
from leafledger.domain.actor import CLI, Actor
from leafledger.domain.errors import LedgerError
from leafledger.domain.models import Employee, Facility
from leafledger.domain.services import audit_chain
from leafledger.domain.services.demo import Demo, ensure_demo
from leafledger.domain.services.facilities import (
    change_capabilities,
    create_facility,
    get_facility,
    list_facilities,
)
from leafledger.domain.services.identity import (
    Issued,
    canonical_permissions,
    create_integrator,
    create_user,
    get_user,
    grant,
)
from leafledger.permissions import all_permissions
from leafledger.settings import Settings
from leafledger.store import Store, upgrade

app = typer.Typer(help="leafledger: a seed-to-sale traceability server.", no_args_is_help=True)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
integrator_app = typer.Typer(
    help="Integrators: the vendor keys of client software.", no_args_is_help=True
)
facility_app = typer.Typer(help="Licensed facilities.", no_args_is_help=True)
user_app = typer.Typer(
    help="Users: user keys and their permissions at facilities.", no_args_is_help=True
)
app.add_typer(db_app, name="db")
app.add_typer(integrator_app, name="integrator")
app.add_typer(facility_app, name="facility")
app.add_typer(user_app, name="user")

DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database",
        envvar="LEAFLEDGER_DATABASE_URL",
        help="SQLAlchemy URL: sqlite:///file.db (default) or postgresql+psycopg://...",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


def open_store(database: str | None) -> Store:
    return Store(database or Settings.from_env().database_url)


def migrated_store(database: str | None) -> Store:
    store = open_store(database)
    upgrade(store.engine)
    return store


def demo_payload(demo: Demo) -> dict[str, Any]:
    return {
        "vendor_key": demo.vendor_key,
        "user_key": demo.user_key,
        "trace_api_key": demo.trace_api_key,
        "facilities": [
            {
                "license_number": f.license_number,
                "license_type": f.license_type,
                "state": f.state_code,
            }
            for f in demo.facilities
        ],
    }


def run_demo(store: Store) -> dict[str, Any]:
    """The demo sandbox, made or found; its keys come from (or go to) its key file."""
    key_file = key_file_for(store.url)
    with store.transaction() as session:
        made = ensure_demo(session, CLI, all_permissions(), read_keys(key_file))
        payload = demo_payload(made)
    if made.new_keys:  # written once the keys are committed
        write_keys(key_file, made.keys)
    return {**payload, "key_file": str(key_file)}


@db_app.command("upgrade")
def db_upgrade(database: DatabaseOption = None) -> None:
    """Create or migrate the database schema to the latest version."""
    store = migrated_store(database)
    typer.echo(f"database is up to date: {store.engine.url.render_as_string(hide_password=True)}")


@app.command()
def demo(database: DatabaseOption = None, as_json: JsonOption = False) -> None:
    """Create (once) a demo integrator, one facility per licence type and an all-permission user."""
    payload = run_demo(migrated_store(database))
    if as_json:
        typer.echo(json.dumps(payload))
        return
    typer.echo(_describe_demo(payload))


def _describe_demo(payload: dict[str, Any]) -> str:
    lines = [
        "Demo sandbox (Metrc dialect, HTTP Basic auth):",
        f"  vendor key: {payload['vendor_key']}",
        f"  user key:   {payload['user_key']}",
        "Trace dialect: the same two keys as a KMP-JSON token, plus",
        f"  x-api-key:  {payload['trace_api_key']}",
        f"  (kept in {payload['key_file']}, readable by you only; the database has digests)",
        "  facilities:",
    ]
    lines += [
        f"    {f['license_number']}  {f['state']}  {f['license_type']}"
        for f in payload["facilities"]
    ]
    return "\n".join(lines)


@app.command()
def serve(
    database: DatabaseOption = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
    with_demo: Annotated[
        bool, typer.Option("--demo/--no-demo", help="Create the demo sandbox and print its keys.")
    ] = False,
) -> None:
    """Migrate the database, then serve the API."""
    import os

    import uvicorn

    store = migrated_store(database)
    if with_demo:
        payload = run_demo(store)
        typer.echo(_describe_demo(payload))
        first = payload["facilities"][0]["license_number"]
        typer.echo(
            f"\nTry: curl -u {payload['vendor_key']}:{payload['user_key']} "
            f"'http://{host}:{port}/employees/v2/?licenseNumber={first}'\n"
        )
    os.environ["LEAFLEDGER_DATABASE_URL"] = store.url
    if workers > 1:
        # The workers share one listening socket, and the event loop (libuv, under uvloop)
        # takes every pending connection in one go: a burst of new clients could all land
        # on one worker while the others idle. One connection per turn spreads them out.
        os.environ.setdefault("UV_TCP_SINGLE_ACCEPT", "1")
    store.dispose()
    uvicorn.run(
        "leafledger.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
    )


# --- administration: integrators, facilities, users, route coverage -------------------------

KEY_NOTICE = "Keys are shown only this once and stored hashed: keep them somewhere safe now."

FacilityOption = Annotated[
    list[str] | None,
    typer.Option("--facility", help="Licence number of a facility (repeat for several)."),
]
PermissionOption = Annotated[
    list[str] | None,
    typer.Option("--permission", help='A permission name, e.g. "View Packages" (repeatable).'),
]
AllPermissionsOption = Annotated[
    bool, typer.Option("--all-permissions", help="Grant every permission the API knows.")
]


def fail(message: str) -> NoReturn:
    """Report an operator error on stderr and exit 1, without a traceback."""
    typer.echo(f"Error: {message}", err=True)
    raise typer.Exit(1)


@contextmanager
def admin_session(database: str | None) -> Iterator[Session]:
    """A transaction on the migrated store; domain and database errors become clean exits."""
    try:
        store = migrated_store(database)
    except (ValueError, SQLAlchemyError) as exc:
        fail(f"cannot open the database: {exc}")
    try:
        with store.transaction() as session:
            yield session
    except LedgerError as exc:
        fail(exc.message)
    except IntegrityError as exc:
        fail(f"the change conflicts with existing data: {exc.orig}")
    finally:
        store.dispose()


def echo_json(payload: Any) -> None:
    typer.echo(json.dumps(payload, indent=2))


def wanted_permissions(names: list[str] | None, every: bool) -> list[str]:
    known = all_permissions()
    return known if every else canonical_permissions(names or [], known)


def employment_payload(employee: Employee) -> dict[str, Any]:
    return {
        "license_number": employee.facility.license_number,
        "permissions": sorted(employee.permissions),
    }


def facility_payload(facility: Facility) -> dict[str, Any]:
    return {
        "facility_id": facility.id,
        "license_number": facility.license_number,
        "name": facility.name,
        "license_type": facility.license_type,
        "state": facility.state_code,
        "timezone": facility.timezone,
    }


def _describe_employments(employments: list[dict[str, Any]]) -> list[str]:
    lines = []
    for item in employments:
        count = len(item["permissions"])
        lines.append(f"  {item['license_number']}: {count} permission{'s' * (count != 1)}")
    return lines


audit_app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


@audit_app.command("verify")
def audit_verify(
    facility: Annotated[
        str | None,
        typer.Option("--facility", help="Verify this licence's chain only (default: every chain)."),
    ] = None,
    database: DatabaseOption = None,
    as_json: JsonOption = False,
) -> None:
    """Walk the audit log's hash chains; exit 1 at the first broken link, naming it."""
    with admin_session(database) as session:
        chain = None if facility is None else get_facility(session, facility).id
        result = audit_chain.verify(session, chain)
    payload = {"ok": result.ok, "chains": result.chains, "events": result.events}
    if as_json:
        echo_json({**payload, "broken": result.broken})
    elif result.ok:
        typer.echo(f"audit log intact: {result.events} events in {result.chains} chains")
    if not result.ok:
        if not as_json:
            typer.echo(f"audit log broken: {result.broken}", err=True)
        raise typer.Exit(1)


@integrator_app.command("add")
def integrator_add(
    name: Annotated[str, typer.Argument(help="The integrator's (vendor's) name; unique.")],
    database: DatabaseOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create an integrator and print its vendor key (the Basic-auth username)."""
    print_new_key(
        database, as_json, create_integrator, name, ("Integrator", "vendor key", "vendor_key")
    )


def print_new_key(
    database: str | None,
    as_json: bool,
    issue: Callable[[Session, Actor, str], Issued[Any]],
    name: str,
    words: tuple[str, str, str],
) -> None:
    """Issue a named holder of a key and print the key, once: `words` name the holder, the key
    and the key's field in the JSON output ("Integrator", "vendor key", "vendor_key")."""
    holder, key_name, field = words
    with admin_session(database) as session:
        issued = issue(session, CLI, name)
        payload = {"name": issued.holder.name, field: issued.key}
    if as_json:
        echo_json(payload)
        return
    typer.echo(f"{holder} {payload['name']!r} created.")
    typer.echo(f"  {key_name}: {issued.key}")
    typer.echo(KEY_NOTICE)


@facility_app.command("add")
def facility_add(
    license_number: Annotated[str, typer.Option("--license-number", help="Unique licence number.")],
    name: Annotated[str, typer.Option("--name", help="The facility's name.")],
    state: Annotated[str, typer.Option("--state", help="Two-letter state code, e.g. CO.")],
    license_type: Annotated[
        str,
        typer.Option(
            "--type",
            help="Cultivator, Manufacturer, Dispensary (or Retailer), Testing Lab or Distributor.",
        ),
    ],
    timezone: Annotated[
        str, typer.Option("--timezone", help="IANA time zone of the facility.")
    ] = "America/Denver",
    database: DatabaseOption = None,
    as_json: JsonOption = False,
) -> None:
    """Register a facility; its capabilities come from the licence type's preset."""
    with admin_session(database) as session:
        facility = create_facility(
            session,
            CLI,
            license_number=license_number,
            name=name,
            state_code=state,
            license_type=license_type,
            timezone=timezone,
        )
        payload = facility_payload(facility)
    if as_json:
        echo_json(payload)
        return
    typer.echo(
        f"Facility {payload['license_number']} created: {payload['name']} "
        f"({payload['license_type']}, {payload['state']}, {payload['timezone']})."
    )


@facility_app.command("list")
def facility_list(database: DatabaseOption = None, as_json: JsonOption = False) -> None:
    """List every facility with its licence type and number of employees."""
    with admin_session(database) as session:
        payload = [
            {**facility_payload(facility), "employees": staff}
            for facility, staff in list_facilities(session)
        ]
    if as_json:
        echo_json(payload)
        return
    if not payload:
        typer.echo("No facilities yet; add one with `leafledger facility add`.")
        return
    width = max(len(item["license_number"]) for item in payload)
    for item in payload:
        typer.echo(
            f"{item['license_number']:<{width}}  {item['license_type']:<12}  {item['state']}  "
            f"{item['employees']:>3} employee{'s' * (item['employees'] != 1)}  {item['name']}"
        )


FlagOption = Annotated[
    list[str] | None,
    typer.Option(help="A capability flag, e.g. CanSellToPatients (repeatable)."),
]


@facility_app.command("capabilities")
def facility_capabilities(
    license_number: Annotated[str, typer.Option("--license-number", help="The facility.")],
    enable: FlagOption = None,
    disable: FlagOption = None,
    database: DatabaseOption = None,
    as_json: JsonOption = False,
) -> None:
    """Turn capability flags of one facility on (--enable) or off (--disable), then print the
    flags it has on; its licence type's preset is left as it is."""
    with admin_session(database) as session:
        facility = get_facility(session, license_number.strip())
        if enable or disable:
            change_capabilities(session, CLI, facility, enable=enable or (), disable=disable or ())
        flags = sorted(name for name, value in facility.capabilities.items() if value is True)
        payload = {"license_number": facility.license_number, "enabled": flags}
    if as_json:
        echo_json(payload)
        return
    typer.echo(f"{payload['license_number']}: {', '.join(flags) or 'no capability flags on'}")


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Option("--name", help="The user's full name.")],
    employee_license: Annotated[
        str, typer.Option("--employee-license", help="The user's employee licence number; unique.")
    ],
    facility: FacilityOption = None,
    permission: PermissionOption = None,
    every_permission: AllPermissionsOption = False,
    database: DatabaseOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create a user, employ them at the facilities given, and print their user key."""
    licenses = facility or []
    if (permission or every_permission) and not licenses:
        fail("permissions are held at a facility: add --facility LICENSE")
    with admin_session(database) as session:
        permissions = wanted_permissions(permission, every_permission)
        issued = create_user(session, CLI, name, employee_license)
        employments = [
            employment_payload(
                grant(session, CLI, issued.holder, get_facility(session, lic), permissions)
            )
            for lic in dict.fromkeys(licenses)
        ]
        payload = {
            "full_name": issued.holder.full_name,
            "employee_license_number": issued.holder.employee_license_number,
            "user_key": issued.key,
            "facilities": employments,
        }
    if as_json:
        echo_json(payload)
        return
    typer.echo(f"User {payload['full_name']!r} ({payload['employee_license_number']}) created.")
    typer.echo(f"  user key: {payload['user_key']}")
    typer.echo("\n".join(_describe_employments(employments)) or "  (not employed anywhere yet)")
    typer.echo(KEY_NOTICE)


@user_app.command("grant")
def user_grant(
    employee_license: Annotated[
        str, typer.Option("--employee-license", help="The user's employee licence number.")
    ],
    facility: Annotated[
        list[str], typer.Option("--facility", help="Licence number of a facility (repeatable).")
    ],
    permission: PermissionOption = None,
    every_permission: AllPermissionsOption = False,
    database: DatabaseOption = None,
    as_json: JsonOption = False,
) -> None:
    """Employ an existing user at facilities and add permissions; nothing held is removed."""
    with admin_session(database) as session:
        permissions = wanted_permissions(permission, every_permission)
        user = get_user(session, employee_license.strip())
        employments = [
            employment_payload(grant(session, CLI, user, get_facility(session, lic), permissions))
            for lic in dict.fromkeys(facility)
        ]
        payload = {
            "employee_license_number": user.employee_license_number,
            "facilities": employments,
        }
    if as_json:
        echo_json(payload)
        return
    typer.echo(f"User {payload['employee_license_number']} now holds:")
    typer.echo("\n".join(_describe_employments(employments)))


# --- Trace API keys: the x-api-key header of the Trace dialect --------------------------------

trace_key_app = typer.Typer(
    help="Trace API keys: the x-api-key header every Trace request carries.",
    no_args_is_help=True,
)
app.add_typer(trace_key_app, name="trace-key")


@trace_key_app.command("add")
def trace_key_add(
    name: Annotated[str, typer.Argument(help="The key's name (who uses it); unique.")],
    database: DatabaseOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create a Trace API key and print it (the x-api-key header of Trace requests)."""
    from leafledger.domain.services.trace_accounts import create_trace_account

    words = ("Trace API key", "x-api-key", "trace_api_key")
    print_new_key(database, as_json, create_trace_account, name, words)


@trace_key_app.command("list")
def trace_key_list(database: DatabaseOption = None, as_json: JsonOption = False) -> None:
    """List the Trace API keys by name, with the first characters of each (never the key)."""
    from leafledger.domain.services.trace_accounts import list_trace_accounts

    with admin_session(database) as session:
        payload: list[dict[str, Any]] = [
            {
                "name": account.name,
                "key_prefix": account.key_prefix,
                "active": account.active,
                "created": account.created_at.isoformat(),
            }
            for account in list_trace_accounts(session)
        ]
    if as_json:
        echo_json(payload)
        return
    if not payload:
        typer.echo("No Trace API keys yet; add one with `leafledger trace-key add NAME`.")
        return
    for item in payload:
        standing = "active" if item["active"] else "revoked"
        typer.echo(f"{item['key_prefix']}…  {standing:<7}  {item['created'][:10]}  {item['name']}")


@trace_key_app.command("revoke")
def trace_key_revoke(
    name: Annotated[str, typer.Argument(help="The key's name, as `trace-key list` shows it.")],
    database: DatabaseOption = None,
    as_json: JsonOption = False,
) -> None:
    """Revoke a Trace API key: Trace requests carrying it are refused from then on."""
    from leafledger.domain.services.trace_accounts import revoke_trace_account

    with admin_session(database) as session:
        account, was_active = revoke_trace_account(session, CLI, name)
        payload = {"name": account.name, "key_prefix": account.key_prefix, "active": False}
    if as_json:
        echo_json({**payload, "revoked_now": was_active})
        return
    if not was_active:
        typer.echo(f"The Trace API key {name} ({payload['key_prefix']}…) was revoked already.")
        return
    typer.echo(
        f"Revoked the Trace API key {name} ({payload['key_prefix']}…). A running server "
        f"refuses it within {Settings.from_env().auth_cache_seconds:g} seconds."
    )


# --- tags: issued by the operator, since a self-hosted ledger has no state to ship them ------

tags_app = typer.Typer(help="Plant and package tags issued to facilities.", no_args_is_help=True)
app.add_typer(tags_app, name="tags")


@tags_app.command("issue")
def tags_issue(
    facility: Annotated[str, typer.Option("--facility", help="Licence number of the facility.")],
    kind: Annotated[str, typer.Option("--kind", help="plant or package.")],
    count: Annotated[int, typer.Option("--count", help="How many tags to issue.")],
    database: DatabaseOption = None,
    as_json: JsonOption = False,
) -> None:
    """Issue new tags to a facility and print their labels, in sequence."""
    from leafledger.domain.services.tags import issue_tags

    with admin_session(database) as session:
        tags = issue_tags(session, CLI, get_facility(session, facility.strip()), kind, count)
        payload = {
            "license_number": facility.strip(),
            "kind": tags[0].kind,
            "tag_type": tags[0].tag_type_name,
            "labels": [tag.label for tag in tags],
        }
    if as_json:
        echo_json(payload)
        return
    typer.echo("\n".join(payload["labels"]))


# --- caregivers: designated by the operator, as the state registry would --------------------

caregiver_app = typer.Typer(
    help="Caregivers designated for the patients registered at a facility.", no_args_is_help=True
)
app.add_typer(caregiver_app, name="caregiver")

CaregiverFacilityOption = Annotated[
    str, typer.Option("--facility", help="Licence number of the facility.")
]
CaregiverOption = Annotated[
    str, typer.Option("--caregiver", help="The caregiver's licence number.")
]
PatientOption = Annotated[
    list[str], typer.Option("--patient", help="A patient's licence number (repeatable).")
]


def _caregiver_change(
    facility: str, caregiver: str, patients: list[str], database: str | None, *, add: bool
) -> dict[str, Any]:
    from leafledger.domain.services.patients import (
        CaregiverLink,
        caregiver_status,
        designate_caregiver,
        release_caregiver,
    )

    change = designate_caregiver if add else release_caregiver
    with admin_session(database) as session:
        at = get_facility(session, facility.strip())
        for patient in dict.fromkeys(patients):
            change(session, CLI, at, CaregiverLink(caregiver, patient))
        status = caregiver_status(session, at, caregiver)
        return {
            "license_number": at.license_number,
            "caregiver": status.license_number,
            "active": status.active,
            "patients": list(status.patients),
        }


def _echo_caregiver(payload: dict[str, Any], as_json: bool) -> None:
    if as_json:
        echo_json(payload)
        return
    patients = ", ".join(payload["patients"]) or "nobody"
    typer.echo(f"Caregiver {payload['caregiver']} at {payload['license_number']}: {patients}.")


def _caregiver_command(add: bool, summary: str) -> Any:
    """The `caregiver add` or `caregiver remove` command."""

    def command(
        facility: CaregiverFacilityOption,
        caregiver: CaregiverOption,
        patient: PatientOption,
        database: DatabaseOption = None,
        as_json: JsonOption = False,
    ) -> None:
        _echo_caregiver(_caregiver_change(facility, caregiver, patient, database, add=add), as_json)

    command.__doc__ = summary
    return command


caregiver_app.command("add")(
    _caregiver_command(
        True,
        "Designate a caregiver for registered patients (the facility must sell to caregivers).",
    )
)
caregiver_app.command("remove")(
    _caregiver_command(False, "End a caregiver's designation for patients.")
)


def route_coverage(dialect: str = "metrc") -> dict[str, Any]:
    """Implemented and total rows per resource and version; a row counts once it has a handler."""
    from leafledger.dialects.leafledger.table import ROWS as LEAFLEDGER_ROWS
    from leafledger.dialects.metrc.table import ROWS as METRC_ROWS
    from leafledger.dialects.trace.table import ROWS as TRACE_ROWS

    tables = {"metrc": METRC_ROWS, "trace": TRACE_ROWS, "leafledger": LEAFLEDGER_ROWS}
    if dialect not in tables:
        fail(f"unknown dialect {dialect!r}: use metrc, trace or leafledger")
    groups: dict[tuple[str, str], list[int]] = {}
    for endpoint in tables[dialect]:
        counts = groups.setdefault((endpoint.resource, endpoint.version), [0, 0])
        counts[0] += int(endpoint.implemented)
        counts[1] += 1
    resources = [
        {"resource": resource, "version": version, "implemented": done, "total": total}
        for (resource, version), (done, total) in sorted(groups.items())
    ]
    return {
        "dialect": dialect,
        "resources": resources,
        "implemented": sum(item["implemented"] for item in resources),
        "total": sum(item["total"] for item in resources),
    }


@app.command()
def routes(
    database: DatabaseOption = None,
    as_json: JsonOption = False,
    dialect: Annotated[
        str, typer.Option(help="Which table: metrc, trace or leafledger (the extension's).")
    ] = "metrc",
) -> None:
    """Report how many endpoints are implemented (the rest answer 501), per resource and version.

    The endpoint table is part of the code, so --database is accepted but not needed.
    """
    del database  # accepted like every command's, for uniform scripting
    payload = route_coverage(dialect.strip().lower())
    if as_json:
        echo_json(payload)
        return
    width = max(len(item["resource"]) for item in payload["resources"])
    for item in payload["resources"]:
        typer.echo(
            f"{item['resource']:<{width}}  {item['version']}  "
            f"{item['implemented']:>3}/{item['total']:<3}"
        )
    done, total = payload["implemented"], payload["total"]
    share = 100 * done / total if total else 0.0
    typer.echo(f"{'Total':<{width}}      {done:>3}/{total:<3} ({share:.0f}% implemented)")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
