"""A throw-away PostgreSQL server for the tests: initdb in a temporary folder, pg_ctl on a free local port.

Used two ways: ``tests/conftest.py`` starts one for the test session when ``POLARWATCH_TEST_PG`` is not
set and the server binaries are installed, and ``.ci/run`` runs ``python tests/_postgres.py start`` (which
prints ``export POLARWATCH_TEST_PG=...`` lines for the shell) and ``stop DIR`` at the end. When run as
root the server runs as the ``postgres`` user, since PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path


def binaries() -> Path | None:
    """The folder holding initdb and pg_ctl (the newest installed version), or None."""
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_server_user(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    return ["runuser", "-u", "postgres", "--", *cmd] if shutil.which("runuser") else ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(cmd)]


def start() -> tuple[str, str]:
    """Start a server; (URL of its ``postgres`` database, data folder to give ``stop``)."""
    bindir = binaries()
    if bindir is None:
        raise RuntimeError("PostgreSQL server binaries not found (apt-get install postgresql)")
    root = tempfile.mkdtemp(prefix="polarwatch-pg-")
    if os.geteuid() == 0:
        pw = pwd.getpwnam("postgres")
        os.chown(root, pw.pw_uid, pw.pw_gid)
    data, port = os.path.join(root, "data"), _free_port()
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE, "check": True}
    subprocess.run(_as_server_user([str(bindir / "initdb"), "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8"]), **quiet)  # type: ignore[call-overload]
    opts = f"-c listen_addresses=127.0.0.1 -c port={port} -k {root} -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    subprocess.run(_as_server_user([str(bindir / "pg_ctl"), "-D", data, "-l", os.path.join(root, "log"), "-o", opts, "-w", "start"]), **quiet)  # type: ignore[call-overload]
    return f"postgresql://postgres@127.0.0.1:{port}/postgres", data


def stop(data: str) -> None:
    bindir = binaries()
    if bindir and os.path.isdir(data):
        subprocess.run(_as_server_user([str(bindir / "pg_ctl"), "-D", data, "-m", "immediate", "stop"]),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)  # fmt: skip
    shutil.rmtree(os.path.dirname(data), ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["start"]:
        url, data = start()
        print(f"export POLARWATCH_TEST_PG={url}\nexport POLARWATCH_TEST_PG_DATA={data}")
    elif sys.argv[1:2] == ["stop"] and len(sys.argv) == 3:
        stop(sys.argv[2])
    else:
        sys.exit("usage: _postgres.py start | stop DATA_DIR")


# -- pytest helpers (tests/conftest.py) -----------------------------------------------------------
def pg_test_server():  # type: ignore[no-untyped-def]
    """Yield a server URL for a test session, or skip: only when there is no server and CI is unset."""
    import pytest

    url = os.environ.get("POLARWATCH_TEST_PG")
    data = None
    if not url:
        if binaries() is None:
            msg = "no PostgreSQL server: set POLARWATCH_TEST_PG=postgresql://… or apt-get install postgresql"
            if os.environ.get("CI"):
                pytest.fail(f"CI must run the PostgreSQL store tests, but found {msg}")
            pytest.skip(f"PostgreSQL store tests skipped: {msg}")
        url, data = start()
    try:
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:  # the test schemas find unaccent in public
            try:
                conn.execute("CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public")
            except psycopg.Error:
                pass
        yield url
    finally:
        if data:
            stop(data)


def pg_test_schema(server: str) -> tuple[str, object]:
    """A fresh schema on *server*: (a URL whose search_path puts it first, a function that drops it)."""
    import uuid
    from urllib.parse import quote

    import psycopg

    from polarwatch.store.postgres import close_pools

    schema = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    url = server + ("&" if "?" in server else "?") + "options=" + quote(f"-csearch_path={schema},public")

    def drop() -> None:
        close_pools(url)
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")

    return url, drop
