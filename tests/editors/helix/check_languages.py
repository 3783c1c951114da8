#!/usr/bin/env python3
"""Tests editors/helix/languages.toml without Helix (no package registry we use ships it).

1. The file is valid TOML (tomllib) and has the shape Helix's config loader expects for the keys
   it uses: `[language-server.layerwise]` with a string `command`, a list-of-strings `args` and a
   table `config`; a `[[language]]` named `dockerfile` whose `language-servers` names layerwise
   and whose `file-types` cover Dockerfile, Dockerfile.*, *.Dockerfile and Containerfile.
2. The exact command line it names (`command` + `args`, found on PATH like Helix finds it) is
   run and spoken to the way Helix speaks: initialize with the `config` table as
   initializationOptions and Helix's position encodings, initialized, then
   workspace/didChangeConfiguration carrying `config`, server requests answered as Helix
   answers them (workspace/configuration: the section looked up inside `config`, null when
   absent), didOpen, diagnostics, a hover, shutdown and exit. The server must exit with status 0
   and write nothing but LSP frames to stdout.

Usage: check_languages.py LANGUAGES_TOML WORKSPACE_DIR
Env: LW_EXPECT=standin turns checks about layerwise's own behaviour into reported xfails.
Exit status 0 only when every check passed. Every wait is bounded.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import subprocess
import sys
import threading
import time
import tomllib
from pathlib import Path

STANDIN = os.environ.get("LW_EXPECT") == "standin"
SIZE = re.compile(r"\d[\d.,]*\s*[kKMGT]i?B")
RESULTS = {"passed": 0, "failed": 0, "xfail": 0}


def one_line(text: object, limit: int = 300) -> str:
    s = re.sub(r"\s+", " ", str(text))
    return s if len(s) <= limit else s[:limit] + "..."


def check(name: str, ok: bool, detail: str = "", lw: bool = False) -> bool:
    """Records one check; `lw` marks assertions about layerwise's own behaviour."""
    if ok:
        RESULTS["passed"] += 1
        print(f"ok    {name}" + (f"  [{one_line(detail, 160)}]" if detail else ""))
    elif lw and STANDIN:
        RESULTS["xfail"] += 1
        print(f"xfail {name} (stand-in server): {one_line(detail)}")
    else:
        RESULTS["failed"] += 1
        print(f"FAIL  {name}: {one_line(detail, 600)}")
    sys.stdout.flush()
    return ok


# --- 1. the file -------------------------------------------------------------------------


def is_file_type(ft: object) -> bool:
    """Helix's FileType: an extension/file-name string, or {glob = "..."}."""
    if isinstance(ft, str):
        return ft != ""
    return isinstance(ft, dict) and set(ft) == {"glob"} and isinstance(ft["glob"], str)


def covers(file_types: list, name: str) -> bool:
    """Whether Helix would pick this language for a file called `name` (simplified matcher:
    exact string = file name or extension; glob with one leading or trailing `*`)."""
    ext = name.rsplit(".", 1)[1] if "." in name else None
    for ft in file_types:
        if isinstance(ft, str) and (ft == name or ft == ext):
            return True
        if isinstance(ft, dict):
            g = ft["glob"]
            if g == name:
                return True
            if g.startswith("*") and "*" not in g[1:] and name.endswith(g[1:]):
                return True
            if g.endswith("*") and "*" not in g[:-1] and name.startswith(g[:-1]):
                return True
    return False


def check_file(path: Path) -> dict | None:
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        check("languages.toml is valid TOML", False, str(e))
        return None
    check("languages.toml is valid TOML", True, str(path))

    servers = doc.get("language-server", {})
    server = servers.get("layerwise") if isinstance(servers, dict) else None
    if not check("[language-server.layerwise] exists", isinstance(server, dict), f"language-server: {servers!r}"):
        return None
    check("command is a non-empty string", isinstance(server.get("command"), str) and server["command"] != "",
          repr(server.get("command")))
    args = server.get("args", [])
    check("args is a list of strings", isinstance(args, list) and all(isinstance(a, str) for a in args), repr(args))
    config = server.get("config", {})
    check("config is a table", isinstance(config, dict), repr(config))
    # Helix answers workspace/configuration (section "layerwise") from inside `config`.
    check("config holds the settings under `layerwise`",
          isinstance(config, dict) and isinstance(config.get("layerwise"), dict), repr(config))
    unknown = set(server) - {"command", "args", "config", "environment", "timeout", "required-root-patterns"}
    check("no keys Helix does not know in the server entry", not unknown, f"unknown: {sorted(unknown)}" if unknown else "")

    languages = doc.get("language", [])
    dockerfile = [lang for lang in languages if isinstance(lang, dict) and lang.get("name") == "dockerfile"]
    if not check("one [[language]] named dockerfile", len(dockerfile) == 1,
                 "" if len(dockerfile) == 1 else f"languages: {languages!r}"):
        return None
    lang = dockerfile[0]
    names = [ls if isinstance(ls, str) else ls.get("name") for ls in lang.get("language-servers", [])
             if isinstance(ls, (str, dict))]
    check("dockerfile uses layerwise", "layerwise" in names, f"language-servers: {names}")
    undefined = [n for n in names if n not in servers]
    check("every language server it names is defined in this file", not undefined, f"undefined: {undefined}" if undefined else "")
    fts = lang.get("file-types", [])
    bad = [ft for ft in fts if not is_file_type(ft)]
    check("file-types are strings or {glob = ...}", isinstance(fts, list) and not bad, f"bad entries: {bad}" if bad else "")
    for name in ["Dockerfile", "Dockerfile.dev", "app.Dockerfile", "Containerfile", "Containerfile.prod"]:
        ok = covers(fts, name)
        check(f"file-types cover {name}", ok, "" if ok else f"file-types: {fts}")
    return server


# --- 2. the command line, spoken to as Helix does --------------------------------------------


class Lsp:
    """A minimal LSP client over the server's stdio with a reader thread and bounded waits."""

    def __init__(self, argv: list[str], config: object, log_path: Path):
        self.config = config
        self.log = open(log_path, "ab")
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log)
        self.inbox: queue.Queue = queue.Queue()
        self.garbage: list[bytes] = []
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        out = self.proc.stdout
        assert out is not None
        while True:
            headers = {}
            while True:
                line = out.readline()
                if not line:
                    self.inbox.put(None)
                    return
                if line in (b"\r\n", b"\n"):
                    break
                m = re.match(rb"([A-Za-z-]+):\s*(.*?)\r?\n$", line)
                if not m:
                    self.garbage.append(line)
                    continue
                headers[m.group(1).lower()] = m.group(2)
            try:
                body = out.read(int(headers.get(b"content-length", b"-1")))
                self.inbox.put(json.loads(body))
            except ValueError as e:
                self.garbage.append(f"bad frame: {e}".encode())

    def send(self, msg: dict) -> None:
        data = json.dumps({"jsonrpc": "2.0", **msg}).encode()
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(data), data))
        self.proc.stdin.flush()

    def notify(self, method: str, params: object) -> None:
        self.send({"method": method, "params": params})

    def request(self, method: str, params: object, timeout: float = 10.0):
        self.next_id += 1
        rid = self.next_id
        self.send({"id": rid, "method": method, "params": params})
        msg = self.wait(lambda m: m.get("id") == rid and "method" not in m, timeout)
        if msg is None:
            raise TimeoutError(f"no response to {method} within {timeout} s")
        if "error" in msg:
            raise RuntimeError(f"{method} failed: {msg['error']}")
        return msg.get("result")

    def answer(self, msg: dict) -> None:
        """Server-to-client requests, answered as Helix answers them."""
        method, params = msg["method"], msg.get("params") or {}
        if method == "workspace/configuration":
            result = []
            for item in params.get("items", []):
                value = self.config
                for part in (item.get("section") or "").split("."):
                    if part == "":
                        continue
                    value = value.get(part) if isinstance(value, dict) else None
                result.append(value)
            self.send({"id": msg["id"], "result": result})
        elif method in ("client/registerCapability", "client/unregisterCapability",
                        "window/workDoneProgress/create", "workspace/inlayHint/refresh",
                        "workspace/diagnostic/refresh", "workspace/semanticTokens/refresh"):
            self.send({"id": msg["id"], "result": None})
        elif method == "workspace/workspaceFolders":
            self.send({"id": msg["id"], "result": None})
        else:
            self.send({"id": msg["id"], "error": {"code": -32601, "message": f"unhandled {method}"}})

    def wait(self, pred, timeout: float):
        """Handles traffic until a message satisfies `pred`; None on timeout or end of stream."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            try:
                msg = self.inbox.get(timeout=left)
            except queue.Empty:
                return None
            if msg is None:
                return None
            if "method" in msg and "id" in msg:
                self.answer(msg)
            if pred(msg):
                return msg


def run_server(server: dict, ws: Path, work: Path) -> None:
    argv = [server["command"], *server.get("args", [])]
    exe = shutil.which(argv[0])
    if not check("command is found on PATH", exe is not None,
                 exe or f"{argv[0]!r} not on PATH {os.environ.get('PATH')}"):
        return
    config = server.get("config")
    lsp = Lsp([exe, *argv[1:]], config, work / "server.log")
    print(f"      running: {' '.join(argv)} ({exe})")
    root = ws.resolve()
    doc = root / "single-stage" / "Dockerfile"
    uri = doc.as_uri()
    try:
        init = lsp.request("initialize", {
            "processId": os.getpid(),
            "clientInfo": {"name": "helix", "version": "emulated"},
            "rootPath": str(root),
            "rootUri": root.as_uri(),
            "workspaceFolders": [{"uri": root.as_uri(), "name": root.name}],
            "initializationOptions": config,
            "capabilities": {
                "general": {"positionEncodings": ["utf-8", "utf-32", "utf-16"]},
                "workspace": {"configuration": True, "workspaceFolders": True, "applyEdit": True,
                              "didChangeConfiguration": {"dynamicRegistration": False},
                              "inlayHint": {"refreshSupport": False}},
                "textDocument": {
                    "hover": {"contentFormat": ["markdown"]},
                    "completion": {"completionItem": {"snippetSupport": True}},
                    "publishDiagnostics": {"versionSupport": True},
                    "inlayHint": {"dynamicRegistration": False},
                    "codeAction": {"codeActionLiteralSupport": {"codeActionKind": {"valueSet": [
                        "", "quickfix", "refactor", "refactor.extract", "refactor.inline",
                        "refactor.rewrite", "source", "source.organizeImports"]}}},
                },
                "window": {"workDoneProgress": True},
            },
        }, timeout=20)
    except (TimeoutError, RuntimeError, BrokenPipeError) as e:
        check("initialize answered", False, f"{e}; server stderr in {work / 'server.log'}")
        lsp.proc.kill()
        return
    caps = (init or {}).get("capabilities", {})
    check("initialize answered", isinstance(caps, dict), f"capabilities: {sorted(caps)}")
    encoding = caps.get("positionEncoding", "utf-16")
    check("position encoding is one Helix offered", encoding in ("utf-8", "utf-32", "utf-16"), encoding)
    lsp.notify("initialized", {})
    if config is not None:
        lsp.notify("workspace/didChangeConfiguration", {"settings": config})

    text = doc.read_text(encoding="utf-8")
    lsp.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "dockerfile", "version": 0, "text": text}})
    pub = lsp.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                   and m["params"].get("uri") == uri and m["params"].get("diagnostics"), 15)
    diags = pub["params"]["diagnostics"] if pub else []
    check("diagnostics published for the opened file", bool(diags),
          "; ".join(f"{d['range']['start']['line'] + 1}: {d.get('message')}" for d in diags) or "none")
    check("on the MAINTAINER line", any(d["range"]["start"]["line"] == 1 for d in diags),
          f"lines: {[d['range']['start']['line'] + 1 for d in diags]}")
    check("publishDiagnostics carries the document version", bool(pub) and pub["params"].get("version") == 0,
          f"version {pub['params'].get('version') if pub else None}", lw=True)
    try:
        hover = lsp.request("textDocument/hover", {"textDocument": {"uri": uri},
                                                   "position": {"line": 0, "character": 6}})
        contents = (hover or {}).get("contents", "")
        value = contents if isinstance(contents, str) else (
            contents.get("value", "") if isinstance(contents, dict) else json.dumps(contents))
        check("hover on node:20 shows an image size", SIZE.search(value) is not None,
              f"hover: {value or '(empty)'}", lw=True)
    except (TimeoutError, RuntimeError) as e:
        check("hover on node:20 shows an image size", False, str(e), lw=True)

    # Settings reach the server the Helix way: after `:config-reload` Helix sends
    # didChangeConfiguration with `config`; the server asks workspace/configuration and Helix
    # answers from `config`. Turning the MAINTAINER diagnostic's rule off must remove it.
    code = next((d.get("code") for d in diags if d["range"]["start"]["line"] == 1), None)
    if check("the MAINTAINER diagnostic names its rule (code)", code is not None and isinstance(config, dict)
             and isinstance(config.get("layerwise"), dict), f"code {code!r}", lw=True):
        config["layerwise"]["rules"] = {str(code): "off"}
        lsp.notify("workspace/didChangeConfiguration", {"settings": config})
        gone = lsp.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                        and m["params"].get("uri") == uri
                        and not any(d.get("code") == code for d in m["params"].get("diagnostics", [])), 10)
        check(f"rules.{code} = \"off\" in config removes its diagnostic", gone is not None,
              "" if gone else "no publishDiagnostics without it within 10 s", lw=True)

    try:
        result = lsp.request("shutdown", None)
        check("shutdown answered", result is None, f"result {result!r}")
        lsp.notify("exit", None)
        code = lsp.proc.wait(timeout=10)
        check("server exits with status 0 after exit", code == 0, f"exit status {code}")
    except (TimeoutError, RuntimeError, BrokenPipeError, subprocess.TimeoutExpired) as e:
        check("shutdown and exit", False, str(e))
        lsp.proc.kill()
    lsp.wait(lambda m: False, 2)  # drain the reader
    check("nothing but LSP frames on stdout", not lsp.garbage,
          f"stray output: {b''.join(lsp.garbage)[:300]!r}" if lsp.garbage else "")


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    path, ws = Path(sys.argv[1]), Path(sys.argv[2])
    server = check_file(path)
    if server is not None:
        run_server(server, ws, ws.parent)
    print(f"helix languages.toml: {RESULTS['passed']} checks passed, {RESULTS['failed']} failed, "
          f"{RESULTS['xfail']} xfail")
    return 0 if RESULTS["failed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
