"""Settings pulls against clients that answer late or never (issue #8, findings F11, F18).

The server asks for settings with `workspace/configuration` in the background, with a time
limit (`LAYERWISE_CLIENT_TIMEOUT_MS`, 5 s by default): a client that never answers keeps the
current settings and blocks nothing, and an answer to an older pull never overwrites the answer
to a newer one. One pull waits at a time: a change notified meanwhile makes one more pull when
that one is answered or times out, and once a few pulls are out and never answered no more are
sent until one is (each would stay in the framework's table of pending requests for good).
What is in effect is observed through diagnostics: `FROM ubuntu` has no tag, which the
`untagged-image` rule reports unless the settings turn it off.
"""
from __future__ import annotations

import pathlib
import time
import unittest
from typing import Any

from test_protocol_messages import HOVER, wait_for_log
from raw_peer import RawPeer, message

NODE = "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm install\nCMD [\"node\", \"server.js\"]\n"
UNTAGGED = "FROM ubuntu\nRUN apt-get update && apt-get install -y curl\n"
URI = "file:///w/settings/Dockerfile"
CAPS = {"general": {"positionEncodings": ["utf-16"]}, "workspace": {"configuration": True},
        "textDocument": {"publishDiagnostics": {"versionSupport": True}}}
OFF = {"registry": {"offline": True}, "rules": {"untagged-image": "off"}}
ON = {"registry": {"offline": True}, "rules": {"untagged-image": "error"}}


def codes(peer: RawPeer, uri: str = URI) -> list[str]:
    """The codes of the diagnostics of UNTAGGED, opened now as `uri` (a document not open yet:
    diagnostics published for an earlier document of that name would be taken for these)."""
    peer.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "dockerfile", "version": 1, "text": UNTAGGED}})
    return sorted(str(d.get("code")) for d in peer.wait_diagnostics(uri, 1))


class HoldingPeer(RawPeer):
    """A client that keeps every `workspace/configuration` request unanswered until the test
    answers it, in the order the test chooses."""

    def __init__(self, **kw: Any) -> None:
        self.held: list[Any] = []
        super().__init__(**kw)

    def _dispatch(self, msg: dict) -> None:
        if msg.get("method") == "workspace/configuration" and "id" in msg:
            with self.cv:
                self.held.append(msg["id"])
                self.cv.notify_all()
            return
        super()._dispatch(msg)

    def wait_held(self, n: int, timeout: float = 30) -> list[Any]:
        with self.cv:
            if not self.cv.wait_for(lambda: len(self.held) >= n or self.closed, timeout):
                raise self._gone(f"{n} settings pulls never came")
            return list(self.held)

    def answer(self, id_: Any, section: dict) -> None:
        self.send(message({"jsonrpc": "2.0", "id": id_, "result": [section]}))


def round_trip(peer: RawPeer, id_: int) -> None:
    """A hover answered: every notification sent before it has been read by the server."""
    assert "result" in peer.call(id_, "textDocument/hover", HOVER)


def ignoring(*methods: str, env: dict) -> RawPeer:
    """A client that never answers the server's requests of `methods` and answers the rest."""
    return RawPeer(policy=lambda method, params: ("ignore", None) if method in methods else ("result", None), env=env)


# Never-answered pulls the server leaves out at most (`settings_pull::MAX_UNANSWERED`).
MAX_UNANSWERED = 3


class Pulls(unittest.TestCase):
    def test_the_rule_is_reported_by_default(self):
        # the control for the tests below: without settings, UNTAGGED has the finding
        s = RawPeer()
        try:
            s.initialize()
            self.assertIn("untagged-image", codes(s))
        finally:
            s.close()

    def test_a_pull_that_is_never_answered_keeps_the_current_settings(self):
        s = RawPeer(policy=lambda method, params: ("ignore", None), env={"LAYERWISE_CLIENT_TIMEOUT_MS": "300"})
        try:
            r = s.call(0, "initialize", {"processId": None, "rootUri": None, "capabilities": CAPS, "initializationOptions": OFF})
            self.assertIn("result", r)
            s.notify("initialized", {})
            # more changes than the framework has handler slots (F11: each unanswered pull
            # held one); the gate now sends at most a few pulls for them (F18)
            for _ in range(8):
                s.notify("workspace/didChangeConfiguration", {"settings": None})
            self.assertIn("result", s.call(1, "textDocument/hover", HOVER))
            wait_for_log(s, "no answer to workspace/configuration within 300 ms; keeping the current settings")
            found = codes(s)
            self.assertNotIn("untagged-image", found)
            self.assertTrue(found, "the other rules still report")
        finally:
            s.close()

    def test_an_old_answer_does_not_overwrite_a_newer_one(self):
        # the first pull times out (short limit), the change notified meanwhile pulls again;
        # the answers then come newest first
        s = HoldingPeer(env={"LAYERWISE_CLIENT_TIMEOUT_MS": "300", "LAYERWISE_LOG": "layerwise_lsp=info"})
        try:
            s.initialize(CAPS)  # `initialized` pulls (1)
            s.wait_held(1)
            s.notify("workspace/didChangeConfiguration", {"settings": None})  # pulls again (2)
            first, second = s.wait_held(2)
            s.answer(second, OFF)
            wait_for_log(s, "settings answer 2 applied")
            s.answer(first, ON)  # older, and later: dropped
            wait_for_log(s, "settings answer 1 dropped: answer 2 is newer")
            self.assertNotIn("untagged-image", codes(s))
        finally:
            s.proc.kill()
            s.close()

    def test_an_answer_to_an_earlier_pull_is_applied_while_a_later_one_is_out(self):
        # the newest the server has: applied; the later pull then never answers
        s = HoldingPeer(env={"LAYERWISE_CLIENT_TIMEOUT_MS": "300", "LAYERWISE_LOG": "layerwise_lsp=info"})
        try:
            r = s.call(0, "initialize", {"processId": None, "rootUri": None, "capabilities": CAPS, "initializationOptions": ON})
            self.assertIn("result", r)
            s.notify("initialized", {})
            s.wait_held(1)
            s.notify("workspace/didChangeConfiguration", {"settings": None})
            first, _ = s.wait_held(2)
            s.answer(first, OFF)
            wait_for_log(s, "settings answer 1 applied")
            self.assertNotIn("untagged-image", codes(s))
            self.assertIn("result", s.call(1, "textDocument/hover", HOVER))
        finally:
            s.proc.kill()
            s.close()

    def test_changes_while_a_pull_is_out_make_one_more_pull_with_the_latest_settings(self):
        # a long time limit: the pull must not time out however slow the machine is
        s = HoldingPeer(env={"LAYERWISE_CLIENT_TIMEOUT_MS": "600000", "LAYERWISE_LOG": "layerwise_lsp=info"})
        try:
            s.initialize(CAPS)  # `initialized` pulls (1)
            s.wait_held(1)
            for _ in range(20):
                s.notify("workspace/didChangeConfiguration", {"settings": None})
            round_trip(s, 1)
            self.assertEqual(len(s.held), 1, "no second pull while the first is out")
            # the client answers late, with what it had then; the changes since are pulled once
            s.answer(s.held[0], ON)
            second = s.wait_held(2)[1]
            s.answer(second, OFF)
            wait_for_log(s, "settings answer 2 applied")
            self.assertNotIn("untagged-image", codes(s))
            round_trip(s, 2)
            self.assertEqual(len(s.held), 2, "one pull for all the changes made while one was out")
        finally:
            s.proc.kill()
            s.close()

    def test_a_client_that_never_answers_gets_a_bounded_number_of_pulls(self):
        # F18: each unanswered request stays in the framework's table of pending requests
        s = ignoring("workspace/configuration", env={"LAYERWISE_CLIENT_TIMEOUT_MS": "100", "LAYERWISE_LOG": "layerwise_lsp=info"})
        try:
            r = s.call(0, "initialize", {"processId": None, "rootUri": None, "capabilities": CAPS, "initializationOptions": ON})
            self.assertIn("result", r)
            s.notify("initialized", {})
            # 200 changes in five bursts, each once the server is at rest (every pull it sent
            # has timed out): a burst during a pull makes one more pull, until a few are out
            for burst in range(5):
                for _ in range(40):
                    s.notify("workspace/didChangeConfiguration", {"settings": None})
                round_trip(s, 1 + burst)
                at_rest(s)
            round_trip(s, 10)
            self.assertIn("untagged-image", codes(s), "diagnostics with the settings in effect")
            pulls = s.server_requests["workspace/configuration"]
            self.assertLessEqual(pulls, MAX_UNANSWERED, f"{pulls} configuration requests out for 200 changes")
            self.assertIn("requests never answered; no more until one is", stderr(s))
        finally:
            s.close()

    def test_pushed_settings_count_for_a_client_that_never_answers_pulls(self):
        # a client that declares `workspace/configuration` but never answers it may still
        # push its settings; a push without our section (another tool's settings) changes nothing
        s = ignoring("workspace/configuration", env={"LAYERWISE_CLIENT_TIMEOUT_MS": "100", "LAYERWISE_LOG": "layerwise_lsp=info"})
        try:
            r = s.call(0, "initialize", {"processId": None, "rootUri": None, "capabilities": CAPS, "initializationOptions": ON})
            self.assertIn("result", r)
            s.notify("initialized", {})
            s.notify("workspace/didChangeConfiguration", {"settings": {"python": {"x": 1}}})
            round_trip(s, 1)
            self.assertIn("untagged-image", codes(s), "another tool's settings leave ours alone")
            s.notify("workspace/didChangeConfiguration", {"settings": {"layerwise": OFF}})
            round_trip(s, 2)
            wait_for_log(s, "applied")
            self.assertNotIn("untagged-image", codes(s, URI + ".pushed"), "the pushed settings are in effect")
        finally:
            s.close()

    def test_view_refreshes_a_client_never_answers_are_bounded(self):
        # every change of settings asks the client to refresh hints, lenses and tokens
        views = ("workspace/inlayHint/refresh", "workspace/codeLens/refresh", "workspace/semanticTokens/refresh")
        caps = {"general": {"positionEncodings": ["utf-16"]},
                "workspace": {"inlayHint": {"refreshSupport": True}, "codeLens": {"refreshSupport": True},
                              "semanticTokens": {"refreshSupport": True}},
                "textDocument": {"publishDiagnostics": {"versionSupport": True}}}
        s = ignoring(*views, env={"LAYERWISE_CLIENT_TIMEOUT_MS": "100", "LAYERWISE_LOG": "layerwise_lsp=info"})
        try:
            r = s.call(0, "initialize", {"processId": None, "rootUri": None, "capabilities": caps, "initializationOptions": ON})
            self.assertIn("result", r)
            s.notify("initialized", {})
            for burst in range(5):
                for i in range(40):  # pushed settings, changed every time
                    s.notify("workspace/didChangeConfiguration", {"settings": {"layerwise": OFF if i % 2 == 0 else ON}})
                round_trip(s, 1 + burst)
                at_rest(s, views)
            round_trip(s, 10)
            # the last push turned the rule on
            self.assertIn("untagged-image", codes(s))
            for m in views:
                self.assertGreaterEqual(s.server_requests[m], 1, m)
                self.assertLessEqual(s.server_requests[m], MAX_UNANSWERED, f"{s.server_requests[m]} {m} for 200 changes")
        finally:
            s.close()

    def test_a_context_walk_does_not_wait_for_a_progress_token_that_never_comes(self):
        # the walk asked the client for a progress token and waited for it without a limit:
        # a client that never answered kept the build context unknown for good
        caps = {"general": {"positionEncodings": ["utf-16"]}, "window": {"workDoneProgress": True},
                "textDocument": {"publishDiagnostics": {"versionSupport": True}}}
        s = ignoring("window/workDoneProgress/create", env={"LAYERWISE_CLIENT_TIMEOUT_MS": "100", "LAYERWISE_LOG": "layerwise_lsp=info"})
        try:
            root = pathlib.Path(s.tmp.name, "project")
            root.mkdir()
            (root / ".env").write_text("SECRET=1\n")
            (root / "package.json").write_text("{}\n")
            text = 'FROM node:20-slim\nCOPY . .\nCMD ["node", "a.js"]\n'
            (root / "Dockerfile").write_text(text)
            uri = (root / "Dockerfile").as_uri()
            r = s.call(0, "initialize", {"processId": None, "rootUri": root.as_uri(), "capabilities": caps,
                                         "initializationOptions": {"registry": {"offline": True}}})
            self.assertIn("result", r)
            s.notify("initialized", {})
            s.open_document(uri, text)
            deadline = time.monotonic() + 30
            found: list[str] = []
            while "missing-dockerignore" not in found and time.monotonic() < deadline:
                with s.cv:
                    s.cv.wait(0.1)
                    found = [str(d.get("code")) for p in s.diagnostics if p.get("uri") == uri
                             for d in p.get("diagnostics") or []]
            self.assertIn("missing-dockerignore", found, "the context was walked")
            self.assertGreaterEqual(s.server_requests["window/workDoneProgress/create"], 1)
        finally:
            s.close()


class ServerRequests(unittest.TestCase):
    def test_split_commands_a_client_never_applies_do_not_stall_the_server(self):
        # the split command waited for the client's answer to `workspace/applyEdit` without a
        # limit, and the framework runs only a few requests at a time: a handful of splits
        # from a client that never answers would have stopped every later answer
        caps = {"general": {"positionEncodings": ["utf-16"]}, "workspace": {"applyEdit": True},
                "textDocument": {"publishDiagnostics": {"versionSupport": True}}}
        s = ignoring("workspace/applyEdit", env={"LAYERWISE_CLIENT_TIMEOUT_MS": "200"})
        try:
            r = s.call(0, "initialize", {"processId": None, "rootUri": None, "capabilities": caps,
                                         "initializationOptions": {"registry": {"offline": True}}})
            self.assertIn("result", r)
            s.notify("initialized", {})
            s.open_document(URI, NODE)
            s.wait_diagnostics(URI, 1)
            splits = range(10, 16)
            for id_ in splits:
                s.request(id_, "workspace/executeCommand", {"command": "layerwise.split", "arguments": [{"uri": URI}]})
            round_trip(s, 20)
            messages = [s.wait(id_).get("error", {}).get("message", "") for id_ in splits]
            # one edit waits for the editor at a time; the others are refused at once
            late = [m for m in messages if "did not confirm the split in time; it may still apply it" in m]
            busy = [m for m in messages if "another edit is still waiting for the editor" in m]
            self.assertTrue(late, messages)
            self.assertEqual(len(late) + len(busy), len(messages), messages)
            # and never more than a few edits out that the editor never answered
            for id_ in range(30, 40):
                self.assertIn("error", s.call(id_, "workspace/executeCommand",
                                              {"command": "layerwise.split", "arguments": [{"uri": URI}]}))
            self.assertEqual(s.server_requests["workspace/applyEdit"], MAX_UNANSWERED)
        finally:
            s.close()


def stderr(peer: RawPeer) -> str:
    with open(peer.stderr_path, "rb") as fh:
        return fh.read().decode(errors="replace")


def at_rest(peer: RawPeer, methods: tuple[str, ...] = ("workspace/configuration",), timeout: float = 30) -> None:
    """Waits (a liveness wait, not a timing check) until, for each of `methods`, as many
    time-outs are logged as requests were counted, or the server says it sends no more (or it
    sent more than it should). A request the gate sends right after such a time-out may still
    be out when this returns; the bounds the tests assert hold either way."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        log = stderr(peer)
        with peer.cv:
            sent = {m: peer.server_requests[m] for m in methods}
        if any(n > MAX_UNANSWERED for n in sent.values()):
            return  # over the bound already: the caller's assertion says so
        if all(f"{m}: {MAX_UNANSWERED} requests never answered; no more until one is" in log
               or log.count(f"no answer to {m} within") >= sent[m] for m in methods):
            return
        time.sleep(0.05)
    raise AssertionError(f"the server never came to rest; stderr:\n{stderr(peer)[-3000:]}")


if __name__ == "__main__":
    unittest.main()
