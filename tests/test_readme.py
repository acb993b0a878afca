"""The README's two opening commands, checked as a new user would run them: in a fresh clone.

The clone holds only committed files, so the clone tests are skipped while src/, pyproject.toml
or the README have uncommitted changes (unless CI=true, where the checkout is itself a clone).
They need git and the package index (pip's cache is used), and take a minute or two; they run in
the SQLite pass only, as they do not depend on the test database.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
CI_SCRIPT = ROOT / ".ci" / "run"

SERVE_COMMAND = (
    "python3 -m venv .venv && . .venv/bin/activate && pip install -e . && leafledger serve --demo"
)
TEST_COMMAND = "python3 -m venv .venv && . .venv/bin/activate && pip install -e '.[test]' && pytest"
INSTALL_TIMEOUT = 300  # seconds for an install and a server start, generous for a cold cache
CHECKED_PATHS = ("src", "pyproject.toml", "README.md")


def readme_commands() -> list[str]:
    """The commands of the README's first code block, which must sit in its first lines."""
    lines = README.read_text(encoding="utf-8").splitlines()
    fences = [i for i, line in enumerate(lines) if line.startswith("```")]
    assert len(fences) >= 2, "the README has no code block"
    start, end = fences[0], fences[1]
    assert start < 10, "the commands must come first in the README"
    return [
        line.strip()
        for line in lines[start + 1 : end]
        if line.strip() and not line.strip().startswith("#")
    ]


def test_readme_opens_with_the_two_commands() -> None:
    assert readme_commands() == [SERVE_COMMAND, TEST_COMMAND]


def test_ci_installs_with_the_readme_test_command() -> None:
    install = TEST_COMMAND.split("&& pip install ", 1)[1].split(" &&", 1)[0]
    assert install == "-e '.[test]'"
    assert f"pip install --quiet {install}" in CI_SCRIPT.read_text(encoding="utf-8")


# --- in a fresh clone


def dirty_paths(root: Path) -> list[str]:
    status = subprocess.run(
        ["git", "status", "--porcelain", "--", *CHECKED_PATHS],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    return [line for line in status.stdout.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if os.environ.get("LEAFLEDGER_TEST_DATABASE_URL"):
        pytest.skip("the README commands do not use the test database; checked in the SQLite run")
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    top = subprocess.run(
        ["git", "rev-parse", "--show-toplevel"], cwd=ROOT, capture_output=True, text=True
    )
    if top.returncode != 0:
        pytest.skip(f"{ROOT} is not a git checkout")
    root = Path(top.stdout.strip())
    dirty = dirty_paths(root)
    if dirty and os.environ.get("CI") != "true":
        pytest.skip(
            "a clone holds only committed files, and these have uncommitted changes: "
            + ", ".join(dirty)
            + " (commit them, or set CI=true to check the committed state anyway)"
        )
    target = tmp_path_factory.mktemp("readme") / "leafledger"
    subprocess.run(["git", "clone", "--quiet", str(root), str(target)], check=True)
    return target


def user_environment() -> dict[str, str]:
    """This environment less what a new user would not have: our venv, our settings."""
    env = dict(os.environ)
    venv = env.pop("VIRTUAL_ENV", None)
    if venv:
        env["PATH"] = os.pathsep.join(
            p for p in env.get("PATH", "").split(os.pathsep) if not p.startswith(venv)
        )
    for name in list(env):
        if name.startswith("LEAFLEDGER_") or name in {"PYTHONPATH", "PIP_NO_CACHE_DIR"}:
            del env[name]
    env["PYTHONUNBUFFERED"] = "1"
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def served(clone: Path) -> Iterator[tuple[int, Path]]:
    """Command 1 running in the background (on a free port); its port and its output file."""
    port = free_port()
    command = f"{SERVE_COMMAND} --port {port}"  # only the port differs from the README
    assert readme_commands()[0] == SERVE_COMMAND
    output = clone / "serve-output.txt"
    with output.open("wb") as sink:
        process = subprocess.Popen(
            ["bash", "-c", command],
            cwd=clone,
            env=user_environment(),
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until_serving(process, port, output)
        yield port, output
    finally:
        stop(process)


def wait_until_serving(process: subprocess.Popen[bytes], port: int, output: Path) -> None:
    deadline = time.monotonic() + INSTALL_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"command 1 exited with {process.returncode}:\n{tail(output)}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    pytest.fail(f"the server did not answer within {INSTALL_TIMEOUT} s:\n{tail(output)}")


def stop(process: subprocess.Popen[bytes]) -> None:
    """End the process group this test started (bash, pip or the server), by its id."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=15)


def tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def test_command_1_serves_the_demo_sandbox(served: tuple[int, Path]) -> None:
    port, output = served
    text = output.read_text(errors="replace")
    vendor = re.search(r"vendor key:\s*(\S+)", text)
    user = re.search(r"user key:\s*(\S+)", text)
    assert vendor and user, f"no keys printed:\n{tail(output)}"

    response = httpx.get(
        f"http://127.0.0.1:{port}/facilities/v2/", auth=(vendor[1], user[1]), timeout=10
    )
    assert response.status_code == 200, response.text
    facilities = response.json()
    assert isinstance(facilities, list)
    assert len(facilities) == 5

    anonymous = httpx.get(f"http://127.0.0.1:{port}/facilities/v2/", timeout=10)
    assert anonymous.status_code == 401


def test_command_2_installs_and_collects_the_tests(clone: Path) -> None:
    install, _, runner = TEST_COMMAND.rpartition(" && ")
    assert runner == "pytest"
    result = subprocess.run(
        ["bash", "-c", f"{install} && pytest --collect-only -q"],
        cwd=clone,
        env=user_environment(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=INSTALL_TIMEOUT,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert collected_count(result.stdout) > 100, result.stdout[-3000:]


def collected_count(output: str) -> int:
    """Tests collected, from "N tests collected" or (with -qq) the per-file "path.py: N" lines."""
    summary = re.search(r"^(\d+) tests? collected", output, re.MULTILINE)
    if summary:
        return int(summary[1])
    return sum(int(n) for n in re.findall(r"^\S+\.py: (\d+)$", output, re.MULTILINE))
