"""Formatting through the built binary: document, range and on-type (after a continuation)."""
import unittest

from harness import Session

TEXT = """from alpine:3.20 as base
run   apk add --no-cache \\
  curl \\
  git   
copy <<EOF /etc/motd
   keep   this   
EOF
workdir\t/app
"""

FORMATTED = """FROM alpine:3.20 AS base
RUN apk add --no-cache \\
  curl \\
  git
COPY <<EOF /etc/motd
   keep   this   
EOF
WORKDIR /app
"""


def apply(text, edits):
    """Applies LSP edits (UTF-16 positions; ASCII text here) to `text`."""
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    at = lambda p: offsets[p["line"]] + p["character"]
    for e in sorted(edits, key=lambda e: at(e["range"]["start"]), reverse=True):
        text = text[:at(e["range"]["start"])] + e["newText"] + text[at(e["range"]["end"]):]
    return text


class Formatting(unittest.TestCase):
    def test_capabilities(self):
        with Session() as s:
            caps = s.server_capabilities
            self.assertTrue(caps["documentFormattingProvider"])
            self.assertTrue(caps["documentRangeFormattingProvider"])
            self.assertEqual(caps["documentOnTypeFormattingProvider"]["firstTriggerCharacter"], "\n")

    def test_document_formatting_keeps_heredoc_bodies(self):
        with Session() as s:
            uri = s.open("Dockerfile", TEXT)
            edits = s.request("textDocument/formatting", {"textDocument": {"uri": uri}, "options": {"tabSize": 4, "insertSpaces": True}})
            out = apply(TEXT, edits)
            self.assertEqual(out, FORMATTED)
            # formatting the result again changes nothing
            v = s.change(uri, [{"text": out}])
            s.diagnostics(uri, v)
            again = s.request("textDocument/formatting", {"textDocument": {"uri": uri}, "options": {"tabSize": 4, "insertSpaces": True}})
            self.assertEqual(again, [])

    def test_range_formatting_only_touches_the_range(self):
        with Session() as s:
            uri = s.open("Dockerfile", TEXT)
            edits = s.request("textDocument/rangeFormatting", {"textDocument": {"uri": uri}, "options": {"tabSize": 4, "insertSpaces": True},
                                                              "range": {"start": {"line": 7, "character": 0}, "end": {"line": 7, "character": 3}}})
            self.assertEqual(apply(TEXT, edits), TEXT.replace("workdir\t/app", "WORKDIR /app"))

    def test_on_type_indents_after_a_continuation(self):
        with Session() as s:
            text = "FROM alpine:3.20\nRUN apk add \\\n"
            uri = s.open("Dockerfile", text)
            s.diagnostics(uri)
            # the user typed Enter after the backslash: the cursor is at the start of line 2
            v = s.change(uri, [{"range": {"start": {"line": 2, "character": 0}, "end": {"line": 2, "character": 0}}, "text": "\n"}])
            s.diagnostics(uri, v)
            edits = s.request("textDocument/onTypeFormatting", {"textDocument": {"uri": uri}, "position": {"line": 2, "character": 0},
                                                               "ch": "\n", "options": {"tabSize": 4, "insertSpaces": True}})
            self.assertEqual(apply(text + "\n", edits), "FROM alpine:3.20\nRUN apk add \\\n    \n")


if __name__ == "__main__":
    unittest.main()
