"""End-to-end harness: drives the built `layerwise lsp` binary over stdio like an editor does.

Reuses the benchmark's LSP client (bench/lsp/lsp_client.py) for framing, requests and the
server's own requests. `Session` adds what tests need: open/change documents, typed requests,
and waiting for the diagnostics of a given version.
"""
from __future__ import annotations

import os
import pathlib
import sys
import tempfile
from typing import Any

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench" / "lsp"))

from lsp_client import LspClient  # noqa: E402

BINARY = os.environ.get("LAYERWISE_BIN", str(ROOT / "target" / "debug" / "layerwise"))
TIMEOUT = float(os.environ.get("LAYERWISE_TEST_TIMEOUT", "20"))


class Session:
    """One server process. Use as a context manager."""

    def __init__(self, workspace: str | None = None, encodings: list[str] | None = None,
                 init_options: dict | None = None, capabilities: dict | None = None) -> None:
        self.tmp = tempfile.TemporaryDirectory()
        self.workspace = pathlib.Path(workspace or self.tmp.name)
        self.stderr = os.path.join(self.tmp.name, "server-stderr.log")
        env_cache = os.path.join(self.tmp.name, "cache")
        os.environ.setdefault("XDG_CACHE_HOME", env_cache)
        self.client = LspClient([BINARY, "lsp"], str(self.workspace), self.stderr, self.workspace.as_uri())
        self.encodings = encodings or ["utf-16"]
        self.init_options = init_options if init_options is not None else {"registry": {"offline": True}}
        self.capabilities = capabilities
        self.versions: dict[str, int] = {}

    def __enter__(self) -> "Session":
        self.client.start()
        caps = self.capabilities or {
            "general": {"positionEncodings": self.encodings},
            "textDocument": {"completion": {"completionItem": {"snippetSupport": True}}, "publishDiagnostics": {"versionSupport": True}},
            "workspace": {"configuration": False},
        }
        r = self.request("initialize", {"processId": os.getpid(), "rootUri": self.workspace.as_uri(),
                                        "capabilities": caps, "initializationOptions": self.init_options})
        self.server_capabilities = r["capabilities"]
        self.client.notify("initialized", {})
        return self

    def __exit__(self, *exc: Any) -> None:
        try:
            self.request("shutdown", None)
            self.client.notify("exit", None)
        except Exception:  # noqa: BLE001 - the server may already be gone in a failing test
            pass
        self.exit_code = self.client.close()
        self.tmp.cleanup()

    def request(self, method: str, params: Any, timeout: float = TIMEOUT) -> Any:
        r = self.client.request(method, params, timeout)
        if r.error is not None:
            raise AssertionError(f"{method} failed: {r.error}\nserver stderr:\n{self.client.stderr_tail()}")
        return r.result

    def request_raw(self, method: str, params: Any, timeout: float = TIMEOUT):
        return self.client.request(method, params, timeout)

    def write(self, rel: str, text: str) -> str:
        path = self.workspace / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path.as_uri()

    def open(self, rel: str, text: str, write: bool = True) -> str:
        uri = self.write(rel, text) if write else (self.workspace / rel).as_uri()
        self.versions[uri] = 1
        self.mark = self.client.diagnostics_mark()
        self.client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "dockerfile", "version": 1, "text": text}})
        return uri

    def change(self, uri: str, changes: list[dict]) -> int:
        self.versions[uri] += 1
        self.mark = self.client.diagnostics_mark()
        self.client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": self.versions[uri]}, "contentChanges": changes})
        return self.versions[uri]

    def diagnostics(self, uri: str, version: int | None = None) -> list[dict]:
        want = version if version is not None else self.versions[uri]
        ev = self.client.wait_diagnostics(uri, self.mark, lambda e: e.version == want, TIMEOUT, f"diagnostics v{want}")
        return ev.diagnostics

    def hover(self, uri: str, line: int, character: int) -> str | None:
        r = self.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": line, "character": character}})
        return None if r is None else r["contents"]["value"]

    def complete(self, uri: str, line: int, character: int) -> list[dict]:
        r = self.request("textDocument/completion", {"textDocument": {"uri": uri}, "position": {"line": line, "character": character}})
        if r is None:
            return []
        return r["items"] if isinstance(r, dict) else r


def vm_kib(pid: int, field: str) -> int | None:
    """`VmRSS` or `VmHWM` (peak) of a live process, in KiB; None once it is gone. The tests'
    memory bounds read the server's figures from /proc, from outside, as a user would see them."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for row in fh:
                if row.startswith(field + ":"):
                    return int(row.split()[1])
    except OSError:
        return None
    return None


def pos(text: str, needle: str, after: bool = False) -> tuple[int, int]:
    """(line, UTF-16 character) of the first `needle` in `text` (its end with after=True)."""
    i = text.index(needle) + (len(needle) if after else 0)
    line = text.count("\n", 0, i)
    col_text = text[text.rfind("\n", 0, i) + 1:i]
    return line, len(col_text.encode("utf-16-le")) // 2
