"""Folding ranges and selection ranges through the built binary."""
import unittest

from harness import Session, pos

TEXT = """# Build stage:
# compiles the app
FROM golang:1.22 AS build
RUN apt-get update && \\
    apt-get install -y git
COPY <<EOF /etc/app.conf
key=value
EOF

FROM scratch
COPY --from=build /out /out
"""


class Folding(unittest.TestCase):
    def test_folds_stages_instructions_heredocs_and_comments(self):
        with Session() as s:
            uri = s.open("Dockerfile", TEXT)
            folds = s.request("textDocument/foldingRange", {"textDocument": {"uri": uri}})
            got = sorted((f["startLine"], f["endLine"], f["kind"]) for f in folds)
            self.assertEqual(got, [(0, 1, "comment"), (2, 7, "region"), (3, 4, "region"), (5, 7, "region"), (9, 10, "region")])
            self.assertTrue(s.server_capabilities["foldingRangeProvider"])

    def test_folds_follow_an_edit(self):
        with Session() as s:
            uri = s.open("Dockerfile", TEXT)
            s.diagnostics(uri)
            # join the RUN continuation into one line
            v = s.change(uri, [{"range": {"start": {"line": 3, "character": 23}, "end": {"line": 4, "character": 4}}, "text": ""}])
            s.diagnostics(uri, v)
            folds = s.request("textDocument/foldingRange", {"textDocument": {"uri": uri}})
            self.assertEqual(sorted((f["startLine"], f["endLine"]) for f in folds), [(0, 1), (2, 6), (4, 6), (8, 9)])


class SelectionRanges(unittest.TestCase):
    def test_expands_from_word_to_file(self):
        with Session() as s:
            uri = s.open("Dockerfile", TEXT)
            line, col = pos(TEXT, "install -y", after=False)
            r = s.request("textDocument/selectionRange", {"textDocument": {"uri": uri}, "positions": [{"line": line, "character": col + 2}]})
            chain = []
            node = r[0]
            while node:
                chain.append(node["range"])
                node = node.get("parent")
            first = chain[0]
            self.assertEqual((first["start"], first["end"]), ({"line": 4, "character": 12}, {"line": 4, "character": 19}))
            # the instruction, then the stage, then the file
            self.assertIn({"start": {"line": 3, "character": 0}, "end": {"line": 4, "character": 26}}, chain)
            self.assertIn({"start": {"line": 2, "character": 0}, "end": {"line": 7, "character": 3}}, chain)
            self.assertEqual(chain[-1]["start"], {"line": 0, "character": 0})
            self.assertEqual(chain[-1]["end"], {"line": 11, "character": 0})


if __name__ == "__main__":
    unittest.main()
