#!/usr/bin/env python3
"""Generates apt-sizes.txt: Debian package sizes and dependencies for layerwise's apt-get
install estimates.

Run on a Debian 12 (bookworm) amd64 machine after `apt-get update`:

    python3 server/crates/ide/data/gen_apt_sizes.py > server/crates/ide/data/apt-sizes.txt

It reads the local package index with `apt-cache dumpavail` (no network), starts from the
packages in apt-popular.txt and the package sets of common base images, and writes every
package reachable through Depends, Pre-Depends and Recommends with its Installed-Size (KiB, as
the package declares it) and its dependencies resolved to concrete package names:

- an alternative `a | b` resolves to its first alternative that exists (apt's first choice);
- a virtual package resolves to a real package of that name if there is one, else to the
  provider that sorts first by name (apt may pick another one; the sizes are close in
  practice, and the estimate says it is approximate);
- architecture qualifiers (`:any`, `:native`) and version constraints are dropped.

Output format (tab-separated, `#` comments):

    @meta  <key>  <value>
    @base  <name>  <parent or ->  <root packages, space-separated>
    <package>  <installed KiB>  <depends, comma-separated>  <recommends, comma-separated>
"""

from __future__ import annotations

import datetime
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# Package sets of the base images apt-get runs on, so packages already there are not counted
# again. `minbase` is what debootstrap's minbase variant installs (Essential and Priority
# required, plus apt), the content of the official debian/ubuntu images. The buildpack-deps
# sets follow the docker-library/buildpack-deps Dockerfiles for bookworm (they install with
# --no-install-recommends), on which the full node, python, ruby, rust and golang images build.
BASES = [
    ("minbase", "-", None),
    ("buildpack-deps-curl", "minbase", "ca-certificates curl gnupg netbase sq wget"),
    ("buildpack-deps-scm", "buildpack-deps-curl",
     "git mercurial openssh-client subversion procps"),
    ("buildpack-deps", "buildpack-deps-scm",
     "autoconf automake bzip2 default-libmysqlclient-dev dpkg-dev file g++ gcc imagemagick "
     "libbz2-dev libc6-dev libcurl4-openssl-dev libdb-dev libevent-dev libffi-dev libgdbm-dev "
     "libglib2.0-dev libgmp-dev libjpeg-dev libkrb5-dev liblzma-dev libmagickcore-dev "
     "libmagickwand-dev libmaxminddb-dev libncurses5-dev libncursesw5-dev libpng-dev libpq-dev "
     "libreadline-dev libsqlite3-dev libssl-dev libtool libwebp-dev libxml2-dev libxslt-dev "
     "libyaml-dev make patch unzip xz-utils zlib1g-dev"),
    # golang's full images add a C toolchain on top of buildpack-deps:scm.
    ("golang", "buildpack-deps-scm", "g++ gcc libc6-dev make pkg-config"),
]


def parse_dumpavail(text: str) -> dict[str, dict[str, str]]:
    """Package name -> its fields (the last stanza wins; dumpavail prints one per name)."""
    packages: dict[str, dict[str, str]] = {}
    for stanza in text.split("\n\n"):
        fields: dict[str, str] = {}
        key = None
        for line in stanza.splitlines():
            if line.startswith((" ", "\t")) and key:
                fields[key] += " " + line.strip()
            elif ":" in line:
                key, _, value = line.partition(":")
                fields[key] = value.strip()
        if "Package" in fields:
            packages[fields["Package"]] = fields
    return packages


def providers_of(packages: dict[str, dict[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, fields in packages.items():
        for item in fields.get("Provides", "").split(","):
            virtual = item.strip().split(" ")[0].split(":")[0]
            if virtual:
                out.setdefault(virtual, []).append(name)
    for names in out.values():
        names.sort()
    return out


def resolve_group(group: str, packages, providers) -> str | None:
    for alternative in group.split("|"):
        name = alternative.strip().split(" ")[0].split(":")[0]
        if not name:
            continue
        if name in packages:
            return name
        if providers.get(name):
            return providers[name][0]
    return None


def relations(fields: dict[str, str], keys: list[str], packages, providers) -> list[str]:
    out: list[str] = []
    for key in keys:
        for group in fields.get(key, "").split(","):
            if not group.strip():
                continue
            name = resolve_group(group, packages, providers)
            if name and name not in out:
                out.append(name)
    return out


def main() -> int:
    text = subprocess.run(["apt-cache", "dumpavail"], check=True, capture_output=True,
                          text=True).stdout
    packages = parse_dumpavail(text)
    providers = providers_of(packages)
    minbase = sorted(n for n, f in packages.items()
                     if f.get("Essential") == "yes" or f.get("Priority") == "required")
    minbase.append("apt")
    with open(os.path.join(HERE, "apt-popular.txt")) as f:
        popular = [line.strip() for line in f if line.strip() and not line.startswith("#")]
    roots = list(popular) + minbase
    for _, _, names in BASES:
        roots += (names or "").split()
    missing = sorted({r for r in roots if r not in packages and not providers.get(r)})
    todo = [resolve_group(r, packages, providers) for r in roots]
    seen: dict[str, tuple[list[str], list[str]]] = {}
    while todo:
        name = todo.pop()
        if name is None or name in seen:
            continue
        fields = packages[name]
        deps = relations(fields, ["Pre-Depends", "Depends"], packages, providers)
        recs = relations(fields, ["Recommends"], packages, providers)
        seen[name] = (deps, recs)
        todo.extend(deps)
        todo.extend(recs)

    release = "unknown"
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    release = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    arch = subprocess.run(["dpkg", "--print-architecture"], capture_output=True,
                          text=True).stdout.strip() or "unknown"
    print("# Debian package sizes for layerwise's apt-get install estimates.")
    print("# GENERATED by server/crates/ide/data/gen_apt_sizes.py from `apt-cache dumpavail` on")
    print(f"# {release} ({arch}); do not edit by hand. Installed-Size is in KiB as each package")
    print("# declares it (an estimate by the packager, close to what the files take on disk).")
    print("# Columns: package, installed KiB, depends (incl. pre-depends), recommends.")
    print(f"@meta\trelease\t{release}")
    print(f"@meta\tarch\t{arch}")
    print(f"@meta\tgenerated\t{datetime.date.today().isoformat()}")
    if missing:
        print(f"# Not in this release's index (estimates say 'unknown'): {' '.join(missing)}")
    for name, parent, names in BASES:
        roots = " ".join(minbase) if names is None else names
        print(f"@base\t{name}\t{parent}\t{roots}")
    for name in sorted(seen):
        deps, recs = seen[name]
        size = packages[name].get("Installed-Size", "0").strip() or "0"
        print(f"{name}\t{size}\t{','.join(deps)}\t{','.join(recs)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
