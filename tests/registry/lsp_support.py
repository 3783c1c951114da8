"""Helpers for the end-to-end tests that drive `layerwise lsp` against the loopback registries
of tests/registry/fixture.sh (tests/lsp/test_registry_*.py).

The fixture's environment (`FIXTURE_*`, see fixture.sh) says where the registries are and what
the pushed images weigh. Without it the tests skip, unless LAYERWISE_REQUIRE_REGISTRY=1 (set by
tests/suites/40-registry.sh), where a missing fixture is a failure.

`PrivateRegistry` starts one more plain registry that a test may stop, fill or empty without
disturbing the shared ones.
"""
from __future__ import annotations

import json
import os
import pathlib
import shutil
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.request
from typing import Any, Callable

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
BINARY = os.environ.get("LAYERWISE_BIN", str(ROOT / "target" / "debug" / "layerwise"))
TIMEOUT = float(os.environ.get("LAYERWISE_TEST_TIMEOUT", "20"))

# Client capabilities of an editor that shows hints and lenses and honours refresh requests.
CAPS = {
    "general": {"positionEncodings": ["utf-16"]},
    "textDocument": {
        "hover": {"contentFormat": ["markdown"]},
        "inlayHint": {},
        "codeLens": {},
        "codeAction": {"codeActionLiteralSupport": {"codeActionKind": {"valueSet": [
            "quickfix", "refactor", "refactor.rewrite", "source"]}}},
        "completion": {"completionItem": {"snippetSupport": True}},
        "publishDiagnostics": {"versionSupport": True},
    },
    "workspace": {"configuration": False, "inlayHint": {"refreshSupport": True},
                  "codeLens": {"refreshSupport": True}},
}


def fixture() -> dict[str, str]:
    """The fixture's variables, or skip (fail when the suite requires the registry)."""
    if not os.environ.get("FIXTURE_PLAIN"):
        if os.environ.get("LAYERWISE_REQUIRE_REGISTRY") == "1":
            raise AssertionError("LAYERWISE_REQUIRE_REGISTRY=1 but the registry fixture is not running")
        raise unittest.SkipTest("no registry fixture (run tests/suites/40-registry.sh)")
    return {k: v for k, v in os.environ.items() if k.startswith("FIXTURE_")}


def registry_options(cache_dir: str, **extra: Any) -> dict:
    """initializationOptions for a server that talks to the loopback registries."""
    registry = {"cacheDir": cache_dir, "platform": "linux/amd64", "tagTtlSeconds": 3600}
    registry.update(extra)
    return {"registry": registry}


def format_bytes(n: int) -> str:
    """layerwise's (and `docker images`') decimal formatting."""
    if n < 1000:
        return f"{n} B"
    units = ["kB", "MB", "GB", "TB", "PB"]
    value, unit = n / 1000.0, 0
    while value >= 999.95 and unit + 1 < len(units):
        value /= 1000.0
        unit += 1
    if value >= 100:
        return f"{value:.0f} {units[unit]}"
    if value >= 10:
        return f"{value:.1f} {units[unit]}"
    return f"{value:.2f} {units[unit]}"


def format_range(low: int, high: int) -> str:
    """A range as layerwise shows it: `120–180 MB` when both ends share a unit, else
    `800 kB–1.20 MB`."""
    a, b = format_bytes(low), format_bytes(high)
    if a == b:
        return f"≈ {a}"
    (na, ua), (nb, ub) = a.rsplit(" ", 1), b.rsplit(" ", 1)
    return f"{na}–{nb} {ub}" if ua == ub else f"{a}–{b}"


def unpacked_range(compressed: int, plus: int = 0) -> str:
    """What layerwise shows as the unpacked size of an image known only by its compressed size
    (2–3.5× that, see docs/sizes.md), plus `plus` bytes of known steps."""
    return format_range(compressed * 20 // 10 + plus, compressed * 35 // 10 + plus)


def wait_until(what: str, probe: Callable[[], Any], timeout: float = TIMEOUT, every: float = 0.1) -> Any:
    """Calls `probe` until it returns something truthy; fails with the last value after `timeout`."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = probe()
        if last:
            return last
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}; last: {last!r}")


def hints(session, uri: str, lines: int = 200) -> list[dict]:
    return session.request("textDocument/inlayHint", {
        "textDocument": {"uri": uri},
        "range": {"start": {"line": 0, "character": 0}, "end": {"line": lines, "character": 0}}}) or []


def labels(got: list[dict]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for h in got:
        out.setdefault(h["position"]["line"], []).append(h["label"])
    return out


def tooltip(h: dict) -> str:
    t = h.get("tooltip")
    return t["value"] if isinstance(t, dict) else (t or "")


def refreshes(session) -> int:
    """How many `workspace/inlayHint/refresh` requests the server has sent so far."""
    return session.client.log.server_requests["workspace/inlayHint/refresh"]


def cache_files(cache_dir: str) -> dict[str, str]:
    """Every file of a registry disk cache, path relative to the directory -> text."""
    out = {}
    for p in pathlib.Path(cache_dir).rglob("*"):
        if p.is_file():
            out[str(p.relative_to(cache_dir))] = p.read_text(errors="replace")
    return out


def run_cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([BINARY, *args], capture_output=True, text=True, timeout=timeout)


def docker_config(directory: str, registry: str, user: str, password: str) -> str:
    """Writes a Docker config.json with Basic credentials for `registry`; returns the folder."""
    import base64
    os.makedirs(directory, exist_ok=True)
    auth = base64.b64encode(f"{user}:{password}".encode()).decode()
    with open(os.path.join(directory, "config.json"), "w") as f:
        json.dump({"auths": {registry: {"auth": auth}}}, f)
    return directory


class Env:
    """Sets environment variables for the servers started inside the block (they inherit them)."""

    def __init__(self, **values: str) -> None:
        self.values = values
        self.saved: dict[str, str | None] = {}

    def __enter__(self) -> "Env":
        for k, v in self.values.items():
            self.saved[k] = os.environ.get(k)
            os.environ[k] = v
        return self

    def __exit__(self, *exc: Any) -> None:
        for k, v in self.saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateRegistry:
    """A plain-HTTP docker-registry on loopback that only this test uses. `start()` and
    `stop()` may be called repeatedly; the port and the stored images stay the same."""

    def __init__(self, fx: dict[str, str]) -> None:
        self.fx = fx
        self.dir = tempfile.mkdtemp(prefix="layerwise-private-registry.")
        self.port = free_port()
        self.host = f"127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        with open(os.path.join(self.dir, "config.yml"), "w") as f:
            f.write(f"""version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: {self.dir}/data
http:
  addr: {self.host}
""")

    def start(self) -> "PrivateRegistry":
        if self.proc is None:
            log = open(os.path.join(self.dir, "registry.log"), "ab")  # noqa: SIM115 - closed with the process
            self.proc = subprocess.Popen(["docker-registry", "serve", os.path.join(self.dir, "config.yml")],
                                         stdout=log, stderr=log)
            log.close()
            wait_until(f"registry on {self.host}", self._up, timeout=10, every=0.05)
        return self

    def _up(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://{self.host}/v2/", timeout=1) as r:
                return r.status == 200
        except OSError:
            return False

    def push(self, layout_ref: str, dest: str) -> None:
        """Copies the fixture layout's `layout_ref` ("1.0" or "multi") to `dest` (repo:tag)."""
        d = self.fx["FIXTURE_DIR"]
        subprocess.run(["skopeo", "--policy", f"{d}/policy.json", "copy", "-q", "--all", "--dest-tls-verify=false",
                        f"oci:{d}/layout:{layout_ref}", f"docker://{self.host}/{dest}"],
                       check=True, capture_output=True, timeout=60)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
            self.proc = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> "PrivateRegistry":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.close()


class GatedProxy:
    """A TCP forwarder on loopback in front of a registry that holds every connection until
    `open()`: the test decides when the registry "answers", so it can see what the server
    shows while a lookup is still running, without relying on timing."""

    def __init__(self, target: str) -> None:
        import threading
        self.target_host, port = target.rsplit(":", 1)
        self.target_port = int(port)
        self.gate = threading.Event()
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.host = f"127.0.0.1:{self.sock.getsockname()[1]}"
        self.connections = 0
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def open(self) -> None:
        self.gate.set()

    def _accept(self) -> None:
        import threading
        while not self.closed:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        import threading
        self.gate.wait(timeout=120)
        try:
            upstream = socket.create_connection((self.target_host, self.target_port), timeout=10)
        except OSError:
            client.close()
            return

        def pump(src: socket.socket, dst: socket.socket) -> None:
            try:
                while True:
                    data = src.recv(65536)
                    if not data:
                        break
                    dst.sendall(data)
            except OSError:
                pass
            finally:
                for s in (src, dst):
                    try:
                        s.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass

        back = threading.Thread(target=pump, args=(upstream, client), daemon=True)
        back.start()
        pump(client, upstream)
        back.join(timeout=30)
        client.close()
        upstream.close()

    def close(self) -> None:
        self.closed = True
        self.gate.set()
        self.sock.close()

    def __enter__(self) -> "GatedProxy":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
