"""A raw protocol peer for the robustness tests: one `layerwise lsp` process driven byte by byte.

Unlike the harness's `Session` (bench/lsp/lsp_client.py underneath), it can send anything —
bodies that are not JSON, wrong `Content-Length`s, junk between frames — and it is strict about
what comes back: everything the server writes must be a well-formed frame holding a JSON object
(stdout is the protocol). A reader thread checks that, files responses by id, answers (or
rejects, or ignores) the server's own requests, and keeps published diagnostics. Every wait has
a deadline. Used by test_robustness*.py, test_protocol_messages.py and test_protocol_settings.py.
"""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from typing import Any, Callable

from harness import BINARY, ROOT, vm_kib

sys.path.insert(0, str(ROOT / "bench" / "lsp"))
from lsp_framing import FramingError, decode_body, read_message  # noqa: E402


def frame(body: bytes) -> bytes:
    """`body` behind a correct `Content-Length` header, whatever the body is."""
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def message(payload: dict) -> bytes:
    """One well-framed JSON-RPC message."""
    return frame(json.dumps(payload).encode())


def accept_all(method: str, params: Any) -> tuple[str, Any]:
    """A well-behaved client: `workspace/configuration` gets one null per item, the rest null."""
    if method == "workspace/configuration" and isinstance(params, dict):
        return "result", [None] * len(params.get("items") or [])
    return "result", None


class RawPeer:
    """One `layerwise lsp` process. `policy(method, params)` decides how its requests are
    answered: ("result", value), ("error", {...}) or ("ignore", None)."""

    def __init__(self, policy: Callable[[str, Any], tuple[str, Any]] = accept_all,
                 cwd: str | None = None, env: dict | None = None) -> None:
        self.tmp = tempfile.TemporaryDirectory()
        self.stderr_path = os.path.join(self.tmp.name, "stderr.log")
        self._stderr = open(self.stderr_path, "wb")  # noqa: SIM115 - closed in close()
        run_env = dict(os.environ, XDG_CACHE_HOME=os.path.join(self.tmp.name, "cache"))
        run_env.update(env or {})
        self.proc = subprocess.Popen([BINARY, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self._stderr, cwd=cwd or self.tmp.name, env=run_env, bufsize=0)
        self.policy = policy
        self.cv = threading.Condition()
        self.write_lock = threading.Lock()
        self.responses: dict[Any, list[dict]] = defaultdict(list)
        self.notifications: Counter = Counter()
        self.diagnostics: list[dict] = []
        self.server_requests: Counter = Counter()
        self.bad_output: str | None = None
        self.closed = False
        threading.Thread(target=self._read, daemon=True).start()

    # ----- reading -----------------------------------------------------------------------

    def _read(self) -> None:
        stream = io.BufferedReader(self.proc.stdout, buffer_size=1 << 16)  # type: ignore[arg-type]
        try:
            while True:
                framed = read_message(stream)
                if framed is None:
                    break
                self._dispatch(decode_body(framed[0]))
        except (FramingError, OSError, ValueError) as err:
            with self.cv:
                self.bad_output = f"server wrote something that is not a protocol frame: {err}"
        finally:
            with self.cv:
                self.closed = True
                self.cv.notify_all()

    def _dispatch(self, msg: dict) -> None:
        method = msg.get("method")
        if isinstance(method, str) and "id" in msg:
            with self.cv:
                self.server_requests[method] += 1
            how, value = self.policy(method, msg.get("params"))
            if how == "result":
                self._write(message({"jsonrpc": "2.0", "id": msg["id"], "result": value}))
            elif how == "error":
                self._write(message({"jsonrpc": "2.0", "id": msg["id"], "error": value}))
            return
        with self.cv:
            if isinstance(method, str):
                self.notifications[method] += 1
                if method == "textDocument/publishDiagnostics":
                    self.diagnostics.append(msg.get("params") or {})
            else:
                key = msg.get("id")
                self.responses[json.dumps(key)].append(msg)
            self.cv.notify_all()

    # ----- writing -----------------------------------------------------------------------

    def _write(self, raw: bytes) -> None:
        with self.write_lock:
            try:
                self.proc.stdin.write(raw)
                self.proc.stdin.flush()
            except (BrokenPipeError, OSError, ValueError):
                pass  # the server is gone; the waits report it

    def send(self, raw: bytes) -> None:
        self._write(raw)

    def request(self, id_: Any, method: str, params: Any = None) -> None:
        payload = {"jsonrpc": "2.0", "id": id_, "method": method}
        if params is not None:
            payload["params"] = params
        self.send(message(payload))

    def notify(self, method: str, params: Any = None) -> None:
        payload = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            payload["params"] = params
        self.send(message(payload))

    def open_document(self, uri: str, text: str, version: int = 1) -> None:
        """`textDocument/didOpen` of a Dockerfile."""
        self.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "dockerfile",
                                                              "version": version, "text": text}})

    # ----- waiting -----------------------------------------------------------------------

    def _gone(self, what: str) -> AssertionError:
        tail = ""
        try:
            with open(self.stderr_path, "rb") as fh:
                tail = fh.read()[-3000:].decode(errors="replace")
        except OSError:
            pass
        return AssertionError(f"{what}; exit status {self.proc.poll()}; "
                              f"{self.bad_output or ''}\n--- server stderr ---\n{tail}")

    def wait(self, id_: Any, timeout: float = 30) -> dict:
        """The response to request `id_`."""
        key = json.dumps(id_)
        deadline = time.monotonic() + timeout
        with self.cv:
            while not self.responses.get(key):
                if self.bad_output or self.closed:
                    raise self._gone(f"no response to {id_}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise self._gone(f"no response to {id_} within {timeout} s")
                self.cv.wait(left)
            return self.responses[key][0]

    def call(self, id_: Any, method: str, params: Any = None, timeout: float = 30) -> dict:
        self.request(id_, method, params)
        return self.wait(id_, timeout)

    def wait_diagnostics(self, uri: str, version: int | None, timeout: float = 30) -> list:
        """The diagnostics published for `uri` at `version` (any version if None)."""
        deadline = time.monotonic() + timeout
        with self.cv:
            while True:
                for p in reversed(self.diagnostics):
                    if p.get("uri") == uri and (version is None or p.get("version") == version):
                        return p.get("diagnostics") or []
                if self.bad_output or self.closed:
                    raise self._gone(f"no diagnostics for {uri} v{version}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise self._gone(f"no diagnostics for {uri} v{version} within {timeout} s")
                self.cv.wait(left)

    def initialize(self, capabilities: dict | None = None, root: str | None = None) -> dict:
        caps = capabilities if capabilities is not None else {
            "general": {"positionEncodings": ["utf-16"]},
            "textDocument": {"publishDiagnostics": {"versionSupport": True}},
        }
        r = self.call(0, "initialize", {"processId": None, "rootUri": root, "capabilities": caps,
                                        "initializationOptions": {"registry": {"offline": True}}})
        self.notify("initialized", {})
        return r

    def peak_rss_mb(self) -> int:
        return (vm_kib(self.proc.pid, "VmHWM") or 0) // 1024

    def close(self, timeout: float = 20) -> int | None:
        """Closes stdin and waits for the exit status (kills after `timeout`)."""
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)
            code = None
        self._stderr.close()
        self.tmp.cleanup()
        return code

