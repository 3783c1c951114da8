#!/usr/bin/env python3
"""Builds the OCI image layout the registry fixture pushes, and prints the expected figures.

usage: make_layout.py OUT_DIR  -> OUT_DIR/layout (an OCI layout with refs "1.0" and "multi"),
                                  prints `export FIXTURE_...=...` lines on stdout.

Deterministic: tar entries have fixed metadata, gzip has no timestamp, file contents come from a
seeded PRNG, so the same script always produces the same digests and sizes. One layer per image
is mostly incompressible (so its compressed size is large and easy to tell apart), one is tiny.
"""
import gzip, hashlib, io, json, os, random, sys, tarfile

OUT = sys.argv[1]
LAYOUT = os.path.join(OUT, "layout")
BLOBS = os.path.join(LAYOUT, "blobs", "sha256")
os.makedirs(BLOBS, exist_ok=True)


def put(data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()
    with open(os.path.join(BLOBS, digest), "wb") as f:
        f.write(data)
    return digest


def layer(files):
    """files: [(path, bytes)] -> (compressed bytes, diff_id hex)"""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path, data in files:
            info = tarfile.TarInfo(path)
            info.size, info.mtime, info.mode, info.uid, info.gid = len(data), 0, 0o644, 0, 0
            tar.addfile(info, io.BytesIO(data))
    tar_bytes = raw.getvalue()
    return gzip.compress(tar_bytes, compresslevel=9, mtime=0), hashlib.sha256(tar_bytes).hexdigest()


def image(arch, variant, seed, extra):
    """`extra` incompressible bytes make the platforms' sizes differ visibly (171 kB vs 231 kB),
    so a test can tell from a hover which platform's manifest was read."""
    rng = random.Random(seed)
    layers = [
        layer([("etc/os-release", f"fixture {arch}\n".encode()), ("etc/motd", b"hello\n" * 100)]),
        layer([("app/blob.bin", rng.randbytes(150_000 + extra + seed)), ("app/README", b"fixture app\n")]),
        layer([("app/extra.bin", rng.randbytes(20_000))]),
    ]
    platform = {"architecture": arch, "os": "linux"}
    if variant:
        platform["variant"] = variant
    config = dict(platform)
    config.update({
        "created": "2025-03-04T05:06:07Z",
        "config": {"User": "1000:1000", "ExposedPorts": {"8080/tcp": {}}, "Entrypoint": ["/app/run"],
                   "Cmd": ["--serve"], "WorkingDir": "/app", "Env": ["PATH=/usr/bin:/bin"]},
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + d for _, d in layers]},
        "history": [{"created_by": "ADD base"}, {"created_by": "COPY app"}, {"created_by": "ENV x=1", "empty_layer": True},
                    {"created_by": "COPY extra"}],
    })
    config_bytes = json.dumps(config, sort_keys=True).encode()
    descs = []
    for blob, _ in layers:
        descs.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": "sha256:" + put(blob), "size": len(blob)})
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": "sha256:" + put(config_bytes),
                           "size": len(config_bytes)},
                "layers": descs}
    manifest_bytes = json.dumps(manifest, sort_keys=True).encode()
    return {"digest": "sha256:" + put(manifest_bytes), "size": len(manifest_bytes), "platform": platform,
            "layer_bytes": sum(d["size"] for d in descs), "layer_count": len(descs)}


amd = image("amd64", None, 1, 0)
arm = image("arm64", "v8", 2, 60_000)
index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
         "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": m["digest"],
                        "size": m["size"], "platform": m["platform"]} for m in (amd, arm)]}
index_bytes = json.dumps(index, sort_keys=True).encode()
index_digest = "sha256:" + put(index_bytes)
top = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [
    {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": amd["digest"], "size": amd["size"],
     "annotations": {"org.opencontainers.image.ref.name": "1.0"}},
    {"mediaType": "application/vnd.oci.image.index.v1+json", "digest": index_digest, "size": len(index_bytes),
     "annotations": {"org.opencontainers.image.ref.name": "multi"}}]}
with open(os.path.join(LAYOUT, "index.json"), "w") as f:
    json.dump(top, f)
with open(os.path.join(LAYOUT, "oci-layout"), "w") as f:
    f.write('{"imageLayoutVersion":"1.0.0"}')

print(f"export FIXTURE_AMD64_MANIFEST={amd['digest']}")
print(f"export FIXTURE_AMD64_LAYER_BYTES={amd['layer_bytes']}")
print(f"export FIXTURE_ARM64_MANIFEST={arm['digest']}")
print(f"export FIXTURE_ARM64_LAYER_BYTES={arm['layer_bytes']}")
print(f"export FIXTURE_LAYER_COUNT={amd['layer_count']}")
print(f"export FIXTURE_INDEX_DIGEST={index_digest}")
