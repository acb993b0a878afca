"""Where `leafledger demo` keeps the demo sandbox's printable keys: a file of their own.

The database stores every key as a digest, so the keys are kept here for the demo to print
again: a JSON file readable and writable by its owner only (mode 0600). By default it sits
beside a SQLite database (`leafledger.db` -> `leafledger.db.demo-keys.json`); for a PostgreSQL
database it is `$XDG_DATA_HOME/leafledger/demo-keys-<host>-<port>-<database>.json`
(XDG_DATA_HOME defaults to ~/.local/share); LEAFLEDGER_DEMO_KEYS names another path. Deleting
the file only means the demo gets new keys on its next run.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from sqlalchemy.engine import make_url

from leafledger.domain.services.demo import DemoKeys

ENV = "LEAFLEDGER_DEMO_KEYS"


def key_file_for(database_url: str) -> Path:
    override = os.environ.get(ENV)
    if override:
        return Path(override)
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Path(f"{url.database}.demo-keys.json")
    data_home = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    name = "-".join(str(part) for part in (url.host or "local", url.port or "", url.database))
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", name)
    return Path(data_home) / "leafledger" / f"demo-keys-{safe}.json"


def read_keys(path: Path) -> DemoKeys | None:
    """The keys kept at `path`, or None when there is no readable key file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return DemoKeys(data["vendor_key"], data["user_key"], data["trace_api_key"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_keys(path: Path, keys: DemoKeys) -> None:
    """Keep `keys` at `path`, readable by its owner only (written whole, then moved in)."""
    content = json.dumps(
        {
            "vendor_key": keys.vendor_key,
            "user_key": keys.user_key,
            "trace_api_key": keys.trace_api_key,
        },
        indent=2,
    )
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    staging = path.with_name(f".{path.name}.{os.getpid()}")
    descriptor = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(content + "\n")
    os.chmod(staging, 0o600)
    os.replace(staging, path)
