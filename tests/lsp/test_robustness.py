"""Hostile input over the protocol: malformed JSON, wrong Content-Length, unknown methods,
requests before initialize, positions out of range or inside a surrogate pair, changes for
documents never opened, versions going backwards, a client that rejects server requests or
vanishes. After each barrage the server must still answer correctly."""
import json
import os
import random
import subprocess
import threading
import time
import unittest

from harness import BINARY, Session


def frame(body: bytes) -> bytes:
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


class RawServer:
    """A server process fed raw bytes; collects whatever comes back."""

    def __init__(self):
        self.proc = subprocess.Popen([BINARY, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.out = bytearray()
        self.lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        while True:
            chunk = self.proc.stdout.read1(65536) if hasattr(self.proc.stdout, "read1") else self.proc.stdout.read(1)
            if not chunk:
                return
            with self.lock:
                self.out.extend(chunk)

    def send(self, raw: bytes):
        self.proc.stdin.write(raw)
        self.proc.stdin.flush()

    def request(self, id_, method, params):
        self.send(frame(json.dumps({"jsonrpc": "2.0", "id": id_, "method": method, "params": params}).encode()))

    def notify(self, method, params):
        self.send(frame(json.dumps({"jsonrpc": "2.0", "method": method, "params": params}).encode()))

    def responses(self):
        with self.lock:
            data = bytes(self.out)
        msgs, i = [], 0
        while True:
            h = data.find(b"\r\n\r\n", i)
            if h < 0:
                break
            header = data[i:h].decode(errors="replace")
            length = int([l.split(":")[1] for l in header.split("\r\n") if l.lower().startswith("content-length")][0])
            body = data[h + 4:h + 4 + length]
            if len(body) < length:
                break
            msgs.append(json.loads(body))
            i = h + 4 + length
        return msgs

    def wait_response(self, id_, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            for m in self.responses():
                if m.get("id") == id_ and ("result" in m or "error" in m):
                    return m
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited with {self.proc.returncode} while waiting for {id_}")
            time.sleep(0.02)
        raise AssertionError(f"no response to {id_}")

    def close(self):
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        return self.proc.wait(timeout=10)


TEXT = "FROM node:20 AS build\nRUN npm ci\nFROM node:20-slim\nCOPY --from=build /app /app\n"


class Protocol(unittest.TestCase):
    def test_requests_before_initialize_are_refused_not_fatal(self):
        s = RawServer()
        s.request(1, "textDocument/hover", {"textDocument": {"uri": "file:///x"}, "position": {"line": 0, "character": 0}})
        r = s.wait_response(1)
        self.assertIn("error", r)
        s.request(2, "initialize", {"processId": None, "rootUri": None, "capabilities": {}})
        self.assertIn("result", s.wait_response(2))
        self.assertEqual(s.close(), 0)

    def test_garbage_then_still_answers(self):
        s = RawServer()
        s.request(1, "initialize", {"processId": None, "rootUri": None, "capabilities": {}})
        s.wait_response(1)
        s.notify("initialized", {})
        rng = random.Random(7)
        junk = [
            frame(b"{not json"),
            frame(b'{"jsonrpc":"2.0","id":99,"method":"textDocument/hover","params":"wrong"}'),
            frame(b'{"jsonrpc":"2.0","id":100,"method":"no/such/method","params":{}}'),
            frame(b'{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"file:///never-opened","version":3},"contentChanges":[{"text":"x"}]}}'),
            frame(json.dumps({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {"uri": "file:///w/Dockerfile", "languageId": "dockerfile", "version": 5, "text": TEXT}}}).encode()),
            # version going backwards, range far outside the document
            frame(json.dumps({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {"textDocument": {"uri": "file:///w/Dockerfile", "version": 2},
                  "contentChanges": [{"range": {"start": {"line": 999, "character": 5}, "end": {"line": 1000, "character": 0}}, "text": "\nRUN x"}]}}).encode()),
        ]
        for i in range(300):
            kind = rng.randrange(6)
            if kind == 0:
                s.send(frame(bytes(rng.randrange(256) for _ in range(rng.randrange(1, 64)))))
            elif kind == 1:
                s.send(junk[rng.randrange(len(junk))])
            elif kind == 2:
                s.request(1000 + i, "textDocument/hover", {"textDocument": {"uri": "file:///w/Dockerfile"}, "position": {"line": rng.randrange(-1, 50), "character": rng.randrange(0, 500)}})
            elif kind == 3:
                s.request(1000 + i, "textDocument/completion", {"textDocument": {"uri": "file:///w/Dockerfile"}, "position": {"line": rng.randrange(0, 8), "character": rng.randrange(0, 80)}})
            elif kind == 4:
                s.request(1000 + i, "textDocument/hover", {"textDocument": {"uri": "file:///w/Dockerfile"}, "position": {"line": 0, "character": 2 ** 31}})
            else:
                s.notify("$/cancelRequest", {"id": 1000 + i - 1})
        # a wrong Content-Length swallowing part of the next message, then a clean request
        s.send(b"Content-Length: 5\r\n\r\n{\"a\":1}")
        s.send(b"\r\n")
        s.request(5000, "textDocument/hover", {"textDocument": {"uri": "file:///w/Dockerfile"}, "position": {"line": 0, "character": 1}})
        r = s.wait_response(5000)
        self.assertIn("result", r, r)
        s.request(5001, "shutdown", None)
        s.wait_response(5001)
        s.notify("exit", None)
        self.assertEqual(s.proc.wait(timeout=10), 0)

    def test_client_vanishing_exits_cleanly(self):
        s = RawServer()
        s.request(1, "initialize", {"processId": None, "rootUri": None, "capabilities": {}})
        s.wait_response(1)
        self.assertEqual(s.close(), 0)


class Documents(unittest.TestCase):
    def test_huge_and_odd_documents_answer(self):
        with Session() as s:
            big_line = "RUN echo " + "x" * 2_000_000 + "\n"
            odd = "\x00FROM a\r\rRUN b\r\n\n" + "\ufffd" * 100 + "\nRUN <<EOF\nnever ends\n"
            nested = "FROM a\nENV A=" + "${X:-" * 5000 + "}" * 5000 + "\n"
            stages = "".join(f"FROM alpine:3.20 AS s{i}\nCOPY --from=s{max(i-1, 0)} /a /a\n" for i in range(3000))
            for name, text in [("big", big_line), ("odd", odd), ("nested", nested), ("stages", stages)]:
                uri = s.open(f"{name}/Dockerfile", text)
                s.diagnostics(uri)
                s.hover(uri, 0, 1)
                s.complete(uri, 1, 0)


if __name__ == "__main__":
    unittest.main()
