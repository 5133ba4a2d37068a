#!/usr/bin/env python3
"""Writes a small single-platform image as an OCI layout, for registry tests
and the push benchmark (then copied into a registry with skopeo, an
independent tool, so the product is never used to make its own inputs).

  make_oci_layout.py --out DIR --arch amd64 [--variant v8] [--docker]
                     [--layers N] [--layer-size BYTES] [--seed S] [--tag T]
                                        [--gzip] [--layer-file TAR]...

Layers are tars holding one file of pseudo-random bytes (seeded, so reruns
give identical digests); --gzip compresses them (level 1)."""
import argparse, gzip, hashlib, io, json, os, random, tarfile

def put_blob(out, data):
    d = hashlib.sha256(data).hexdigest()
    path = os.path.join(out, "blobs", "sha256", d)
    if not os.path.exists(path):
        with open(path, "wb") as f:
            f.write(data)
    return "sha256:" + d, len(data)

def layer_bytes(rng, size, name):
    payload = rng.randbytes(size) if hasattr(rng, "randbytes") else bytes(rng.getrandbits(8) for _ in range(size))
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        info = tarfile.TarInfo(name)
        info.size = len(payload)
        info.mtime = 0
        info.mode = 0o644
        tar.addfile(info, io.BytesIO(payload))
    return buf.getvalue()

def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", required=True)
    p.add_argument("--arch", default="amd64")
    p.add_argument("--variant", default="")
    p.add_argument("--docker", action="store_true")
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--layer-size", type=int, default=4096)
    p.add_argument("--seed", default="xbuild")
    p.add_argument("--tag", default="latest")
    p.add_argument("--gzip", action="store_true")
    p.add_argument("--layer-file", action="append", default=[],
                   help="use this tar as a layer (repeatable; replaces the random layers)")
    a = p.parse_args()
    os.makedirs(os.path.join(a.out, "blobs", "sha256"), exist_ok=True)
    rng = random.Random(f"{a.seed}/{a.arch}/{a.variant}")
    if a.docker:
        mt_manifest = "application/vnd.docker.distribution.manifest.v2+json"
        mt_config = "application/vnd.docker.container.image.v1+json"
        mt_layer = "application/vnd.docker.image.rootfs.diff.tar" + (".gzip" if a.gzip else "")
    else:
        mt_manifest = "application/vnd.oci.image.manifest.v1+json"
        mt_config = "application/vnd.oci.image.config.v1+json"
        mt_layer = "application/vnd.oci.image.layer.v1.tar" + ("+gzip" if a.gzip else "")
    layers, diff_ids = [], []
    raws = ([open(f, "rb").read() for f in a.layer_file] if a.layer_file else
            [layer_bytes(rng, a.layer_size, f"layer{i}-{a.arch}.bin") for i in range(a.layers)])
    a.layers = len(raws)
    for raw in raws:
        diff_ids.append("sha256:" + hashlib.sha256(raw).hexdigest())
        data = gzip.compress(raw, compresslevel=1, mtime=0) if a.gzip else raw
        d, n = put_blob(a.out, data)
        layers.append({"mediaType": mt_layer, "digest": d, "size": n})
    config = {"architecture": a.arch, "os": "linux",
              "config": {"Cmd": ["/bin/sh"], "Labels": {"seed": a.seed}},
              "rootfs": {"type": "layers", "diff_ids": diff_ids},
              "history": [{"created_by": f"layer {i}"} for i in range(a.layers)]}
    if a.variant:
        config["variant"] = a.variant
    cd, cn = put_blob(a.out, json.dumps(config, separators=(",", ":")).encode())
    manifest = {"schemaVersion": 2, "mediaType": mt_manifest,
                "config": {"mediaType": mt_config, "digest": cd, "size": cn}, "layers": layers}
    md, mn = put_blob(a.out, json.dumps(manifest, separators=(",", ":")).encode())
    index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
             "manifests": [{"mediaType": mt_manifest, "digest": md, "size": mn,
                            "annotations": {"org.opencontainers.image.ref.name": a.tag}}]}
    with open(os.path.join(a.out, "index.json"), "w") as f:
        json.dump(index, f)
    with open(os.path.join(a.out, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)
    print(md)

if __name__ == "__main__":
    main()
