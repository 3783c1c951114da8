"""Code actions through the built `layerwise lsp`: the split refactoring on a single-stage Node
Dockerfile, a rule's quick fix, fix-all, ignore comments, `.dockerignore` creation, the edit
shapes clients ask for (`documentChanges` or `changes`), and the `layerwise.split` command
applying its edit with `workspace/applyEdit`."""
import time
import unittest

from harness import TIMEOUT, Session, pos

NODE = """# A first Dockerfile for a Node.js API
FROM node:20
WORKDIR /usr/src/app
COPY . .
RUN npm install
RUN npm run build
EXPOSE 3000
CMD ["node", "dist/server.js"]
"""

MAINTAINER = "FROM alpine:3.20\nMAINTAINER Jane <jane@example.com>\nCMD [\"/bin/true\"]\n"

EDIT_CAPS = {
    "general": {"positionEncodings": ["utf-16"]},
    "textDocument": {"publishDiagnostics": {"versionSupport": True}},
    "workspace": {
        "configuration": False,
        "applyEdit": True,
        "workspaceEdit": {"documentChanges": True, "resourceOperations": ["create"]},
    },
}


def offset(text: str, position: dict) -> int:
    """Byte-free offset (Python index) of an LSP UTF-16 position."""
    lines = text.split("\n")
    line = min(position["line"], len(lines) - 1)
    start = sum(len(l) + 1 for l in lines[:line])
    col16 = position["character"]
    i, units = 0, 0
    content = lines[line]
    while i < len(content) and units < col16:
        units += 2 if ord(content[i]) > 0xFFFF else 1
        i += 1
    return start + i


def apply_edits(text: str, edits: list[dict]) -> str:
    spans = sorted(((offset(text, e["range"]["start"]), offset(text, e["range"]["end"]), e["newText"]) for e in edits), reverse=True)
    for a, b, new in spans:
        text = text[:a] + new + text[b:]
    return text


def edits_for(action: dict, uri: str) -> list[dict]:
    """The text edits an action makes to `uri`, whichever shape the edit has."""
    edit = action["edit"]
    if edit.get("documentChanges") is not None:
        out = []
        for change in edit["documentChanges"]:
            if change.get("kind") is None and change["textDocument"]["uri"] == uri:
                out.extend(change["edits"])
        return out
    return edit.get("changes", {}).get(uri, [])


class CodeActions(unittest.TestCase):
    def actions(self, s: Session, uri: str, line: int, character: int, only=None, diagnostics=None) -> list[dict]:
        context = {"diagnostics": diagnostics or []}
        if only is not None:
            context["only"] = only
        r = s.request("textDocument/codeAction", {
            "textDocument": {"uri": uri},
            "range": {"start": {"line": line, "character": character}, "end": {"line": line, "character": character}},
            "context": context,
        })
        return r or []

    def reopen_and_codes(self, s: Session, uri: str, text: str) -> list[str]:
        v = s.change(uri, [{"text": text}])
        return [d["code"] for d in s.diagnostics(uri, v)]

    def test_capability_lists_the_kinds(self):
        with Session(capabilities=EDIT_CAPS) as s:
            kinds = s.server_capabilities["codeActionProvider"]["codeActionKinds"]
            for k in ("quickfix", "refactor.rewrite", "source.fixAll"):
                self.assertIn(k, kinds)

    def test_split_on_a_single_stage_node_dockerfile(self):
        with Session(capabilities=EDIT_CAPS) as s:
            uri = s.open("Dockerfile", NODE)
            s.diagnostics(uri)
            acts = self.actions(s, uri, *pos(NODE, "npm run build"))
            split = [a for a in acts if a["title"].startswith("Split into build and runtime stages")]
            self.assertEqual(len(split), 1, [a["title"] for a in acts])
            act = split[0]
            self.assertEqual(act["kind"], "refactor.rewrite")
            # the offline catalogue knows node:20 and node:20-slim
            self.assertIn("≈", act["title"])
            self.assertIn("→", act["title"])
            change = act["edit"]["documentChanges"][0]
            self.assertEqual(change["textDocument"]["version"], 1)
            out = apply_edits(NODE, change["edits"])
            self.assertIn("FROM node:20 AS build\n", out)
            self.assertIn("\nFROM node:20-slim\n", out)
            self.assertIn("USER node\nCMD [\"node\", \"dist/server.js\"]", out)
            # nothing of the user's text is lost (npm install became npm ci only with a lockfile)
            for line in NODE.splitlines():
                self.assertIn(line.replace("FROM node:20", "FROM node:20"), out)
            codes = self.reopen_and_codes(s, uri, out)
            self.assertNotIn("syntax-error", codes)

    def test_rule_fix_is_a_quick_fix(self):
        with Session(capabilities=EDIT_CAPS) as s:
            uri = s.open("Dockerfile", MAINTAINER)
            diags = s.diagnostics(uri)
            self.assertIn("maintainer-deprecated", [d["code"] for d in diags])
            acts = self.actions(s, uri, *pos(MAINTAINER, "MAINTAINER"), only=["quickfix"])
            fix = [a for a in acts if a["title"] == "Replace with an OCI authors label"]
            self.assertEqual(len(fix), 1, [a["title"] for a in acts])
            self.assertEqual(fix[0]["kind"], "quickfix")
            self.assertEqual(fix[0]["diagnostics"][0]["code"], "maintainer-deprecated")
            self.assertTrue(all(a["kind"] == "quickfix" for a in acts))
            out = apply_edits(MAINTAINER, edits_for(fix[0], uri))
            self.assertIn("LABEL org.opencontainers.image.authors=", out)
            self.assertNotIn("maintainer-deprecated", self.reopen_and_codes(s, uri, out))

    def test_fix_all_for_fix_on_save(self):
        text = "FROM alpine:3.20\nMAINTAINER Jane\nFROM alpine:3.20 AS second\nMAINTAINER Joe\nCMD [\"/bin/true\"]\n"
        with Session(capabilities=EDIT_CAPS) as s:
            uri = s.open("Dockerfile", text)
            s.diagnostics(uri)
            # not in the light bulb without asking
            self.assertFalse([a for a in self.actions(s, uri, 0, 0) if a["kind"].startswith("source.fixAll")])
            acts = self.actions(s, uri, 0, 0, only=["source.fixAll"])
            self.assertEqual([a["kind"] for a in acts], ["source.fixAll.layerwise"])
            out = apply_edits(text, edits_for(acts[0], uri))
            self.assertEqual(out.count("LABEL org.opencontainers.image.authors"), 2, out)
            self.assertNotIn("maintainer-deprecated", self.reopen_and_codes(s, uri, out))
            self.assertEqual(self.actions(s, uri, 0, 0, only=["source.fixAll"]), [])

    def test_ignore_for_this_instruction(self):
        with Session(capabilities=EDIT_CAPS) as s:
            uri = s.open("Dockerfile", MAINTAINER)
            s.diagnostics(uri)
            acts = self.actions(s, uri, *pos(MAINTAINER, "MAINTAINER"))
            ignore = [a for a in acts if a["title"] == "Ignore maintainer-deprecated for this instruction"]
            self.assertEqual(len(ignore), 1, [a["title"] for a in acts])
            out = apply_edits(MAINTAINER, edits_for(ignore[0], uri))
            self.assertIn("# layerwise: ignore[maintainer-deprecated]\nMAINTAINER", out)
            self.assertNotIn("maintainer-deprecated", self.reopen_and_codes(s, uri, out))

    def test_plain_changes_for_clients_without_document_changes(self):
        caps = {"general": {"positionEncodings": ["utf-16"]}, "workspace": {"configuration": False}}
        with Session(capabilities=caps) as s:
            uri = s.open("Dockerfile", MAINTAINER)
            s.diagnostics(uri)
            acts = self.actions(s, uri, *pos(MAINTAINER, "MAINTAINER"))
            self.assertTrue(acts)
            for a in acts:
                self.assertIsNone(a["edit"].get("documentChanges"))
                self.assertIn(uri, a["edit"]["changes"])
            # creating files needs documentChanges: not offered
            self.assertFalse([a for a in acts if ".dockerignore" in a["title"]])

    def test_dockerignore_is_created_next_to_the_dockerfile(self):
        with Session(capabilities=EDIT_CAPS) as s:
            s.write("package.json", '{"name": "x", "scripts": {"build": "tsc"}}\n')
            s.write("package-lock.json", '{"lockfileVersion": 3}\n')
            uri = s.open("Dockerfile", NODE)
            s.diagnostics(uri)
            # the build context is walked in the background: wait for the facts
            found = None
            deadline = time.monotonic() + TIMEOUT
            while time.monotonic() < deadline and found is None:
                acts = self.actions(s, uri, 0, 0)
                found = next((a for a in acts if a["title"] == "Create .dockerignore for this build context"), None)
                if found is None:
                    time.sleep(0.2)
            self.assertIsNotNone(found, "no .dockerignore action once the context was walked")
            ops = found["edit"]["documentChanges"]
            target = uri.rsplit("/", 1)[0] + "/.dockerignore"
            self.assertEqual(ops[0]["kind"], "create")
            self.assertEqual(ops[0]["uri"], target)
            self.assertTrue(ops[0]["options"]["ignoreIfExists"])
            body = ops[1]["edits"][0]["newText"]
            self.assertEqual(ops[1]["textDocument"]["uri"], target)
            for entry in (".git", "**/node_modules", ".env", "*.pem"):
                self.assertIn(entry + "\n", body)
            # with the lockfile known, the split now uses npm ci and copies the manifests first
            split = next(a for a in acts if a["title"].startswith("Split"))
            out = apply_edits(NODE, edits_for(split, uri))
            self.assertIn("COPY package.json package-lock.json ./\nRUN npm ci\n", out)


class SplitCommand(unittest.TestCase):
    def test_split_command_applies_its_edit(self):
        with Session(capabilities=EDIT_CAPS) as s:
            commands = s.server_capabilities.get("executeCommandProvider", {}).get("commands", [])
            if "layerwise.split" not in commands:
                self.skipTest("layerwise.split is not wired into workspace/executeCommand in this build")
            applied = []
            client = s.client
            original = client._answer_server_request

            def answer(req_id, method, params):
                if method == "workspace/applyEdit":
                    applied.append(params)
                    client._send({"jsonrpc": "2.0", "id": req_id, "result": {"applied": True}})
                    return
                original(req_id, method, params)

            client._answer_server_request = answer
            uri = s.open("Dockerfile", NODE)
            s.diagnostics(uri)
            line, col = pos(NODE, "FROM")
            result = s.request("workspace/executeCommand", {
                "command": "layerwise.split",
                "arguments": [{"textDocument": {"uri": uri}, "position": {"line": line, "character": col}}],
            })
            self.assertIsNone(result)
            self.assertEqual(len(applied), 1)
            change = applied[0]["edit"]["documentChanges"][0]
            out = apply_edits(NODE, change["edits"])
            self.assertIn("\nFROM node:20-slim\n", out)
            # a runtime option, and a file with nothing to split
            r = s.request("workspace/executeCommand", {"command": "layerwise.split", "arguments": [{"uri": uri, "runtime": "alpine"}]})
            self.assertIsNone(r)
            self.assertIn("FROM node:20-alpine", apply_edits(NODE, applied[1]["edit"]["documentChanges"][0]["edits"]))
            slim = s.open("slim/Dockerfile", "FROM node:20-slim\nCMD [\"node\", \"a.js\"]\n")
            r = s.request("workspace/executeCommand", {"command": "layerwise.split", "arguments": [slim]})
            self.assertIn("nothing to split", r)
            self.assertEqual(len(applied), 2)


if __name__ == "__main__":
    unittest.main()
