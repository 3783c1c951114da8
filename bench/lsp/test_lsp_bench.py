"""Self-test of the LSP benchmark harness: framing, client behaviour, generator, /proc parsing,
report formatting, and whole sessions against a scripted server (fake_lsp_server.py).

Run from the repository root:  python3 -m unittest discover -s bench/lsp -p 'test_*.py'
or from bench/lsp:              python3 -m unittest
No assertion here depends on timing; only on what was sent, received and reported.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import proc_stats  # noqa: E402
import report  # noqa: E402
from dockerfile_gen import Position, Probes, find_probes, generate  # noqa: E402
from lsp_client import lsp_column, server_request_result  # noqa: E402
from lsp_framing import FramingError, decode_body, encode_message, read_message  # noqa: E402
from scenarios import METRIC_KEYS, Metric, Options, ServerSpec, SessionResult, is_empty_result, run_session  # noqa: E402,E501


class FramingTest(unittest.TestCase):
    def test_length_counts_utf8_bytes(self):
        data = encode_message({"text": "café 😀"})
        header, body = data.split(b"\r\n\r\n", 1)
        self.assertEqual(header, b"Content-Length: %d" % len(body))
        self.assertNotEqual(len(body), len(body.decode("utf-8")))
        self.assertEqual(json.loads(body), {"text": "café 😀"})

    def test_reads_consecutive_messages_then_clean_end(self):
        stream = io.BytesIO(encode_message({"id": 1}) + encode_message({"id": 2, "x": "é"}))
        first = read_message(stream)
        second = read_message(stream)
        self.assertEqual(decode_body(first[0]), {"id": 1})
        self.assertEqual(decode_body(second[0]), {"id": 2, "x": "é"})
        self.assertIsNone(read_message(stream))

    def test_header_names_are_case_insensitive_and_extra_headers_kept(self):
        body = b'{"a":1}'
        raw = (b"content-length: 7\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8"
               b"\r\n\r\n" + body)
        got, headers = read_message(io.BytesIO(raw))
        self.assertEqual(got, body)
        self.assertIn("content-type", headers)

    def test_body_split_across_reads(self):
        class Trickle(io.RawIOBase):
            """Returns at most 3 bytes per read, like a slow pipe."""

            def __init__(self, data):
                self.data = data

            def readable(self):
                return True

            def readinto(self, buf):
                n = min(3, len(buf), len(self.data))
                buf[:n], self.data = self.data[:n], self.data[n:]
                return n

        stream = io.BufferedReader(Trickle(encode_message({"long": "x" * 100})), buffer_size=4)
        self.assertEqual(decode_body(read_message(stream)[0]), {"long": "x" * 100})

    def test_errors(self):
        cases = {
            "missing length": b"Content-Type: x\r\n\r\n{}",
            "bad length": b"Content-Length: ten\r\n\r\n{}",
            "negative length": b"Content-Length: -1\r\n\r\n",
            "truncated body": b"Content-Length: 10\r\n\r\n{}",
            "truncated header": b"Content-Length: 2\r\n",
            "header without colon": b"Content-Length 2\r\n\r\n{}",
            "huge header": b"X: " + b"a" * 9000 + b"\r\n\r\n",
        }
        for name, raw in cases.items():
            with self.subTest(name), self.assertRaises(FramingError):
                read_message(io.BytesIO(raw))

    def test_decode_rejects_non_objects(self):
        for body in (b"[1]", b"not json", b"\xff\xfe"):
            with self.subTest(body), self.assertRaises(FramingError):
                decode_body(body)


class ClientHelpersTest(unittest.TestCase):
    def test_columns_in_each_encoding(self):
        line = "a é 😀 b"
        index = line.index("b")
        self.assertEqual(lsp_column(line, index, "utf-32"), 6)
        self.assertEqual(lsp_column(line, index, "utf-16"), 7)
        self.assertEqual(lsp_column(line, index, "utf-8"), 10)
        self.assertEqual(lsp_column("RUN x", 3, "utf-8"), 3)

    def test_server_request_answers(self):
        self.assertEqual(server_request_result(
            "workspace/configuration", {"items": [{}, {}, {}]}, "file:///w"), ([None] * 3, True))
        self.assertEqual(server_request_result("workspace/configuration", None, "u"), ([], True))
        for method in ("client/registerCapability", "window/workDoneProgress/create",
                       "workspace/inlayHint/refresh", "workspace/semanticTokens/refresh"):
            self.assertEqual(server_request_result(method, {}, "u"), (None, True), method)
        self.assertEqual(server_request_result("workspace/workspaceFolders", None, "file:///w"),
                         ([{"uri": "file:///w", "name": "bench"}], True))
        self.assertFalse(server_request_result("made/up", {}, "u")[1])

    def test_storm_types_twenty_characters(self):
        self.assertEqual(len(Options().keys), 20)

    def test_empty_results(self):
        self.assertTrue(is_empty_result(None))
        self.assertTrue(is_empty_result({"contents": {"kind": "markdown", "value": ""}}))
        self.assertTrue(is_empty_result({"isIncomplete": False, "items": []}))
        self.assertTrue(is_empty_result({"data": []}))
        self.assertFalse(is_empty_result({"contents": "RUN"}))
        self.assertFalse(is_empty_result([{"label": "FROM"}]))


class GeneratorTest(unittest.TestCase):
    def test_exact_line_counts(self):
        for lines in [*range(1, 121), 50, 1000, 10000]:
            text = generate(lines)
            self.assertTrue(text.endswith("\n"))
            self.assertEqual(len(text.splitlines()), lines, lines)
            self.assertEqual(text.count("\n"), lines, lines)

    def test_deterministic_and_seeded(self):
        self.assertEqual(generate(1000), generate(1000))
        self.assertNotEqual(generate(1000, seed=1), generate(1000, seed=2))

    def test_realistic_constructs_present(self):
        text = generate(1000)
        for needle in ("# syntax=", "ARG ", " AS ", "COPY --from=", "RUN <<EOF", "<<-EOT",
                       "--mount=type=cache", " \\\n", "ENV ", "HEALTHCHECK", "# ----"):
            self.assertIn(needle, text, needle)
        self.assertTrue(any(ord(ch) > 127 for ch in text), "some non-ASCII text")

    def test_heredocs_closed_and_stages_defined_before_use(self):
        for lines in (50, 1000, 10000):
            text_lines = generate(lines).splitlines()
            defined: set[str] = set()
            open_heredoc = None
            for line in text_lines:
                if open_heredoc:
                    if line.lstrip("\t") == open_heredoc:
                        open_heredoc = None
                    continue
                match = re.match(r"(?:RUN|COPY) .*<<-?(\w+)", line)
                if match:
                    open_heredoc = match.group(1)
                match = re.match(r"FROM (\S+)(?: AS (\S+))?", line)
                if match:
                    if not re.search(r"[:/.]", match.group(1)):
                        self.assertIn(match.group(1), defined, line)
                    if match.group(2):
                        defined.add(match.group(2))
                match = re.match(r"COPY --from=(\S+)", line)
                if match:
                    self.assertIn(match.group(1), defined, line)
            self.assertIsNone(open_heredoc, f"unterminated heredoc in the {lines}-line file")

    def test_probes_point_at_what_they_claim(self):
        for lines in (50, 1000, 10000):
            text_lines = generate(lines).splitlines()
            probes = find_probes(generate(lines))
            self.assertTrue(text_lines[probes.keyword_hover.line].startswith("RUN "))
            image = text_lines[probes.image_hover.line]
            self.assertTrue(image.startswith("FROM "))
            self.assertNotEqual(image[probes.image_hover.column], " ")
            from_line = text_lines[probes.completion_from.line]
            self.assertEqual(from_line[:probes.completion_from.column], "COPY --from=")
            self.assertEqual(text_lines[probes.completion_line_start.line], "")
            storm = text_lines[probes.storm.line]
            self.assertEqual(probes.storm.column, len(storm))
            self.assertFalse(storm.endswith("\\") or "<<" in storm)
            # Near the middle: within a tenth of the file (or 15 lines for tiny files).
            for pos in vars(probes).values():
                self.assertLessEqual(abs(pos.line - lines // 2), max(15, lines // 10), pos)

    def test_too_small_for_probes(self):
        with self.assertRaises(ValueError):
            find_probes(generate(5))
        with self.assertRaises(ValueError):
            generate(0)


class MemoryAtCapTest(unittest.TestCase):
    def test_documents_stay_under_the_size_and_count_their_lines(self):
        import memory_at_cap
        for shape in [*memory_at_cap.SHAPES, memory_at_cap.REALISTIC]:
            text, count = memory_at_cap.document(shape, 0.05)
            size = len(text.encode())
            self.assertLessEqual(size, int(0.05 * 1024 * 1024), shape)
            self.assertGreater(size, int(0.04 * 1024 * 1024), shape)
            if shape == memory_at_cap.REALISTIC:
                self.assertEqual(len(text.splitlines()), count)
            else:
                head, unit = memory_at_cap.SHAPES[shape]
                self.assertEqual(text, head + unit * count)


class ProcStatsTest(unittest.TestCase):
    def test_parse_stat_with_awkward_name(self):
        fields = " ".join(str(n) for n in range(3, 53))
        ppid, utime, stime = proc_stats.parse_stat(f"123 (a b) (c)) S {fields[2:]}")
        self.assertEqual((ppid, utime, stime), (4, 14, 15))
        with self.assertRaises(ValueError):
            proc_stats.parse_stat("123 no name")

    def test_parse_vmhwm(self):
        self.assertEqual(proc_stats.parse_vmhwm_kib("Name:\tx\nVmHWM:\t  2048 kB\nVmRSS: 1 kB"), 2048)
        self.assertIsNone(proc_stats.parse_vmhwm_kib("Name:\tx\n"))

    @unittest.skipUnless(os.path.isdir("/proc/self"), "needs Linux /proc")
    def test_sample_sees_a_child(self):
        child = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"],
                                 stdin=subprocess.PIPE)
        try:
            self.assertIn(child.pid, proc_stats.descendants(os.getpid()))
            stats = proc_stats.sample(os.getpid())
            self.assertIsNotNone(stats)
            self.assertIn(child.pid, stats.pids)
            self.assertGreater(stats.peak_rss_kib, 0)
        finally:
            child.communicate(b"")
        self.assertIsNone(proc_stats.sample(child.pid))


class ReportTest(unittest.TestCase):
    def test_formatting(self):
        self.assertEqual(report.fmt_value(0.1234), "0.12")
        self.assertEqual(report.fmt_value(45.67), "45.7")
        self.assertEqual(report.fmt_value(1234.4), "1234")
        self.assertEqual(report.fmt_value(None), "—")
        self.assertEqual(report.fmt_ratio(300.0, 4.0), "75.0×")
        self.assertEqual(report.fmt_ratio(3000.0, 4.0), "750×")
        self.assertEqual(report.fmt_ratio(1.0, 0.0), "—")

    def test_medians_pool_repeats_and_failures_get_footnotes(self):
        runs = [
            SessionResult("layerwise", 50, 0, {"hover_keyword": Metric("ok", [1.0, 9.0])}),
            SessionResult("layerwise", 50, 1, {"hover_keyword": Metric("ok", [2.0])}),
            SessionResult("npm", 50, 0, {"hover_keyword": Metric("ok", [40.0, 60.0, 50.0], empty=1),
                                         "edit_storm": Metric("timeout", note="no diags v21")}),
        ]
        table = report.summarise(runs)
        self.assertEqual(table[("layerwise", 50, "hover_keyword")].median, 2.0)
        self.assertEqual(table[("npm", 50, "edit_storm")].status, "timeout")
        text = report.markdown(table, ["layerwise", "npm"], [50], ("npm", "layerwise"))
        row = next(line for line in text.splitlines() if "instruction keyword" in line)
        self.assertIn("| 2.00 | 50.0 (1/3 empty) | 25.0× |", row)
        storm = next(line for line in text.splitlines() if "edit storm" in line)
        self.assertIn("timeout [1]", storm)
        self.assertIn("[1] no diags v21", text)


class SessionTest(unittest.TestCase):
    """Whole sessions against fake_lsp_server.py through real pipes."""

    TEXT = "\n".join([
        "FROM alpine:3.20 AS base",
        "# naïve comment",
        "RUN echo \"é😀\" > /x",
        "",
        "COPY --from=base /x /y",
    ]) + "\n"
    PROBES = Probes(keyword_hover=Position(2, 1), image_hover=Position(0, 7),
                    completion_from=Position(4, 12), completion_line_start=Position(3, 0),
                    storm=Position(2, len("RUN echo \"é😀\" > /x")))

    def run_fake(self, *flags, encodings=("utf-16",), **opts):
        log = Path(tempfile.mkdtemp()) / "log.json"
        server = ServerSpec("fake", [sys.executable, str(HERE / "fake_lsp_server.py"),
                                     "--log", str(log), *flags])
        options = Options(samples=3, token_samples=2, storms=2, timeout=opts.get("timeout", 20),
                          quiet=0.05, key_interval=0.001, position_encodings=list(encodings))
        result = run_session(server, 5, 0, self.TEXT, self.PROBES, options)
        data = json.loads(log.read_text()) if log.exists() else {}
        return result, data, options

    def expected_text(self, options):
        lines = self.TEXT.split("\n")
        lines[2] += options.keys * options.storms
        return "\n".join(lines)

    def test_all_figures_and_server_requests_answered(self):
        for encodings in (("utf-16",), ("utf-8", "utf-16"), ("utf-32",)):
            with self.subTest(encodings):
                result, log, options = self.run_fake(encodings=encodings)
                for key in METRIC_KEYS:
                    self.assertEqual(result.metrics[key].status, "ok", (key, result.metrics[key]))
                self.assertEqual(result.info["position_encoding"], encodings[0])
                self.assertTrue(result.info["versioned_diagnostics"])
                self.assertEqual(len(result.metrics["hover_keyword"].samples), 3)
                self.assertEqual(len(result.metrics["edit_storm"].samples), 2)
                # The incremental edits landed where the harness meant them to.
                (final,) = log["final_text"].values()
                self.assertEqual(final, self.expected_text(options))
                replies = log["replies"]
                self.assertEqual(replies["s0"]["result"], [None, None])
                for sid in ("s1", "s2", "s3"):
                    self.assertIn("result", replies[sid])
                    self.assertIsNone(replies[sid]["result"])
                self.assertEqual(replies["s4"]["error"]["code"], -32601)
                self.assertEqual(result.info["registrations"], ["workspace/didChangeConfiguration"])
                self.assertEqual(result.info["exit_code"], 0)

    def test_missing_features_are_not_applicable(self):
        result, _, _ = self.run_fake("--no-hover", "--no-tokens")
        self.assertEqual(result.metrics["hover_keyword"].status, "n/a")
        self.assertEqual(result.metrics["semantic_tokens_full"].status, "n/a")
        self.assertEqual(result.metrics["completion_from"].status, "ok")

    def test_unversioned_diagnostics_settle_by_quiet_period(self):
        result, log, options = self.run_fake("--unversioned")
        self.assertFalse(result.info["versioned_diagnostics"])
        self.assertEqual(result.metrics["edit_storm"].status, "ok")
        self.assertIn("unversioned", result.metrics["edit_storm"].note)

    def test_never_published_version_times_out_clearly(self):
        result, _, _ = self.run_fake("--silent-from-version", "3", timeout=1)
        storm = result.metrics["edit_storm"]
        self.assertEqual(storm.status, "timeout")
        self.assertIn("version 21", storm.note)
        self.assertIn("versions published meanwhile: 2", storm.note)
        self.assertEqual(result.metrics["peak_rss_mb"].status, "ok")

    def test_hung_request_times_out_and_session_goes_on(self):
        result, _, _ = self.run_fake("--hang-on", "textDocument/completion", timeout=1)
        self.assertEqual(result.metrics["completion_from"].status, "timeout")
        self.assertIn("textDocument/completion", result.metrics["completion_from"].note)
        self.assertEqual(result.metrics["semantic_tokens_full"].status, "ok")
        self.assertEqual(result.metrics["edit_storm"].status, "ok")

    def test_crashing_server_is_reported_not_raised(self):
        result, _, _ = self.run_fake("--crash-on", "textDocument/hover")
        self.assertEqual(result.metrics["open_to_diagnostics"].status, "ok")
        self.assertEqual(result.metrics["hover_keyword"].status, "error")
        self.assertIn("exited with code 3", result.metrics["hover_keyword"].note)
        self.assertEqual(result.metrics["edit_storm"].note, "not run: server gone")
        self.assertEqual(result.metrics["cpu_ms"].status, "error")

    def test_missing_program_is_reported_not_raised(self):
        server = ServerSpec("ghost", ["/nonexistent/lsp-server"])
        result = run_session(server, 5, 0, self.TEXT, self.PROBES, Options(timeout=1))
        self.assertTrue(all(m.status == "error" for m in result.metrics.values()))
        self.assertIn("cannot start", result.metrics["initialize"].note)


if __name__ == "__main__":
    unittest.main()
