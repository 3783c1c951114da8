"""One benchmark session: start a server, run every scenario on one document, read its /proc stats.

Each session is a fresh process so initialize and open-to-diagnostics are cold, as in an editor.
Every step is bounded by the step timeout; a step that times out is reported and the session
goes on; a server that dies ends the session with the reason in every remaining figure.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import proc_stats
from dockerfile_gen import Position, Probes
from lsp_client import LspClient, ServerGone, StepTimeout, client_capabilities, lsp_column

# (key, label) in report order. Times are milliseconds; RSS is MB (MiB).
METRICS: list[tuple[str, str]] = [
    ("initialize", "initialize (spawn → result)"),
    ("open_to_diagnostics", "open → diagnostics"),
    ("hover_keyword", "hover: instruction keyword"),
    ("hover_image", "hover: base image"),
    ("completion_from", "completion: after `COPY --from=`"),
    ("completion_line_start", "completion: line start"),
    ("semantic_tokens_full", "semantic tokens: full"),
    ("edit_storm", "edit storm: last key → diagnostics"),
    ("peak_rss_mb", "peak RSS (MB)"),
    ("cpu_ms", "CPU time, whole session (ms)"),
]
METRIC_KEYS = [key for key, _ in METRICS]


@dataclass
class ServerSpec:
    """A server to benchmark: a short name for the table and the command that starts it."""

    name: str
    argv: list[str]
    version: str | None = None


@dataclass
class Options:
    samples: int = 20  # requests per hover/completion figure per session
    token_samples: int = 10  # full semantic-token requests per session
    storms: int = 3  # edit storms per session
    keys: str = " && echo hello_world"  # what a storm types (20 characters)
    key_interval: float = 0.005  # seconds between keystrokes
    timeout: float = 120.0  # bound on every single step
    budget: float = 15.0  # seconds one figure may use per session before sampling stops early
    quiet: float = 0.5  # minimum quiet period for servers that publish unversioned diagnostics
    position_encodings: list[str] = field(default_factory=lambda: ["utf-16"])


@dataclass
class Metric:
    """One figure of one session: raw samples plus how the step ended."""

    status: str  # "ok" | "n/a" | "timeout" | "error"
    samples: list[float] = field(default_factory=list)
    empty: int = 0  # samples whose result was null/empty (fast but said nothing)
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"status": self.status, "samples": [round(s, 4) for s in self.samples],
                "empty": self.empty, "note": self.note}


@dataclass
class SessionResult:
    server: str
    size: int
    repeat: int
    metrics: dict[str, Metric] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "server": self.server, "size": self.size, "repeat": self.repeat,
            "metrics": {k: m.to_json() for k, m in self.metrics.items()},
            "info": self.info,
        }


def is_empty_result(result: Any) -> bool:
    """True for answers that carry nothing: null, [], a hover without text, no items/tokens."""
    if result is None or result == [] or result == {}:
        return True
    if isinstance(result, dict):
        if "contents" in result:  # Hover
            contents = result["contents"]
            if isinstance(contents, dict):
                contents = contents.get("value", "")
            return contents in ("", [], None)
        if "items" in result:  # CompletionList
            return not result["items"]
        if "data" in result:  # SemanticTokens
            return not result["data"]
    return False


def text_sync_kind(capabilities: dict[str, Any]) -> int:
    """0 none, 1 full, 2 incremental (from a number or a TextDocumentSyncOptions object)."""
    sync = capabilities.get("textDocumentSync")
    if isinstance(sync, int):
        return sync
    if isinstance(sync, dict):
        change = sync.get("change", 0)
        return change if isinstance(change, int) else 0
    return 0


def _declared(value: Any) -> bool:
    """A provider is declared by `true` or by an options object, even an empty one (`{}`)."""
    return value is True or isinstance(value, dict)


def _supports(capabilities: dict[str, Any], key: str, sub: str | None = None) -> bool:
    value = capabilities.get(key)
    if sub is not None:
        return isinstance(value, dict) and _declared(value.get(sub))
    return _declared(value)


class Session:
    """Runs the scenarios in order against one live client."""

    def __init__(self, client: LspClient, uri: str, text: str, probes: Probes, opts: Options) -> None:
        self.client = client
        self.uri = uri
        self.lines = text.split("\n")
        self.probes = probes
        self.opts = opts
        self.caps: dict[str, Any] = {}
        self.encoding = "utf-16"
        self.version = 1
        self.versioned_diagnostics: bool | None = None
        self.open_ms: float | None = None
        self.server_info: Any = None

    def position(self, pos: Position) -> dict[str, int]:
        line = self.lines[pos.line]
        return {"line": pos.line, "character": lsp_column(line, pos.column, self.encoding)}

    def initialize(self, root_uri: str, root_path: str) -> Metric:
        params = {
            "processId": os.getpid(),
            "clientInfo": {"name": "layerwise-lsp-bench", "version": "1"},
            "locale": "en",
            "rootPath": root_path,
            "rootUri": root_uri,
            "workspaceFolders": [{"uri": root_uri, "name": "bench"}],
            "capabilities": client_capabilities(self.opts.position_encodings),
            "trace": "off",
        }
        response = self.client.request("initialize", params, self.opts.timeout)
        if response.error:
            raise ServerGone(f"initialize failed: {response.error.get('message')}")
        result = response.result if isinstance(response.result, dict) else {}
        caps = result.get("capabilities")
        self.caps = caps if isinstance(caps, dict) else {}
        self.server_info = result.get("serverInfo")
        encoding = self.caps.get("positionEncoding")
        self.encoding = encoding if encoding in ("utf-8", "utf-16", "utf-32") else "utf-16"
        self.client.notify("initialized", {})
        elapsed = (response.received_at - self.client.spawned_at) * 1000.0
        return Metric("ok", [elapsed])

    def open_document(self) -> Metric:
        mark = self.client.diagnostics_mark()
        sent = self.client.notify("textDocument/didOpen", {"textDocument": {
            "uri": self.uri, "languageId": "dockerfile", "version": 1,
            "text": "\n".join(self.lines)}})
        event = self.client.wait_diagnostics(
            self.uri, mark, lambda e: e.version in (None, 1), self.opts.timeout,
            "publishDiagnostics for version 1 after didOpen")
        self.versioned_diagnostics = event.version is not None
        self.open_ms = (event.received_at - sent) * 1000.0
        note = f"{event.count} diagnostics"
        if not self.versioned_diagnostics:
            note += "; published without a version"
        return Metric("ok", [self.open_ms], note=note)

    def timed_requests(self, method: str, params: dict[str, Any], count: int) -> Metric:
        samples, empty = [], 0
        for _ in range(count):
            if sum(samples) >= self.opts.budget * 1000.0:
                break  # a slow server gets fewer samples rather than an endless session
            response = self.client.request(method, params, self.opts.timeout)
            if response.method_not_found:
                return Metric("n/a", note=f"{method}: MethodNotFound")
            if response.error:
                return Metric("error", note=f"{method} failed: {response.error.get('message')}")
            samples.append(response.elapsed_ms)
            empty += is_empty_result(response.result)
        return Metric("ok", samples, empty=empty)

    def hover(self, pos: Position) -> Metric:
        if not _supports(self.caps, "hoverProvider"):
            return Metric("n/a", note="no hoverProvider")
        return self.timed_requests("textDocument/hover", {
            "textDocument": {"uri": self.uri}, "position": self.position(pos)}, self.opts.samples)

    def completion(self, pos: Position) -> Metric:
        if not _supports(self.caps, "completionProvider"):
            return Metric("n/a", note="no completionProvider")
        return self.timed_requests("textDocument/completion", {
            "textDocument": {"uri": self.uri}, "position": self.position(pos),
            "context": {"triggerKind": 1}}, self.opts.samples)

    def semantic_tokens(self) -> Metric:
        if not _supports(self.caps, "semanticTokensProvider", "full"):
            return Metric("n/a", note="no semanticTokensProvider.full")
        return self.timed_requests("textDocument/semanticTokens/full", {
            "textDocument": {"uri": self.uri}}, self.opts.token_samples)

    def edit_storm(self) -> Metric:
        sync = text_sync_kind(self.caps)
        if sync not in (1, 2):
            return Metric("n/a", note="server takes no didChange (textDocumentSync change = 0)")
        if self.versioned_diagnostics is None:
            return Metric("n/a", note="no diagnostics after open, so none to wait for")
        # Servers that publish without a version: wait until they go quiet, with a quiet period
        # well above one full validation (3x open-to-diagnostics), and take the last arrival.
        quiet = max(self.opts.quiet, 3 * (self.open_ms or 0) / 1000.0)
        samples: list[float] = []
        line_no = self.probes.storm.line
        for _ in range(self.opts.storms):
            if sum(samples) >= self.opts.budget * 1000.0:
                break
            start = time.perf_counter()
            first_mark = self.client.diagnostics_mark()
            mark, last_sent = first_mark, 0.0
            for k, char in enumerate(self.opts.keys):
                _sleep_until(start + k * self.opts.key_interval)
                line = self.lines[line_no]
                at = {"line": line_no, "character": lsp_column(line, len(line), self.encoding)}
                self.lines[line_no] = line + char
                self.version += 1
                if sync == 2:
                    change: dict[str, Any] = {"range": {"start": at, "end": at}, "text": char}
                else:
                    change = {"text": "\n".join(self.lines)}
                mark = self.client.diagnostics_mark()
                last_sent = self.client.notify("textDocument/didChange", {
                    "textDocument": {"uri": self.uri, "version": self.version},
                    "contentChanges": [change]})
            if self.versioned_diagnostics:
                target = self.version
                event = self.client.wait_diagnostics(
                    self.uri, first_mark, lambda e, v=target: e.version == v, self.opts.timeout,
                    f"publishDiagnostics for version {target} (the last change)")
            else:
                event = self.client.wait_quiet(self.uri, mark, quiet, self.opts.timeout)
            samples.append((event.received_at - last_sent) * 1000.0)
            time.sleep(0.1)  # let stragglers of this storm pass before the next one
        note = f"{len(self.opts.keys)} keys every {self.opts.key_interval * 1000:g} ms"
        if not self.versioned_diagnostics:
            note += f"; unversioned diagnostics: last arrival before {quiet:.2f} s of quiet"
        return Metric("ok", samples, note=note)


def _sleep_until(target: float) -> None:
    delay = target - time.perf_counter()
    if delay > 0:
        time.sleep(delay)


def run_session(server: ServerSpec, size: int, repeat: int, text: str, probes: Probes,
                opts: Options, keep_dir: bool = False) -> SessionResult:
    """Run all scenarios against a fresh server process; never raises for server misbehaviour."""
    result = SessionResult(server=server.name, size=size, repeat=repeat)
    workdir = Path(tempfile.mkdtemp(prefix=f"lsp-bench-{server.name}-{size}-"))
    (workdir / "Dockerfile").write_text(text, encoding="utf-8")
    root_uri = workdir.as_uri()
    uri = (workdir / "Dockerfile").as_uri()
    client = LspClient(server.argv, str(workdir), str(workdir / "server.stderr"), root_uri)
    session = Session(client, uri, text, probes, opts)
    steps: list[tuple[str, Callable[[], Metric]]] = [
        ("initialize", lambda: session.initialize(root_uri, str(workdir))),
        ("open_to_diagnostics", session.open_document),
        ("hover_keyword", lambda: session.hover(probes.keyword_hover)),
        ("hover_image", lambda: session.hover(probes.image_hover)),
        ("completion_from", lambda: session.completion(probes.completion_from)),
        ("completion_line_start", lambda: session.completion(probes.completion_line_start)),
        ("semantic_tokens_full", session.semantic_tokens),
        ("edit_storm", session.edit_storm),
    ]
    gone: str | None = None
    try:
        client.start()
        for key, step in steps:
            if gone is not None:
                result.metrics[key] = Metric("error", note="not run: server gone")
                continue
            try:
                result.metrics[key] = step()
            except StepTimeout as err:
                result.metrics[key] = Metric("timeout", note=str(err))
                if key == "initialize":
                    gone = "initialize timed out"
            except ServerGone as err:
                gone = str(err)
                result.metrics[key] = Metric("error", note=gone)
        _record_stats(client, result, gone)
    except ServerGone as err:  # could not even start
        for key in METRIC_KEYS:
            result.metrics.setdefault(key, Metric("error", note=str(err)))
    finally:
        exit_code = client.close(timeout=min(5.0, opts.timeout))
        result.info.update({
            "exit_code": exit_code,
            "server_info": session.server_info,
            "position_encoding": session.encoding,
            "text_sync": text_sync_kind(session.caps),
            "versioned_diagnostics": session.versioned_diagnostics,
            "server_requests": dict(client.log.server_requests),
            "notifications": dict(client.log.notifications),
            "registrations": client.log.registrations,
            "capabilities": sorted(session.caps),
        })
        if client.log.log_messages:
            result.info["log_messages"] = client.log.log_messages[:10]
        if gone:
            result.info["stderr_tail"] = client.stderr_tail()
        if keep_dir:
            result.info["workdir"] = str(workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return result


def _record_stats(client: LspClient, result: SessionResult, gone: str | None) -> None:
    pid = client.pid
    stats = proc_stats.sample(pid) if pid is not None and gone is None else None
    if stats is None:
        why = "server gone before the end of the session" if gone else "process not readable"
        result.metrics["peak_rss_mb"] = Metric("error", note=why)
        result.metrics["cpu_ms"] = Metric("error", note=why)
        return
    result.metrics["peak_rss_mb"] = Metric("ok", [stats.peak_rss_kib / 1024.0],
                                           note=f"pids {stats.pids}")
    result.metrics["cpu_ms"] = Metric("ok", [stats.cpu_seconds * 1000.0])
