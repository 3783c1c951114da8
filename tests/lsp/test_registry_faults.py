"""Registry failures through the built server (tests/registry/fixture.sh on loopback): a
registry that is down, wrong credentials (401), a missing tag (404), a rate limit with
Retry-After (429), a server error (500), TLS with an unknown CA, access denied (403), a platform
the image lacks. For each: hover and hints answer (no hang, no crash), say what went wrong in
a few words (hint) and in full (hover, tooltip), show no secret, and nothing is cached for
the image. After a failure the server asks the client to refresh, does not ask the registry
again until a backoff has passed, and then does (a tag pushed meanwhile is found).

Skips without the fixture; fails without it when LAYERWISE_REQUIRE_REGISTRY=1.
"""
import json
import os
import sys
import tempfile
import unittest
import urllib.request

from harness import ROOT, Session

sys.path.insert(0, str(ROOT / "tests" / "registry"))
import lsp_support as rs  # noqa: E402

WRONG_PASSWORD = "wrong-password-Zx81"


def seen_requests(fault_host: str) -> int:
    """How many requests the fault server has received so far (it records each)."""
    with urllib.request.urlopen(f"http://{fault_host}/seen", timeout=5) as r:
        return len(json.loads(r.read()))


class Faults(unittest.TestCase):
    def setUp(self):
        self.fx = rs.fixture()
        self.cache = tempfile.mkdtemp(prefix="layerwise-lsp-cache.")

    def session(self, **registry) -> Session:
        return Session(capabilities=rs.CAPS, init_options=rs.registry_options(self.cache, **registry))

    def failed(self, s: Session, uri: str, col: int = len("FROM ") + 2) -> tuple[str, dict, str]:
        """Waits for the base hint to stop being pending; returns (label, hint, hover at `col`
        of the first line)."""
        def settled():
            got = rs.hints(s, uri)
            base = [h for h in got if h["position"]["line"] == 0]
            return base[0] if base and base[0]["label"] != "base pending" else None

        hint = rs.wait_until("the lookup to finish", settled)
        hover = s.hover(uri, 0, col)
        return hint["label"], hint, hover

    def check(self, ref: str, short: str, message: str, repo: str, secret: str | None = None,
              text: str | None = None, **registry) -> str:
        text = text or f"FROM {ref}\n"
        with self.session(**registry) as s:
            uri = s.open("Dockerfile", text)
            label, hint, hover = self.failed(s, uri, text.index(ref) + 2)
            self.assertEqual(label, f"base ? ({short})")
            self.assertIn("**Registry lookup failed:**", hover)
            self.assertIn(message, hover)
            self.assertIn(message, rs.tooltip(hint))
            self.assertRegex(hover, r"layerwise asks again in \d+ s\.")
            # The server is still there and still answers.
            self.assertIsNotNone(s.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}}))
            stderr_path = s.stderr
            with open(stderr_path) as f:
                stderr = f.read()
        self.assertEqual(s.exit_code, 0, stderr[-2000:])
        for secret_text in filter(None, [secret, self.fx["FIXTURE_PASS"]]):
            self.assertNotIn(secret_text, hover)
            self.assertNotIn(secret_text, json.dumps(hint))
            self.assertNotIn(secret_text, stderr)
        files = rs.cache_files(self.cache)
        for name, body in files.items():
            if name.startswith("docker/"):
                continue  # the test's own Docker config
            self.assertNotIn(repo, body, f"{name} caches something about {repo}")
            for secret_text in filter(None, [secret, self.fx["FIXTURE_PASS"]]):
                self.assertNotIn(secret_text, body, name)
        return hover

    def test_registry_down(self):
        host = f"127.0.0.1:{rs.free_port()}"
        self.check(f"{host}/team/app:1", "registry unreachable", f"cannot reach registry {host}", "team/app")

    def test_wrong_credentials_401(self):
        fx = self.fx
        creds = rs.docker_config(os.path.join(self.cache, "docker"), fx["FIXTURE_AUTH"], fx["FIXTURE_USER"], WRONG_PASSWORD)
        with rs.Env(DOCKER_CONFIG=creds):
            self.check(f"{fx['FIXTURE_AUTH']}/fixture/hello:1.0", "credentials rejected",
                       "rejected the configured credentials", "fixture/hello", secret=WRONG_PASSWORD,
                       insecure=[fx["FIXTURE_AUTH"]])

    def test_no_credentials_401(self):
        fx = self.fx
        empty = rs.docker_config(os.path.join(self.cache, "docker"), "other.invalid", "u", "p")
        with rs.Env(DOCKER_CONFIG=empty):
            self.check(f"{fx['FIXTURE_FAULT']}/fault/private:1", "login required",
                       "requires authentication", "fault/private")

    def test_missing_tag_404(self):
        ref = f"{self.fx['FIXTURE_PLAIN']}/fixture/hello:no-such-tag"
        self.check(ref, "not found", f"{ref} not found", "hello:no-such-tag")

    def test_forbidden_403(self):
        self.check(f"{self.fx['FIXTURE_FAULT']}/fault/forbidden:1", "access denied", "is denied (403)", "fault/forbidden")

    def test_rate_limited_429_honours_retry_after(self):
        hover = self.check(f"{self.fx['FIXTURE_FAULT']}/fault/ratelimited:1", "rate limited",
                           "rate limit reached; retry in 2 min", "fault/ratelimited")
        # The registry said 120 s: layerwise waits that long, not its own 10 s.
        wait = int(hover.rsplit("asks again in ", 1)[1].split(" ", 1)[0])
        self.assertGreater(wait, 60)

    def test_server_error_500_and_no_retry_before_the_backoff(self):
        fault = self.fx["FIXTURE_FAULT"]
        with self.session() as s:
            uri = s.open("Dockerfile", f"FROM {fault}/fault/broken:1\n")
            label, _, hover = self.failed(s, uri)
            self.assertEqual(label, "base ? (registry error 500)")
            self.assertIn("failed with HTTP 500", hover)
            before = seen_requests(fault)
            for _ in range(10):
                rs.hints(s, uri)
                s.hover(uri, 0, 8)
            # (+1: the fault server counts the `/seen` request itself)
            self.assertEqual(seen_requests(fault), before + 1, "requests sent to the registry during the backoff")
        self.assertFalse(any("fault/broken" in b for b in rs.cache_files(self.cache).values()))

    def test_tls_with_an_unknown_ca(self):
        hover = self.check(f"{self.fx['FIXTURE_AUTH']}/fixture/hello:1.0", "TLS failed", "TLS connection to", "fixture/hello")
        self.assertIn("UnknownIssuer", hover)

    def test_platform_the_image_lacks(self):
        ref = f"{self.fx['FIXTURE_PLAIN']}/fixture/hello:multi"
        self.check(ref, "no linux/s390x image", "has no image for linux/s390x; available: linux/amd64, linux/arm64/v8",
                   "s390x", text=f"FROM --platform=linux/s390x {ref}\n")


class FailureThenRetry(unittest.TestCase):
    def test_failure_refreshes_the_hints_instead_of_leaving_them_pending(self):
        fx = rs.fixture()
        cache = tempfile.mkdtemp(prefix="layerwise-lsp-cache.")
        with rs.GatedProxy(fx["FIXTURE_PLAIN"]) as proxy, \
                Session(capabilities=rs.CAPS, init_options=rs.registry_options(cache)) as s:
            s.write("a.txt", "a" * 100)
            uri = s.open("Dockerfile", f"FROM {proxy.host}/fixture/hello:gone\nCOPY a.txt /\n")
            # Everything else settles while the registry is held at the gate.
            rs.wait_until("the context walk", lambda: "+100 B" in rs.labels(rs.hints(s, uri)).get(1, []))
            self.assertEqual(rs.labels(rs.hints(s, uri))[0], ["base pending"])
            before = rs.refreshes(s)
            proxy.open()
            rs.wait_until("a refresh after the failure", lambda: rs.refreshes(s) > before)
            got = rs.hints(s, uri)
            self.assertEqual(rs.labels(got)[0], ["base ? (not found)"])
            self.assertIn("not found: no such repository, tag or digest", rs.tooltip(got[0]))

    def test_a_later_retry_finds_a_tag_pushed_after_the_failure(self):
        fx = rs.fixture()
        cache = tempfile.mkdtemp(prefix="layerwise-lsp-cache.")
        amd = int(fx["FIXTURE_AMD64_LAYER_BYTES"])
        with rs.PrivateRegistry(fx) as reg, \
                Session(capabilities=rs.CAPS, init_options=rs.registry_options(cache)) as s:
            ref = f"{reg.host}/late/app:1"
            uri = s.open("Dockerfile", f"FROM {ref}\n")
            first = rs.wait_until("the 404", lambda: (lambda l: l if l and l != "base pending" else None)(
                rs.labels(rs.hints(s, uri)).get(0, [None])[0]))
            self.assertEqual(first, "base ? (not found)")
            reg.push("1.0", "late/app:1")
            # Keep asking like an editor would; the retry starts after the backoff (10 s).
            seen = []

            def found():
                label = rs.labels(rs.hints(s, uri))[0][0]
                seen.append(label)
                return label if "?" not in label else None

            label = rs.wait_until("the figures after the retry", found, timeout=60, every=0.5)
            self.assertEqual(label, f"base {rs.unpacked_range(amd)}")
            # Never "pending" again while the old failure waited for its retry.
            self.assertEqual(set(seen[:-1]) - {"base ? (not found)"}, set())
            self.assertNotIn("Registry lookup failed", s.hover(uri, 0, 8))


if __name__ == "__main__":
    unittest.main()
