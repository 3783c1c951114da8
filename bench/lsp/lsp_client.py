"""A small, strict LSP client over a child process's stdio, built for timing.

Why a client of our own instead of a library: the benchmark needs arrival timestamps taken the
moment a message's bytes are in (before JSON decoding), every `publishDiagnostics` kept with its
version, and server -> client requests answered at once from the reader thread so a server that
waits on `workspace/configuration` is never stalled by the harness.

Threads: the caller's thread sends; one reader thread reads, stamps, answers server requests and
records responses/diagnostics under one condition variable. Every wait has a deadline.
"""

from __future__ import annotations

import io
import os
import subprocess
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable

from lsp_framing import FramingError, decode_body, encode_message, read_message

# JSON-RPC / LSP error codes the harness interprets.
METHOD_NOT_FOUND = -32601

# Server -> client requests whose answer is simply `null` (acknowledged, nothing to return).
_NULL_ANSWERS = frozenset(
    {
        "client/registerCapability",
        "client/unregisterCapability",
        "window/workDoneProgress/create",
        "window/showMessageRequest",
        "workspace/inlayHint/refresh",
        "workspace/semanticTokens/refresh",
        "workspace/codeLens/refresh",
        "workspace/inlineValue/refresh",
        "workspace/diagnostic/refresh",
        "workspace/foldingRange/refresh",
    }
)


class ServerGone(Exception):
    """The server process exited or broke the protocol; no further step can succeed."""


class StepTimeout(Exception):
    """A bounded wait ran out; the message says what was awaited and what was seen."""


@dataclass
class Response:
    """One response with the send and arrival times (perf_counter seconds)."""

    result: Any
    error: dict[str, Any] | None
    sent_at: float
    received_at: float

    @property
    def elapsed_ms(self) -> float:
        return (self.received_at - self.sent_at) * 1000.0

    @property
    def method_not_found(self) -> bool:
        return bool(self.error) and self.error.get("code") == METHOD_NOT_FOUND


@dataclass
class DiagnosticsEvent:
    """One `textDocument/publishDiagnostics` notification as it arrived."""

    uri: str
    version: int | None
    count: int
    received_at: float
    # The published diagnostics themselves (the end-to-end tests read them).
    diagnostics: list[Any] = field(default_factory=list)


@dataclass
class ClientLog:
    """What the server asked of us and told us, for the report and for debugging a run."""

    server_requests: Counter = field(default_factory=Counter)
    notifications: Counter = field(default_factory=Counter)
    registrations: list[str] = field(default_factory=list)
    log_messages: list[str] = field(default_factory=list)


def lsp_column(line: str, index: int, encoding: str) -> int:
    """Column of code-point `index` in `line`, counted in the negotiated position encoding."""
    prefix = line[:index]
    if encoding == "utf-8":
        return len(prefix.encode("utf-8"))
    if encoding == "utf-32":
        return len(prefix)
    # UTF-16 (the LSP default): astral characters take two code units.
    return sum(2 if ord(ch) > 0xFFFF else 1 for ch in prefix)


def client_capabilities(position_encodings: list[str]) -> dict[str, Any]:
    """What the harness claims to support: what a mainstream editor claims, minus pull diagnostics.

    Pull diagnostics (`textDocument.diagnostic`) are deliberately *not* declared: the benchmark
    times pushed `publishDiagnostics`, and a server may stop pushing when the client can pull.
    """
    token_types = [
        "namespace", "type", "class", "enum", "interface", "struct", "typeParameter",
        "parameter", "variable", "property", "enumMember", "event", "function", "method",
        "macro", "keyword", "modifier", "comment", "string", "number", "regexp", "operator",
        "decorator",
    ]
    token_modifiers = [
        "declaration", "definition", "readonly", "static", "deprecated", "abstract", "async",
        "modification", "documentation", "defaultLibrary",
    ]
    return {
        "general": {"positionEncodings": position_encodings},
        "workspace": {
            "configuration": True,
            "workspaceFolders": True,
            "didChangeConfiguration": {"dynamicRegistration": True},
            "inlayHint": {"refreshSupport": True},
            "semanticTokens": {"refreshSupport": True},
            "codeLens": {"refreshSupport": True},
        },
        "window": {"workDoneProgress": True, "showDocument": {"support": False}},
        "textDocument": {
            "synchronization": {"dynamicRegistration": False, "didSave": True},
            "publishDiagnostics": {
                "relatedInformation": True,
                "versionSupport": True,
                "codeDescriptionSupport": True,
                "dataSupport": True,
                "tagSupport": {"valueSet": [1, 2]},
            },
            "hover": {"contentFormat": ["markdown", "plaintext"]},
            "completion": {
                "contextSupport": True,
                "completionItem": {
                    "snippetSupport": True,
                    "documentationFormat": ["markdown", "plaintext"],
                    "deprecatedSupport": True,
                    "labelDetailsSupport": True,
                    "insertReplaceSupport": True,
                    "resolveSupport": {"properties": ["documentation", "detail"]},
                },
            },
            "semanticTokens": {
                "requests": {"full": {"delta": True}, "range": True},
                "tokenTypes": token_types,
                "tokenModifiers": token_modifiers,
                "formats": ["relative"],
                "overlappingTokenSupport": False,
                "multilineTokenSupport": False,
            },
            "inlayHint": {"dynamicRegistration": False},
        },
    }


class LspClient:
    """One server process and the conversation with it."""

    def __init__(self, argv: list[str], cwd: str, stderr_path: str, root_uri: str) -> None:
        self.argv = argv
        self.cwd = cwd
        self.stderr_path = stderr_path
        self.root_uri = root_uri
        self.log = ClientLog()
        self.proc: subprocess.Popen[bytes] | None = None
        self.spawned_at = 0.0
        self._cv = threading.Condition()
        self._write_lock = threading.Lock()
        self._next_id = 0
        self._responses: dict[int, tuple[dict[str, Any], float]] = {}
        self._abandoned: set[int] = set()
        self._diagnostics: list[DiagnosticsEvent] = []
        self._closed_reason: str | None = None
        self._reader: threading.Thread | None = None
        self._stderr_file: Any = None

    # ----- process lifecycle -------------------------------------------------------------

    def start(self) -> None:
        """Spawn the server; raises ServerGone with a clear reason if it cannot start."""
        self._stderr_file = open(self.stderr_path, "wb")  # noqa: SIM115 - closed in close()
        try:
            self.spawned_at = time.perf_counter()
            self.proc = subprocess.Popen(
                self.argv,
                cwd=self.cwd,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._stderr_file,
                bufsize=0,
            )
        except OSError as err:
            self._stderr_file.close()
            self._stderr_file = None
            raise ServerGone(f"cannot start {self.argv!r}: {err}") from None
        self._reader = threading.Thread(target=self._read_loop, name="lsp-reader", daemon=True)
        self._reader.start()

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def stderr_tail(self, lines: int = 15) -> str:
        """Last lines of the server's stderr, for error messages."""
        try:
            with open(self.stderr_path, "rb") as fh:
                fh.seek(0, os.SEEK_END)
                size = fh.tell()
                fh.seek(max(0, size - 8192))
                text = fh.read().decode("utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def close(self, timeout: float = 5.0) -> int | None:
        """Polite shutdown/exit, then terminate/kill if the server lingers. Returns the exit code."""
        proc = self.proc
        if proc is None:
            return None
        if proc.poll() is None and self._closed_reason is None:
            try:
                self.request("shutdown", None, timeout=timeout)
                self.notify("exit", None)
            except (ServerGone, StepTimeout):
                pass
        try:
            if proc.stdin:
                proc.stdin.close()
        except OSError:
            pass
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.terminate()
            try:
                proc.wait(timeout=2.0)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=2.0)
        if self._reader:
            self._reader.join(timeout=2.0)
        if proc.stdout:
            proc.stdout.close()
        if self._stderr_file:
            self._stderr_file.close()
        return proc.returncode

    # ----- sending -----------------------------------------------------------------------

    def _send(self, payload: dict[str, Any]) -> float:
        data = encode_message(payload)
        proc = self.proc
        if proc is None or proc.stdin is None:
            raise ServerGone("server not started")
        with self._write_lock:
            sent_at = time.perf_counter()
            try:
                proc.stdin.write(data)
                proc.stdin.flush()
            except (BrokenPipeError, OSError) as err:
                raise ServerGone(self._gone_message(f"write failed: {err}")) from None
        return sent_at

    def notify(self, method: str, params: Any) -> float:
        """Send a notification; returns the time the write started."""
        payload: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            payload["params"] = params
        return self._send(payload)

    def request(self, method: str, params: Any, timeout: float) -> Response:
        """Send a request and wait (bounded) for its response."""
        with self._cv:
            self._next_id += 1
            req_id = self._next_id
        payload: dict[str, Any] = {"jsonrpc": "2.0", "id": req_id, "method": method}
        if params is not None:
            payload["params"] = params
        sent_at = self._send(payload)
        deadline = time.monotonic() + timeout
        timed_out = False
        with self._cv:
            while req_id not in self._responses:
                if self._closed_reason is not None:
                    raise ServerGone(self._gone_message(f"no response to {method}"))
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    self._abandoned.add(req_id)
                    timed_out = True
                    break
                self._cv.wait(remaining)
            else:
                message, received_at = self._responses.pop(req_id)
        if timed_out:
            try:  # let the server drop the work; its late answer is discarded on arrival
                self.notify("$/cancelRequest", {"id": req_id})
            except ServerGone:
                pass
            raise StepTimeout(f"no response to {method} within {timeout:g} s")
        error = message.get("error")
        return Response(
            result=message.get("result"),
            error=error if isinstance(error, dict) else None,
            sent_at=sent_at,
            received_at=received_at,
        )

    # ----- diagnostics -------------------------------------------------------------------

    def diagnostics_mark(self) -> int:
        """An index into the diagnostics log; waits look only at events after it."""
        with self._cv:
            return len(self._diagnostics)

    def wait_diagnostics(
        self,
        uri: str,
        since: int,
        accept: Callable[[DiagnosticsEvent], bool],
        timeout: float,
        what: str,
    ) -> DiagnosticsEvent:
        """First diagnostics event for `uri` after index `since` that `accept` takes."""
        deadline = time.monotonic() + timeout
        index = since
        with self._cv:
            while True:
                while index < len(self._diagnostics):
                    event = self._diagnostics[index]
                    index += 1
                    if event.uri == uri and accept(event):
                        return event
                if self._closed_reason is not None:
                    raise ServerGone(self._gone_message(f"while waiting for {what}"))
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [e.version for e in self._diagnostics[since:] if e.uri == uri]
                    raise StepTimeout(
                        f"no {what} within {timeout:g} s; versions published meanwhile: "
                        f"{_summarise_versions(seen)}"
                    )
                self._cv.wait(remaining)

    def wait_quiet(self, uri: str, since: int, quiet: float, timeout: float) -> DiagnosticsEvent | None:
        """Last diagnostics event for `uri` after `since` once none arrived for `quiet` seconds.

        For servers that publish without a version: the settled time is the arrival of the last
        publication before the server went quiet.
        """
        deadline = time.monotonic() + timeout
        with self._cv:
            while True:
                events = [e for e in self._diagnostics[since:] if e.uri == uri]
                last = events[-1] if events else None
                now = time.perf_counter()
                if last is not None and now - last.received_at >= quiet:
                    return last
                if self._closed_reason is not None:
                    raise ServerGone(self._gone_message("while waiting for diagnostics to settle"))
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    if last is None:
                        raise StepTimeout(f"no diagnostics at all within {timeout:g} s")
                    raise StepTimeout(f"diagnostics still arriving after {timeout:g} s")
                wake = quiet - (now - last.received_at) if last is not None else remaining
                self._cv.wait(max(0.001, min(remaining, wake)))

    # ----- reading -----------------------------------------------------------------------

    def _read_loop(self) -> None:
        proc = self.proc
        assert proc is not None and proc.stdout is not None
        reason = "server closed its stdout"
        # Buffered, so a header costs one read instead of one syscall per byte.
        stdout = io.BufferedReader(proc.stdout, buffer_size=1 << 16)  # type: ignore[arg-type]
        try:
            while True:
                framed = read_message(stdout)
                received_at = time.perf_counter()
                if framed is None:
                    break
                body, _headers = framed
                self._dispatch(decode_body(body), received_at)
        except FramingError as err:
            reason = f"protocol error from server: {err}"
        except (OSError, ValueError) as err:
            reason = f"reading from server failed: {err}"
        finally:
            with self._cv:
                self._closed_reason = reason
                self._cv.notify_all()

    def _dispatch(self, message: dict[str, Any], received_at: float) -> None:
        method = message.get("method")
        if isinstance(method, str) and "id" in message:
            self._answer_server_request(message["id"], method, message.get("params"))
        elif isinstance(method, str):
            self._on_notification(method, message.get("params"), received_at)
        elif isinstance(message.get("id"), int):
            with self._cv:
                if message["id"] in self._abandoned:
                    self._abandoned.discard(message["id"])
                else:
                    self._responses[message["id"]] = (message, received_at)
                self._cv.notify_all()
        # Anything else (a response with a non-integer id we never sent) is ignored.

    def _on_notification(self, method: str, params: Any, received_at: float) -> None:
        with self._cv:
            self.log.notifications[method] += 1
            if method == "textDocument/publishDiagnostics" and isinstance(params, dict):
                version = params.get("version")
                diags = params.get("diagnostics")
                self._diagnostics.append(
                    DiagnosticsEvent(
                        uri=str(params.get("uri", "")),
                        version=version if isinstance(version, int) else None,
                        count=len(diags) if isinstance(diags, list) else 0,
                        received_at=received_at,
                        diagnostics=diags if isinstance(diags, list) else [],
                    )
                )
                self._cv.notify_all()
            elif method in ("window/logMessage", "window/showMessage") and isinstance(params, dict):
                if len(self.log.log_messages) < 50:
                    self.log.log_messages.append(str(params.get("message", ""))[:300])

    def _answer_server_request(self, req_id: Any, method: str, params: Any) -> None:
        with self._cv:
            self.log.server_requests[method] += 1
        reply: dict[str, Any] = {"jsonrpc": "2.0", "id": req_id}
        result, known = server_request_result(method, params, self.root_uri)
        if known:
            reply["result"] = result
        else:
            reply["error"] = {"code": METHOD_NOT_FOUND, "message": f"client does not handle {method}"}
        if method == "client/registerCapability" and isinstance(params, dict):
            for reg in params.get("registrations") or []:
                if isinstance(reg, dict):
                    with self._cv:
                        self.log.registrations.append(str(reg.get("method")))
        try:
            self._send(reply)
        except ServerGone:
            pass  # the reader will see the end of stream and record why

    def _gone_message(self, context: str) -> str:
        code = None
        if self.proc is not None:
            try:  # the pipe closes a moment before the exit status is collectable
                code = self.proc.wait(timeout=1.0)
            except subprocess.TimeoutExpired:
                code = None
        status = f"exited with code {code}" if code is not None else "stopped talking"
        why = self._closed_reason or "unknown"
        tail = self.stderr_tail()
        text = f"server {status} ({why}) {context}"
        if tail:
            text += "\n--- server stderr (tail) ---\n" + tail
        return text


def server_request_result(method: str, params: Any, root_uri: str) -> tuple[Any, bool]:
    """The answer to a server -> client request: (result, handled?).

    `workspace/configuration` gets one `null` per item ("no setting here", as the spec says a
    client without a value must answer), so each server runs on its defaults.
    """
    if method == "workspace/configuration":
        items = params.get("items") if isinstance(params, dict) else None
        return ([None] * len(items) if isinstance(items, list) else []), True
    if method in _NULL_ANSWERS:
        return None, True
    if method == "workspace/workspaceFolders":
        return [{"uri": root_uri, "name": "bench"}], True
    if method == "workspace/applyEdit":
        return {"applied": False, "failureReason": "the benchmark client does not apply edits"}, True
    if method == "window/showDocument":
        return {"success": False}, True
    return None, False


def _summarise_versions(versions: list[int | None]) -> str:
    if not versions:
        return "none"
    shown = ", ".join("unversioned" if v is None else str(v) for v in versions[-8:])
    more = f" (and {len(versions) - 8} earlier)" if len(versions) > 8 else ""
    return shown + more
