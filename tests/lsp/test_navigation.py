"""Navigation through the built binary: definition, references, document highlight,
prepareRename and rename for stage names, ARG/ENV variables and heredoc delimiters."""
import unittest

from harness import Session, pos

TEXT = """ARG VERSION=1.22
FROM golang:${VERSION} AS Build
ARG VERSION
RUN echo "building $VERSION" && go build -o /out/app .

FROM alpine:3.20
COPY --from=build /out/app /app
RUN --mount=type=cache,from=BUILD,target=/cache <<EOF
ls /cache
EOF
"""


def td(uri, line, character):
    return {"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}


def spans(text, ranges):
    """`text` of each LSP range (single-line ranges)."""
    lines = text.split("\n")
    out = []
    for r in ranges:
        s, e = r["start"], r["end"]
        assert s["line"] == e["line"], r
        out.append((s["line"], lines[s["line"]][s["character"]:e["character"]]))
    return out


class Navigation(unittest.TestCase):
    def test_capabilities(self):
        with Session() as s:
            caps = s.server_capabilities
            for key in ("definitionProvider", "referencesProvider", "documentHighlightProvider"):
                self.assertTrue(caps[key], key)
            self.assertTrue(caps["renameProvider"]["prepareProvider"])

    def test_stage_definition_and_references(self):
        with Session() as s:
            uri = s.open("Dockerfile", TEXT)
            loc = s.request("textDocument/definition", td(uri, *pos(TEXT, "--from=build", after=True)))
            self.assertEqual(loc["uri"], uri)
            self.assertEqual(spans(TEXT, [loc["range"]]), [(1, "Build")])
            p = td(uri, *pos(TEXT, "from=BUILD", after=True))
            refs = s.request("textDocument/references", {**p, "context": {"includeDeclaration": True}})
            self.assertEqual(spans(TEXT, [r["range"] for r in refs]), [(1, "Build"), (6, "build"), (7, "BUILD")])
            refs = s.request("textDocument/references", {**p, "context": {"includeDeclaration": False}})
            self.assertEqual(len(refs), 2)

    def test_variable_highlights_have_read_and_write_kinds(self):
        with Session() as s:
            uri = s.open("Dockerfile", TEXT)
            hl = s.request("textDocument/documentHighlight", td(uri, *pos(TEXT, "$VERSION", after=True)))
            got = [(line, t, h["kind"]) for (line, t), h in zip(spans(TEXT, [h["range"] for h in hl]), hl)]
            self.assertEqual(got, [(0, "VERSION", 3), (1, "VERSION", 2), (2, "VERSION", 3), (3, "VERSION", 2)])

    def test_heredoc_definition_jumps_between_opener_and_terminator(self):
        with Session() as s:
            uri = s.open("Dockerfile", TEXT)
            loc = s.request("textDocument/definition", td(uri, 9, 1))
            self.assertEqual(spans(TEXT, [loc["range"]]), [(7, "EOF")])

    def test_rename_stage_with_prepare(self):
        with Session() as s:
            uri = s.open("Dockerfile", TEXT)
            p = td(uri, *pos(TEXT, "AS Build", after=True))
            prep = s.request("textDocument/prepareRename", p)
            self.assertEqual(prep["placeholder"], "Build")
            edit = s.request("textDocument/rename", {**p, "newName": "compile"})
            edits = edit["changes"][uri]
            self.assertEqual(sorted(spans(TEXT, [e["range"] for e in edits])), [(1, "Build"), (6, "build"), (7, "BUILD")])
            self.assertTrue(all(e["newText"] == "compile" for e in edits))

    def test_rename_rejects_an_invalid_name_with_a_message(self):
        with Session() as s:
            uri = s.open("Dockerfile", TEXT)
            r = s.request_raw("textDocument/rename", {**td(uri, *pos(TEXT, "AS Build", after=True)), "newName": "9lives"})
            self.assertIsNotNone(r.error)
            self.assertIn("not a valid stage name", r.error["message"])
            r = s.request_raw("textDocument/rename", {**td(uri, *pos(TEXT, "$VERSION", after=True)), "newName": "GO-VERSION"})
            self.assertIn("not a valid variable name", r.error["message"])

    def test_rename_variable_after_an_incremental_edit(self):
        with Session() as s:
            uri = s.open("Dockerfile", TEXT)
            s.diagnostics(uri)
            # add a use of the stage ARG at the end of the RUN line
            line, col = pos(TEXT, "-o /out/app .", after=True)
            v = s.change(uri, [{"range": {"start": {"line": line, "character": col}, "end": {"line": line, "character": col}}, "text": " ${VERSION}"}])
            s.diagnostics(uri, v)
            edit = s.request("textDocument/rename", {**td(uri, 0, 5), "newName": "GO_VERSION"})
            self.assertEqual(len(edit["changes"][uri]), 5)

    def test_nothing_to_navigate_answers_null(self):
        with Session() as s:
            uri = s.open("Dockerfile", TEXT)
            self.assertIsNone(s.request("textDocument/definition", td(uri, 5, 8)))
            self.assertIsNone(s.request("textDocument/prepareRename", td(uri, 5, 8)))
            self.assertEqual(s.request("textDocument/references", {**td(uri, 5, 8), "context": {"includeDeclaration": True}}), [])


if __name__ == "__main__":
    unittest.main()
