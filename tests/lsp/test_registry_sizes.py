"""Image sizes through the built server against real registries on loopback
(tests/registry/fixture.sh, started by tests/suites/40-registry.sh): hover figures, inlay hints
that are pending until the registry answers and then refreshed, `--platform`, code lenses, tag
completion, the disk cache and a second server that answers from it with the registry gone,
`layerwise image`, TLS + Basic auth and bearer tokens. The images were built by
tests/registry/make_layout.py, so their layer sizes and digests are known exactly.

Skips without the fixture (tests/suites/50-lsp.sh); fails without it when
LAYERWISE_REQUIRE_REGISTRY=1.
"""
import json
import os
import sys
import tempfile
import time
import unittest

from harness import ROOT, Session, pos

sys.path.insert(0, str(ROOT / "tests" / "registry"))
import lsp_support as rs  # noqa: E402


def image_size_command(s: Session, uri: str) -> dict:
    """The facts behind the first stage lens, through its `layerwise.imageSize` command (JSON,
    sizes in bytes)."""
    lenses = s.request("textDocument/codeLens", {"textDocument": {"uri": uri}})
    cmd = next(l["command"] for l in lenses if l["command"]["command"] == "layerwise.imageSize")
    return s.request("workspace/executeCommand", {"command": cmd["command"], "arguments": cmd["arguments"]})


def settled_hover(s: Session, uri: str, line: int, col: int, needle: str = "| compressed (download) |") -> str:
    return rs.wait_until(f"hover with {needle!r}", lambda: (lambda h: h if h and needle in h else None)(s.hover(uri, line, col)))


class RegistrySizes(unittest.TestCase):
    def setUp(self):
        self.fx = rs.fixture()
        self.cache = tempfile.mkdtemp(prefix="layerwise-lsp-cache.")
        self.amd = int(self.fx["FIXTURE_AMD64_LAYER_BYTES"])
        self.arm = int(self.fx["FIXTURE_ARM64_LAYER_BYTES"])

    def session(self, **registry) -> Session:
        return Session(capabilities=rs.CAPS, init_options=rs.registry_options(self.cache, **registry))

    def test_hover_shows_the_pushed_image(self):
        ref = f"{self.fx['FIXTURE_PLAIN']}/fixture/hello:multi"
        text = f"FROM {ref}\nCMD [\"/app/run\"]\n"
        with self.session() as s:
            uri = s.open("Dockerfile", text)
            h = settled_hover(s, uri, 0, 8)
            self.assertIn(f"**{ref}**", h)
            self.assertIn(f"| compressed (download) | {rs.format_bytes(self.amd)} |", h)
            self.assertIn("| platform | linux/amd64 |", h)
            self.assertIn(f"| layers | {self.fx['FIXTURE_LAYER_COUNT']} |", h)
            self.assertIn(f"| digest | `{self.fx['FIXTURE_INDEX_DIGEST']}` |", h)
            self.assertIn("| created | 2025-03-04T05:06:07Z |", h)
            self.assertIn("| default user | `1000:1000` |", h)
            self.assertIn("| platforms | linux/amd64, linux/arm64/v8 |", h)
            self.assertRegex(h, r"_Source: (registry|cache \(\d+s old\))\._")
            # The exact bytes behind the figure: the sum of the layers pushed.
            facts = image_size_command(s, uri)
            p = facts["platforms"][0]
            self.assertEqual(p["compressed_size"], self.amd)
            self.assertEqual(sum(l["size"] for l in p["layers"]), self.amd)
            self.assertEqual(p["manifest_digest"], self.fx["FIXTURE_AMD64_MANIFEST"])
            self.assertEqual(facts["digest"], self.fx["FIXTURE_INDEX_DIGEST"])

    def test_hints_are_pending_until_the_registry_answers_then_refreshed(self):
        with rs.GatedProxy(self.fx["FIXTURE_PLAIN"]) as proxy, self.session() as s:
            ref = f"{proxy.host}/fixture/hello:1.0"
            text = f"FROM {ref}\nCOPY app.bin /app/\n"
            s.write("app.bin", "x" * 5000)
            uri = s.open("Dockerfile", text)
            # The context walk finishes on its own; the registry is held at the gate.
            first = rs.wait_until("the COPY figure", lambda: (lambda l: l if "+5.00 kB" in l.get(1, []) else None)(
                rs.labels(rs.hints(s, uri))))
            self.assertEqual(first[0], ["base pending"])
            self.assertEqual(first[1], ["+5.00 kB", "final image 5.00 kB + pending"])
            # A hover while the lookup runs answers at once, without figures.
            self.assertIn("not known yet", s.hover(uri, 0, 8))
            before = rs.refreshes(s)
            proxy.open()
            rs.wait_until("an inlay hint refresh", lambda: rs.refreshes(s) > before)
            got = rs.labels(rs.hints(s, uri))
            self.assertEqual(got[0], [f"base {rs.unpacked_range(self.amd)}"])
            self.assertEqual(got[1], ["+5.00 kB", f"final image {rs.unpacked_range(self.amd, 5000)}"])

    def test_platform_flag_selects_the_manifest_of_the_index(self):
        ref = f"{self.fx['FIXTURE_PLAIN']}/fixture/hello:multi"
        with self.session() as s:
            arm = s.open("arm/Dockerfile", f"FROM --platform=linux/arm64 {ref}\n")
            amd = s.open("amd/Dockerfile", f"FROM --platform=linux/amd64 {ref}\n")
            col = len("FROM --platform=linux/arm64 ") + 3
            h_arm = settled_hover(s, arm, 0, col)
            h_amd = settled_hover(s, amd, 0, col)
            self.assertIn("| platform | linux/arm64/v8 |", h_arm)
            self.assertIn(f"| compressed (download) | {rs.format_bytes(self.arm)} |", h_arm)
            self.assertIn("| platform | linux/amd64 |", h_amd)
            self.assertIn(f"| compressed (download) | {rs.format_bytes(self.amd)} |", h_amd)
            self.assertNotEqual(rs.format_bytes(self.arm), rs.format_bytes(self.amd))
            # The default platform setting does the same for a FROM without --platform.
        with self.session(platform="linux/arm64") as s:
            uri = s.open("Dockerfile", f"FROM {ref}\n")
            h = settled_hover(s, uri, 0, 8)
            self.assertIn("| platform | linux/arm64/v8 |", h)
            self.assertIn(f"| compressed (download) | {rs.format_bytes(self.arm)} |", h)

    def test_code_lenses_total_the_registry_figures(self):
        ref = f"{self.fx['FIXTURE_PLAIN']}/fixture/hello:1.0"
        text = f"FROM {ref} AS app\nCOPY app.bin /app/\nCMD [\"/app/run\"]\n"
        with self.session() as s:
            s.write("app.bin", "y" * 12_000)
            uri = s.open("Dockerfile", text)
            settled_hover(s, uri, 0, 8)

            def lens_titles():
                lenses = s.request("textDocument/codeLens", {"textDocument": {"uri": uri}}) or []
                titles = [l["command"]["title"] for l in lenses]
                return titles if titles and not any("pending" in t or "?" in t for t in titles) else None

            titles = rs.wait_until("settled lenses", lens_titles)
            total = rs.unpacked_range(self.amd, 12_000)
            base = rs.unpacked_range(self.amd)
            self.assertEqual(titles[0], f"final image {total}")
            self.assertEqual(titles[1], f"stage `app` · from {ref} ({base}) · {total} · final")

    # A registry with a port (every loopback one): the tag's colon is the last one after the
    # last '/', not the port's.
    def test_tag_completion_lists_the_registry_tags(self):
        ref = f"{self.fx['FIXTURE_PLAIN']}/fixture/hello:"
        text = f"FROM {ref}\n"
        with self.session() as s:
            uri = s.open("Dockerfile", text)
            line, col = pos(text, ref, after=True)

            def tags():
                got = {i["label"] for i in s.complete(uri, line, col)}
                return got if {"1.0", "multi"} <= got else None

            got = rs.wait_until("registry tags in completion", tags, timeout=8)
            self.assertLessEqual({"1.0", "multi"}, got)

    def test_cli_image_json_gives_the_same_bytes(self):
        ref = f"{self.fx['FIXTURE_PLAIN']}/fixture/hello:multi"
        with self.session() as s:
            uri = s.open("Dockerfile", f"FROM {ref}\n")
            settled_hover(s, uri, 0, 8)
            lsp = image_size_command(s, uri)
        fresh = tempfile.mkdtemp(prefix="layerwise-cli-cache.")
        for platform, want in [("linux/amd64", self.amd), ("linux/arm64", self.arm)]:
            r = rs.run_cli("image", ref, "--format", "json", "--cache-dir", fresh, "--platform", platform)
            self.assertEqual(r.returncode, 0, r.stderr)
            cli = json.loads(r.stdout)
            self.assertEqual(cli["digest"], self.fx["FIXTURE_INDEX_DIGEST"])
            self.assertEqual(cli["platforms"][0]["compressed_size"], want)
            self.assertEqual(len(cli["platforms"][0]["layers"]), int(self.fx["FIXTURE_LAYER_COUNT"]))
            if platform == "linux/amd64":
                self.assertEqual(cli["platforms"][0]["layers"], lsp["platforms"][0]["layers"])
                self.assertEqual(cli["platforms"][0]["compressed_size"], lsp["platforms"][0]["compressed_size"])

    def test_tls_with_basic_auth_and_bearer_tokens(self):
        fx = self.fx
        creds = rs.docker_config(os.path.join(self.cache, "docker"), fx["FIXTURE_AUTH"], fx["FIXTURE_USER"], fx["FIXTURE_PASS"])
        with rs.Env(DOCKER_CONFIG=creds):
            # The TLS registry's certificate is signed by a throwaway CA: the editor settings
            # reach it by listing it as insecure (certificate not checked, credentials still sent).
            with self.session(insecure=[fx["FIXTURE_AUTH"]]) as s:
                uri = s.open("Dockerfile", f"FROM {fx['FIXTURE_AUTH']}/fixture/hello:1.0\n")
                h = settled_hover(s, uri, 0, 8)
                self.assertIn(f"| compressed (download) | {rs.format_bytes(self.amd)} |", h)
                with open(s.stderr) as f:
                    stderr = f.read()
        self.assertNotIn(fx["FIXTURE_PASS"], stderr)
        self.assertNotIn(fx["FIXTURE_PASS"], h)
        for name, text in rs.cache_files(self.cache).items():
            if not name.startswith("docker/"):
                self.assertNotIn(fx["FIXTURE_PASS"], text, name)
        # Docker-Hub-style bearer tokens, anonymous pull.
        with self.session() as s:
            uri = s.open("Dockerfile", f"FROM {fx['FIXTURE_TOKEN']}/fixture/hello:multi\n")
            h = settled_hover(s, uri, 0, 8)
            self.assertIn(f"| digest | `{fx['FIXTURE_INDEX_DIGEST']}` |", h)
            self.assertIn(f"| compressed (download) | {rs.format_bytes(self.amd)} |", h)

    def test_editor_settings_name_the_ca_certificate_and_the_docker_config(self):
        fx = self.fx
        creds = rs.docker_config(os.path.join(self.cache, "docker"), fx["FIXTURE_AUTH"], fx["FIXTURE_USER"], fx["FIXTURE_PASS"])
        elsewhere = rs.docker_config(os.path.join(self.cache, "other"), "other.invalid", "u", "p")
        # $DOCKER_CONFIG points elsewhere: the credentials can only come from the setting, and
        # the TLS registry is verified with the CA from the setting (not listed as insecure).
        with rs.Env(DOCKER_CONFIG=elsewhere):
            with self.session(caCertificates=[fx["FIXTURE_CA"]], dockerConfig=creds) as s:
                uri = s.open("Dockerfile", f"FROM {fx['FIXTURE_AUTH']}/fixture/hello:1.0\n")
                h = settled_hover(s, uri, 0, 8)
                self.assertIn(f"| compressed (download) | {rs.format_bytes(self.amd)} |", h)
                self.assertFalse(any("unusable" in m for m in s.client.log.log_messages), s.client.log.log_messages)

    def test_an_unreadable_ca_certificate_is_shown_and_the_server_works_offline(self):
        missing = os.path.join(self.cache, "no-such-ca.pem")
        with self.session(caCertificates=[missing]) as s:
            rs.wait_until("a message about the unusable setting",
                          lambda: any("registry settings unusable" in m and "no-such-ca.pem" in m
                                      for m in s.client.log.log_messages))
            # still serving: diagnostics and a hover from the offline catalogue
            uri = s.open("Dockerfile", "FROM node:20\n")
            s.diagnostics(uri)
            self.assertIsNotNone(s.hover(uri, 0, 7))


class CacheAndOffline(unittest.TestCase):
    """What a server learned stays on disk; the next server answers from it, marked as cached,
    when the registry is gone or the network is off."""

    def test_second_server_answers_from_the_disk_cache(self):
        fx = rs.fixture()
        amd = int(fx["FIXTURE_AMD64_LAYER_BYTES"])
        cache = tempfile.mkdtemp(prefix="layerwise-lsp-cache.")
        with rs.PrivateRegistry(fx) as reg:
            reg.push("multi", "team/app:2")
            ref = f"{reg.host}/team/app:2"
            text = f"FROM {ref}\n"
            with Session(capabilities=rs.CAPS, init_options=rs.registry_options(cache)) as s:
                uri = s.open("Dockerfile", text)
                settled_hover(s, uri, 0, 8)
            files = rs.cache_files(cache)
            tag_records = [json.loads(t) for n, t in files.items() if n.startswith("tags/")]
            self.assertIn(ref, [r["key"] for r in tag_records])
            self.assertEqual([r["data"]["value"] for r in tag_records if r["key"] == ref], [fx["FIXTURE_INDEX_DIGEST"]])
            for digest in (fx["FIXTURE_INDEX_DIGEST"], fx["FIXTURE_AMD64_MANIFEST"]):
                self.assertIn(f"digests/sha256/{digest.split(':')[1]}.json", files)
            reg.stop()

            # Offline: the cache answers, and says so.
            with Session(capabilities=rs.CAPS, init_options=rs.registry_options(cache, offline=True)) as s:
                uri = s.open("Dockerfile", text)
                h = settled_hover(s, uri, 0, 8)
                self.assertIn(f"| compressed (download) | {rs.format_bytes(amd)} |", h)
                self.assertIn(f"| digest | `{fx['FIXTURE_INDEX_DIGEST']}` |", h)
                self.assertRegex(h, r"_Source: cache \(\d+s old\)\._")
                self.assertNotIn("pending", json.dumps(rs.hints(s, uri)))

            # Registry stopped, tag older than the TTL: the stale figures, marked stale, and why
            # the registry could not confirm them.
            time.sleep(1.2)
            with Session(capabilities=rs.CAPS, init_options=rs.registry_options(cache, tagTtlSeconds=1)) as s:
                uri = s.open("Dockerfile", text)
                h = settled_hover(s, uri, 0, 8, needle="cannot reach registry")
                self.assertIn(f"| compressed (download) | {rs.format_bytes(amd)} |", h)
                self.assertRegex(h, r"_Source: cache \(\d+s old, stale\)\._")
                got = rs.hints(s, uri)
                self.assertEqual(rs.labels(got)[0][0], f"base {rs.unpacked_range(amd)}")
                self.assertIn("cannot reach registry", rs.tooltip(got[0]))


class LazyTooltips(unittest.TestCase):
    """A client that resolves tooltips lazily gets hints without them and `inlayHint/resolve`
    fills each in, the same text an eager client gets. Needs no registry (offline catalogue),
    except the last test."""

    TEXT = "FROM node:20 AS build\nWORKDIR /app\nCOPY app.js ./\nRUN npm run build\n\nFROM node:20-slim\nCOPY --from=build /app/app.js /app/\nCMD [\"node\", \"/app/app.js\"]\n"

    @staticmethod
    def lazy_caps() -> dict:
        caps = json.loads(json.dumps(rs.CAPS))
        caps["textDocument"]["inlayHint"] = {"resolveSupport": {"properties": ["tooltip"]}}
        return caps

    def settled(self, s: Session, uri: str) -> list[dict]:
        return rs.wait_until("settled hints", lambda: (lambda g: g if g and "pending" not in json.dumps(g) else None)(rs.hints(s, uri)))

    def test_resolve_gives_the_eager_tooltips(self):
        with Session(capabilities=rs.CAPS) as s:
            s.write("app.js", "console.log(1)\n" * 40)
            eager = self.settled(s, s.open("Dockerfile", self.TEXT))
        with Session(capabilities=self.lazy_caps()) as s:
            self.assertEqual(s.server_capabilities["inlayHintProvider"], {"resolveProvider": True})
            s.write("app.js", "console.log(1)\n" * 40)
            uri = s.open("Dockerfile", self.TEXT)
            lazy = self.settled(s, uri)
            self.assertEqual([(h["position"], h["label"]) for h in lazy], [(h["position"], h["label"]) for h in eager])
            self.assertTrue(all("tooltip" not in h and h.get("data") for h in lazy), lazy)
            for e, l in zip(eager, lazy):
                resolved = s.request("inlayHint/resolve", l)
                self.assertEqual(resolved["tooltip"], e["tooltip"])
                self.assertEqual(resolved["label"], e["label"])
            # A hint of an older version comes back unchanged.
            s.change(uri, [{"text": self.TEXT + "# edited\n"}])
            self.assertNotIn("tooltip", s.request("inlayHint/resolve", lazy[0]))

    def test_resolved_base_tooltip_says_why_the_lookup_failed(self):
        fx = rs.fixture()
        cache = tempfile.mkdtemp(prefix="layerwise-lsp-cache.")
        ref = f"{fx['FIXTURE_PLAIN']}/fixture/hello:missing"
        with Session(capabilities=self.lazy_caps(), init_options=rs.registry_options(cache)) as s:
            uri = s.open("Dockerfile", f"FROM {ref}\n")
            base = rs.wait_until("the failure", lambda: next((h for h in rs.hints(s, uri) if h["label"].startswith("base ?")), None))
            self.assertEqual(base["label"], "base ? (not found)")
            tip = s.request("inlayHint/resolve", base)["tooltip"]["value"]
            self.assertTrue(tip.startswith("**Registry lookup failed:** "), tip)
            self.assertIn(f"{ref} not found", tip)


if __name__ == "__main__":
    unittest.main()
