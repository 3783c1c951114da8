#!/usr/bin/env python3
"""Differential test: layerwise's parser against BuildKit's own (PyPI `dockerfile`, which wraps
BuildKit's Go parser) on every Dockerfile of ../shared/corpus/.

For each file both must agree on whether it parses, and, when it does, on every instruction's
cmd, sub_cmd, json, flags, value, start_line, end_line and heredocs. Deliberate differences are
listed in docs/dev/conformance.md and in KNOWN below (none at the moment).

Usage: differential.py LAYERWISE_BINARY CORPUS_DIR
"""
import json
import pathlib
import subprocess
import sys

import dockerfile  # PyPI dockerfile==3.4.0

# file name -> reason. Only deliberate differences, each explained in docs/dev/conformance.md.
KNOWN: dict[str, str] = {
    # `ENTRYPOINT ["x"] # comment`: PyPI dockerfile 3.4.0 wraps a BuildKit from before commit
    # 80518e257 (2024-07, "fix invalid usage of json.NewDecoder"), which ignored text after the
    # JSON array. BuildKit today uses json.Unmarshal, so trailing text means shell form.
    "GoogleContainerTools__kaniko__integration__dockerfiles__Dockerfile_test_cmd.Dockerfile": "json-trailing-text",
    # A "\u0000" in a JSON string: BuildKit keeps the NUL (its own fixture `result` says so and
    # we match it byte for byte); the Python binding passes strings through C and cuts at NUL.
    "buildkit-parser/testfiles/json/Dockerfile": "nul-in-c-binding",
}


def theirs(path: pathlib.Path):
    try:
        cmds = dockerfile.parse_file(str(path))
    except dockerfile.GoParseError as e:
        return ("error", str(e))
    except UnicodeDecodeError as e:
        return ("skip", f"not UTF-8: {e}")
    out = []
    for c in cmds:
        rec = {
            "cmd": c.cmd.lower(),
            "sub_cmd": c.sub_cmd.lower() if c.sub_cmd else None,
            "json": c.json,
            "flags": list(c.flags),
            "value": list(c.value),
            "start_line": c.start_line,
            "end_line": c.end_line,
        }
        if c.heredocs:
            rec["heredocs"] = [{"name": h.name, "content": h.content} for h in c.heredocs]
        out.append(rec)
    return ("ok", out)


def ours(binary: str, path: pathlib.Path):
    p = subprocess.run([binary, "parse", "--format", "json", str(path)], capture_output=True, timeout=60)
    if p.returncode == 1:
        return ("error", p.stderr.decode(errors="replace").strip())
    if p.returncode != 0:
        raise RuntimeError(f"layerwise crashed on {path}: {p.stderr.decode(errors='replace')}")
    return ("ok", json.loads(p.stdout))


def main() -> int:
    binary, corpus = sys.argv[1], pathlib.Path(sys.argv[2])
    files = sorted(p for p in corpus.rglob("*") if p.is_file() and (p.name.endswith(".Dockerfile") or p.name == "Dockerfile"))
    agree = disagree = skipped = 0
    for path in files:
        t = theirs(path)
        if t[0] == "skip":
            skipped += 1
            continue
        o = ours(binary, path)
        same = t[0] == o[0] and (t[0] == "error" or t[1] == o[1])
        rel = str(path.relative_to(corpus))
        if same:
            agree += 1
        elif rel in KNOWN:
            agree += 1
        else:
            disagree += 1
            print(f"DIFF {rel}")
            if t[0] != o[0]:
                print(f"  buildkit: {t[0]} {t[1] if t[0] == 'error' else ''}\n  layerwise: {o[0]} {o[1] if o[0] == 'error' else ''}")
            else:
                for i, (a, b) in enumerate(zip(t[1], o[1])):
                    if a != b:
                        print(f"  instruction {i}:\n    buildkit:  {a}\n    layerwise: {b}")
                        break
                else:
                    print(f"  instruction count: buildkit {len(t[1])}, layerwise {len(o[1])}")
    print(f"differential: {agree} agree, {disagree} differ, {skipped} skipped (not UTF-8) of {len(files)} files")
    return 1 if disagree else 0


if __name__ == "__main__":
    sys.exit(main())
