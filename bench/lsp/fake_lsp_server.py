#!/usr/bin/env python3
"""A scripted LSP server for test_lsp_bench.py: it lets the tests drive the harness end to end
through a real child process and real pipes, and make it misbehave on purpose.

It keeps the document by applying incremental changes in the negotiated position encoding (so a
wrong column from the client shows up as wrong text), asks the client the usual server -> client
requests after `initialized`, and writes everything it saw to the JSON log named by --log.

Flags: --no-hover, --no-tokens, --unversioned, --silent-from-version N (publish nothing for
versions >= N), --crash-on METHOD, --hang-on METHOD, --encoding ENC (force one).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lsp_framing import decode_body, encode_message, read_message  # noqa: E402


def offset_of(text: str, line: int, character: int, encoding: str) -> int:
    """Code-point offset of an LSP position in `text`."""
    lines = text.split("\n")
    start = sum(len(item) + 1 for item in lines[:line])
    current = lines[line] if line < len(lines) else ""
    units = 0
    for index, ch in enumerate(current):
        if units >= character:
            return start + index
        if encoding == "utf-8":
            units += len(ch.encode("utf-8"))
        elif encoding == "utf-16":
            units += 2 if ord(ch) > 0xFFFF else 1
        else:
            units += 1
    return start + len(current)


class FakeServer:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.out = sys.stdout.buffer
        self.encoding = "utf-16"
        self.docs: dict[str, str] = {}
        self.log: dict = {"received": [], "replies": {}, "final_text": {}}

    def send(self, payload: dict) -> None:
        self.out.write(encode_message(payload))
        self.out.flush()

    def save_log(self) -> None:
        Path(self.args.log).write_text(json.dumps(self.log), encoding="utf-8")

    def publish(self, uri: str, version: int) -> None:
        if self.args.silent_from_version and version >= self.args.silent_from_version:
            return
        params: dict = {"uri": uri, "diagnostics": [
            {"range": {"start": {"line": i, "character": 0}, "end": {"line": i, "character": 1}},
             "message": "hello found"}
            for i, line in enumerate(self.docs[uri].split("\n")) if "hello" in line]}
        if not self.args.unversioned:
            params["version"] = version
        self.send({"jsonrpc": "2.0", "method": "textDocument/publishDiagnostics", "params": params})

    def handle(self, message: dict) -> bool:
        method = message.get("method")
        self.log["received"].append(method or f"reply:{message.get('id')}")
        if method is None:  # a reply to one of our requests
            self.log["replies"][str(message.get("id"))] = message
            return True
        if method == self.args.crash_on:
            self.save_log()
            os._exit(3)
        if method == self.args.hang_on:
            return True
        params = message.get("params") or {}
        req_id = message.get("id")
        result: object = None
        if method == "initialize":
            offered = params.get("capabilities", {}).get("general", {}).get("positionEncodings", [])
            self.encoding = self.args.encoding or (offered[0] if offered else "utf-16")
            caps: dict = {"textDocumentSync": {"openClose": True, "change": 2},
                          "completionProvider": {}, "positionEncoding": self.encoding}
            if not self.args.no_hover:
                caps["hoverProvider"] = True
            if not self.args.no_tokens:
                caps["semanticTokensProvider"] = {
                    "legend": {"tokenTypes": ["keyword"], "tokenModifiers": []}, "full": True}
            result = {"capabilities": caps, "serverInfo": {"name": "fake", "version": "0"}}
        elif method == "initialized":
            for sid, (name, req_params) in enumerate([
                ("workspace/configuration", {"items": [{"section": "a"}, {"section": "b"}]}),
                ("client/registerCapability", {"registrations": [
                    {"id": "r1", "method": "workspace/didChangeConfiguration"}]}),
                ("window/workDoneProgress/create", {"token": "t1"}),
                ("workspace/inlayHint/refresh", None),
                ("fake/unknownRequest", {}),
            ]):
                request = {"jsonrpc": "2.0", "id": f"s{sid}", "method": name}
                if req_params is not None:
                    request["params"] = req_params
                self.send(request)
        elif method == "textDocument/didOpen":
            doc = params["textDocument"]
            self.docs[doc["uri"]] = doc["text"]
            self.publish(doc["uri"], doc["version"])
        elif method == "textDocument/didChange":
            uri = params["textDocument"]["uri"]
            text = self.docs[uri]
            for change in params["contentChanges"]:
                if "range" not in change:
                    text = change["text"]
                    continue
                start = offset_of(text, change["range"]["start"]["line"],
                                  change["range"]["start"]["character"], self.encoding)
                end = offset_of(text, change["range"]["end"]["line"],
                                change["range"]["end"]["character"], self.encoding)
                text = text[:start] + change["text"] + text[end:]
            self.docs[uri] = text
            self.publish(uri, params["textDocument"]["version"])
        elif method == "textDocument/hover":
            result = {"contents": {"kind": "plaintext", "value": "hover"}}
        elif method == "textDocument/completion":
            result = [{"label": "RUN"}, {"label": "COPY"}]
        elif method == "textDocument/semanticTokens/full":
            result = {"data": [0, 0, 3, 0, 0]}
        elif method == "shutdown":
            self.log["final_text"] = self.docs
            self.save_log()
        elif method == "exit":
            self.save_log()
            return False
        if req_id is not None:
            self.send({"jsonrpc": "2.0", "id": req_id, "result": result})
        return True

    def run(self) -> None:
        while True:
            framed = read_message(sys.stdin.buffer)
            if framed is None or not self.handle(decode_body(framed[0])):
                break
        self.save_log()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--log", required=True)
    parser.add_argument("--no-hover", action="store_true")
    parser.add_argument("--no-tokens", action="store_true")
    parser.add_argument("--unversioned", action="store_true")
    parser.add_argument("--silent-from-version", type=int, default=0)
    parser.add_argument("--crash-on", default="")
    parser.add_argument("--hang-on", default="")
    parser.add_argument("--encoding", default="")
    FakeServer(parser.parse_args()).run()


if __name__ == "__main__":
    main()
