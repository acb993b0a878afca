"""The `leafledger` command: serve, migrate, administer keys and facilities, demo data, coverage."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from leafledger.domain.actor import CLI
from leafledger.domain.services.demo import Demo, ensure_demo
from leafledger.permissions import all_permissions
from leafledger.settings import Settings
from leafledger.store import Store, upgrade

app = typer.Typer(help="leafledger: a seed-to-sale traceability server.", no_args_is_help=True)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
app.add_typer(db_app, name="db")

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
        "facilities": [
            {"license_number": f.license_number, "license_type": f.license_type}
            for f in demo.facilities
        ],
    }


def run_demo(store: Store) -> dict[str, Any]:
    with store.transaction() as session:
        return demo_payload(ensure_demo(session, CLI, all_permissions()))


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
        "  facilities:",
    ]
    lines += [
        f"    {f['license_number']}  {f['license_type']}" for f in payload["facilities"]
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
    store.dispose()
    uvicorn.run(
        "leafledger.app:app_from_env", factory=True, host=host, port=port, workers=workers,
        log_level="info",
    )


def main() -> None:
    app()


if __name__ == "__main__":
    main()
