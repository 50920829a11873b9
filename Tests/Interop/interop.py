#!/usr/bin/env python3
"""Interoperability of GTNData's file formats with NumPy and `safetensors`.

    python3 Tests/Interop/interop.py PATH/TO/gtn-interop-check

1. Python -> Swift: writes .npy files of every scalar type GTNData reads
   (C and Fortran order, both byte orders, format versions 1.0-3.0, 0-d and
   empty arrays), .npz archives (numpy.savez and numpy.savez_compressed,
   also to an unseekable stream), safetensors files of every dtype
   (safetensors.numpy.save_file, with metadata) and datasets; runs
   `gtn-interop-check read` and compares the dtype, shape and digests of
   every array it reports with NumPy's. Files of types GTNData does not
   read (float16, complex, strings, F16) must give an error.
2. Swift -> Python: runs `gtn-interop-check write` and loads every file it
   wrote with numpy.load and safetensors, comparing dtype, shape, digests,
   values and metadata against its manifest.json (including a GTN
   checkpoint written by MetaTrainer.saveCheckpoint); then saves that
   checkpoint again with safetensors, every tensor halved, and checks that
   MetaTrainer(restoringFrom:) restores exactly those tensors.

The digests are those of gtn-interop-check (see Tests/gtn-interop-check/
main.swift): 64-bit FNV-1a of the little-endian C-order bytes, of the values
as float32, and of the values as decimal integers. Exits 1 listing every
mismatch.
"""

import io
import json
import math
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import safetensors
import safetensors.numpy
from safetensors import safe_open

DTYPES = ["bool", "int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64", "float32", "float64"]
ST_DTYPES = {"bool": "BOOL", "int8": "I8", "uint8": "U8", "int16": "I16", "uint16": "U16", "int32": "I32",
             "uint32": "U32", "int64": "I64", "uint64": "U64", "float32": "F32", "float64": "F64"}

failures = []


def fail(message):
    failures.append(message)
    print(f"  MISMATCH {message}", file=sys.stderr)


# --- digests (the same as gtn-interop-check's) ---------------------------------

def fnv1a(data: bytes) -> str:
    h = 0xCBF29CE484222325
    for b in data:
        h ^= b
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


def canonical(a: np.ndarray) -> np.ndarray:
    """The array in C order, little-endian."""
    # (np.ascontiguousarray would turn a 0-d array into a 1-d one.)
    return np.asarray(a, order="C").astype(a.dtype.newbyteorder("<"), order="C", copy=False)


def describe(a: np.ndarray) -> dict:
    c = canonical(a)
    ints = None
    if c.dtype.kind in "biu" and not (c.dtype.kind == "u" and c.size and int(c.max()) > 2**63 - 1):
        ints = fnv1a(",".join(str(int(x)) for x in c.ravel()).encode())
    floats = None
    with np.errstate(all="ignore"):
        floats = fnv1a(c.astype("<f4").tobytes())
    return {"dtype": c.dtype.name, "shape": list(c.shape), "bytes": fnv1a(c.tobytes()), "floats": floats, "ints": ints}


def compare(name, expected: dict, found: dict, keys=("dtype", "shape", "bytes", "floats", "ints")):
    for key in keys:
        if expected.get(key) != found.get(key):
            fail(f"{name}: {key} expected {expected.get(key)!r}, found {found.get(key)!r}")


# --- sample data ---------------------------------------------------------------

def sample(dtype: str, shape, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape, dtype=np.int64))
    dt = np.dtype(dtype)
    if dt.kind == "b":
        a = rng.integers(0, 2, n).astype(bool)
    elif dt.kind in "iu":
        info = np.iinfo(dt)
        a = rng.integers(info.min, info.max, n, dtype=dt, endpoint=True)
        specials = [info.min, info.max, 0] + ([-1] if dt.kind == "i" else [])
        a[: min(n, len(specials))] = specials[: min(n, len(specials))]
    else:
        a = (rng.standard_normal(n) * 1000).astype(dt)
        specials = [np.inf, -np.inf, -0.0, np.finfo(dt).smallest_subnormal, np.finfo(dt).max, 0.1]
        if dt == np.float32:
            specials.append(np.nan)
        a[: min(n, len(specials))] = np.array(specials[: min(n, len(specials))], dtype=dt)
    return a.reshape(shape)


def python_files(folder: str) -> dict:
    """Writes the files Swift reads; returns the expected description by name."""
    expected = {}

    def save_npy(name, a, version=None):
        path = os.path.join(folder, name)
        if version is None:
            np.save(path, a)
        else:
            with open(path, "wb") as f:
                np.lib.format.write_array(f, a, version=version)
        expected[name] = describe(a)

    for t, dtype in enumerate(DTYPES):
        base = sample(dtype, (2, 3, 4), 10 * t)
        save_npy(f"{dtype}_c.npy", base)
        save_npy(f"{dtype}_fortran.npy", np.asfortranarray(base))
        save_npy(f"{dtype}_fortran_2d.npy", np.asfortranarray(sample(dtype, (3, 5), 10 * t + 1)))
        save_npy(f"{dtype}_vector.npy", sample(dtype, (7,), 10 * t + 2))
        save_npy(f"{dtype}_scalar.npy", sample(dtype, (), 10 * t + 3))
        save_npy(f"{dtype}_empty.npy", sample(dtype, (0,), 10 * t + 4))
        save_npy(f"{dtype}_empty_3d.npy", np.asfortranarray(sample(dtype, (2, 0, 3), 10 * t + 5)))
        if np.dtype(dtype).itemsize > 1:
            big = np.dtype(dtype).newbyteorder(">")
            save_npy(f"{dtype}_big.npy", base.astype(big))
            save_npy(f"{dtype}_big_fortran.npy", np.asfortranarray(sample(dtype, (4, 3, 2), 10 * t + 6).astype(big)))
            save_npy(f"{dtype}_big_scalar.npy", sample(dtype, (), 10 * t + 7).astype(big))
    save_npy("float32_v2.npy", sample("float32", (3, 4), 500), version=(2, 0))
    save_npy("int16_v3.npy", np.asfortranarray(sample("int16", (3, 4), 501)), version=(3, 0))
    save_npy("uint8_strided.npy", sample("uint8", (6, 8), 502)[::2, ::-3])
    save_npy("float64_many_dims.npy", sample("float64", (2, 1, 3, 1, 2, 2), 503))
    save_npy("float64_transposed.npy", sample("float64", (4, 5, 3), 504).transpose(2, 0, 1))

    # Headers NumPy reads but does not write itself: '=' and '<' for 1-byte
    # types, fortran_order True where C and Fortran order coincide.
    def handmade(name, descr, fortran, a):
        header = f"{{'descr': '{descr}', 'fortran_order': {fortran}, 'shape': {a.shape!r}, }}"
        header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
        data = (np.asfortranarray(a) if fortran else np.ascontiguousarray(a)).astype(np.dtype(descr)).tobytes(order="A")
        with open(os.path.join(folder, name), "wb") as f:
            f.write(b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode("latin1") + data)
        loaded = np.load(os.path.join(folder, name))
        if not np.array_equal(loaded, a, equal_nan=True):
            raise SystemExit(f"interop.py: {name} does not load back in NumPy")
        expected[name] = describe(loaded)

    handmade("handmade_native.npy", "=f8", False, sample("float64", (2, 3), 400))
    handmade("handmade_uint8_little.npy", "<u1", False, sample("uint8", (5,), 401))
    handmade("handmade_bool_big.npy", ">b1", True, sample("bool", (2, 3), 402))
    handmade("handmade_fortran_empty.npy", "<i4", True, sample("int32", (2, 0, 3), 403))
    handmade("handmade_fortran_ones.npy", ">u2", True, sample("uint16", (1, 4, 1), 404))
    handmade("handmade_fortran_scalar.npy", "<f4", True, sample("float32", (), 405))

    # Types GTNData does not read: each must give an error, not a crash or a wrong array.
    for name, a in [("unsupported_float16.npy", np.ones(3, np.float16)),
                    ("unsupported_complex64.npy", np.ones(3, np.complex64)),
                    ("unsupported_string.npy", np.array(["ab", "c"]))]:
        np.save(os.path.join(folder, name), a)
        expected[name] = {"error": True}
    safetensors.numpy.save_file({"h": np.ones((2, 2), np.float16)}, os.path.join(folder, "unsupported_f16.safetensors"))
    expected["unsupported_f16.safetensors"] = {"error": True}

    members = {dtype: sample(dtype, (3, 5), 600 + t) for t, dtype in enumerate(DTYPES)}
    members["fortran_int32"] = np.asfortranarray(sample("int32", (4, 6), 700))
    members["big_float64"] = sample("float64", (5, 2), 701).astype(">f8")
    members["big_fortran_uint16"] = np.asfortranarray(sample("uint16", (3, 4, 2), 702).astype(">u2"))
    members["scalar"] = sample("int64", (), 703)
    members["empty"] = sample("float32", (0, 4), 704)
    members["gewichte_ü_λ"] = sample("int16", (2, 2), 705)  # a non-ASCII member name
    members["with space & (parens)"] = sample("uint8", (2,), 706)
    for name, write in [("savez.npz", np.savez), ("savez_compressed.npz", np.savez_compressed)]:
        write(os.path.join(folder, name), **members)
        expected[name] = {"members": list(members)}
        for key, a in members.items():
            expected[f"{name}/{key}"] = describe(a)
    # Written to a stream that cannot seek: members with data descriptors (flag bit 3).
    class Unseekable(io.RawIOBase):
        def __init__(self, f):
            self.f = f

        def writable(self):
            return True

        def write(self, b):
            return self.f.write(b)

    streamed = {"a": sample("int32", (3, 4), 750).astype(">i4"), "b": sample("float64", (2, 2), 751)}
    for name, write in [("streamed.npz", np.savez), ("streamed_compressed.npz", np.savez_compressed)]:
        with open(os.path.join(folder, name), "wb") as f:
            write(Unseekable(f), **streamed)
        expected[name] = {"members": list(streamed)}
        for key, a in streamed.items():
            expected[f"{name}/{key}"] = describe(a)
    positional = [sample("uint8", (4,), 800), sample("float32", (2, 2), 801)]
    np.savez(os.path.join(folder, "positional.npz"), *positional)
    expected["positional.npz"] = {"members": ["arr_0", "arr_1"]}
    for i, a in enumerate(positional):
        expected[f"positional.npz/arr_{i}"] = describe(a)

    for t, dtype in enumerate(DTYPES):
        tensors = {
            "matrix": sample(dtype, (2, 5), 900 + t),
            "cube": sample(dtype, (3, 2, 2), 920 + t),
            "scalar": sample(dtype, (), 940 + t),
            "empty": sample(dtype, (0, 3), 960 + t),
        }
        name = f"{dtype}.safetensors"
        metadata = {"dtype": ST_DTYPES[dtype], "note": "written by safetensors.numpy"}
        safetensors.numpy.save_file(tensors, os.path.join(folder, name), metadata=metadata)
        expected[name] = {"metadata": metadata, "members": sorted(tensors)}
        for key, a in tensors.items():
            expected[f"{name}/{key}"] = describe(a)
            if dtype == "float32":
                expected[f"{name}#checkpoint/{key}"] = describe(a)
        if dtype == "float32":
            expected[f"{name}#checkpoint"] = {"metadata": metadata, "members": sorted(tensors)}
    mixed = {f"t_{dtype}": sample(dtype, (4,), 1000 + t) for t, dtype in enumerate(DTYPES)}
    mixed["größe/λ.weight"] = sample("float32", (2, 3), 1050)
    mixed['quote " back\\slash\ttab'] = sample("int8", (3,), 1051)
    safetensors.numpy.save_file(mixed, os.path.join(folder, "mixed.safetensors"))
    expected["mixed.safetensors"] = {"metadata": {}, "members": sorted(mixed)}
    for key, a in mixed.items():
        expected[f"mixed.safetensors/{key}"] = describe(a)

    # Datasets: Keras-style .npz (N×H×W), .npy pair (N×H×W×C), safetensors (N×C×H×W).
    def dataset(prefix, images, labels, to_nchw):
        expected[f"{prefix}.images"] = describe(to_nchw(images).astype(np.float32))
        expected[f"{prefix}.labels"] = describe(labels.astype(np.int64))

    x_train, x_test = sample("uint8", (5, 6, 7), 1100), sample("uint8", (3, 6, 7), 1101)
    y_train, y_test = np.array([0, 3, 1, 2, 3], dtype=np.int64), np.array([2, 0, 1], dtype=np.uint8)
    np.savez_compressed(os.path.join(folder, "dataset.npz"), x_train=np.asfortranarray(x_train), y_train=y_train,
                        x_test=x_test, y_test=y_test)
    expected["dataset.npz"] = {"members": ["x_train", "y_train", "x_test", "y_test"]}
    for key, a in [("x_train", x_train), ("y_train", y_train), ("x_test", x_test), ("y_test", y_test)]:
        expected[f"dataset.npz/{key}"] = describe(a)
    dataset("dataset.npz#train", x_train, y_train, lambda x: x[:, None, :, :])
    dataset("dataset.npz#test", x_test, y_test, lambda x: x[:, None, :, :])

    # Float images: in [0, 1] (scaled by 255) or on the 0…255 scale; float labels of shape [N, 1].
    x_train = np.random.default_rng(1150).random((4, 5, 5))
    x_test = (np.random.default_rng(1151).random((2, 5, 5)) * 255).astype(np.float32)
    y_train, y_test = np.array([[1], [0], [2], [1]], dtype=np.float32), np.array([2, 1], dtype=">i2")
    np.savez(os.path.join(folder, "dataset_float.npz"), x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    expected["dataset_float.npz"] = {"members": ["x_train", "y_train", "x_test", "y_test"]}
    for key, a in [("x_train", x_train), ("y_train", y_train), ("x_test", x_test), ("y_test", y_test)]:
        expected[f"dataset_float.npz/{key}"] = describe(a)
    dataset("dataset_float.npz#train", x_train.astype(np.float32) * np.float32(255), y_train.ravel(), lambda x: x[:, None])
    dataset("dataset_float.npz#test", x_test, y_test, lambda x: x[:, None])

    images, labels = sample("uint8", (4, 5, 6, 3), 1200), np.array([1, 0, 1, 1], dtype=np.int32)
    save_npy("dataset_images.npy", images)
    save_npy("dataset_labels.npy", labels.astype(">i4"))
    dataset("dataset_images.npy#dataset", images, labels, lambda x: x.transpose(0, 3, 1, 2))

    images, labels = sample("uint8", (3, 2, 4, 4), 1300), np.array([4, 2, 0], dtype=np.uint8)
    safetensors.numpy.save_file({"images": images, "labels": labels}, os.path.join(folder, "dataset.safetensors"))
    expected["dataset.safetensors"] = {"metadata": {}, "members": ["images", "labels"]}
    expected["dataset.safetensors/images"] = describe(images)
    expected["dataset.safetensors/labels"] = describe(labels)
    dataset("dataset.safetensors#dataset", images, labels, lambda x: x)
    return expected


def check_read(tool: str, folder: str) -> int:
    expected = python_files(folder)
    result = subprocess.run([tool, "read", folder], capture_output=True, text=True)
    if result.returncode != 0:
        fail(f"gtn-interop-check read exited {result.returncode}: {result.stderr.strip()}")
        return 0
    seen = {}
    for line in result.stdout.splitlines():
        entry = json.loads(line)
        seen[entry["name"]] = entry
    for name, want in expected.items():
        got = seen.get(name)
        if got is None:
            fail(f"Swift read: {name}: not reported")
        elif "error" in want:
            if "error" not in got:
                fail(f"Swift read: {name}: an unsupported type was read as {got}")
        elif "error" in got:
            fail(f"Swift read: {name}: {got['error']}")
        elif "members" in want:
            compare(f"Swift read: {name}", want, got, keys=[k for k in ("metadata", "members") if k in want])
        else:
            compare(f"Swift read: {name}", want, got)
    for name, got in seen.items():
        if name not in expected:
            fail(f"Swift read: {name}: unexpected entry {got}")
    files = len([f for f in os.listdir(folder)])
    arrays = len([n for n, w in expected.items() if "members" not in w and "error" not in w])
    rejected = len([n for n, w in expected.items() if "error" in w])
    print(f"Python -> Swift: {files} files, {arrays} arrays and datasets checked, {rejected} unsupported files rejected")
    return arrays


# --- Swift -> Python -----------------------------------------------------------

def check_values(name, a: np.ndarray, values):
    flat = canonical(a).ravel()
    if len(values) != flat.size:
        fail(f"{name}: {flat.size} values, manifest lists {len(values)}")
        return
    for i, (text, value) in enumerate(zip(values, flat)):
        if a.dtype.kind in "biu":
            ok = int(text) == int(value)
        else:
            want = np.array(float(text), dtype=a.dtype)
            ok = (math.isnan(want) and math.isnan(value)) or want.tobytes() == np.array(value, dtype=a.dtype).tobytes()
        if not ok:
            fail(f"{name}: element {i} is {value!r}, Swift wrote {text}")
            return


def check_resaved_checkpoint(tool, folder, entry, tensors, metadata) -> int:
    """Saves Swift's checkpoint again with safetensors, every tensor halved,
    and checks that MetaTrainer(restoringFrom:) restores exactly that."""
    resaved_dir = os.path.join(os.path.dirname(folder), "resaved-checkpoint")
    os.mkdir(resaved_dir)
    halved = {key: (a * np.float32(0.5)).astype(np.float32) for key, a in tensors.items()}
    safetensors.numpy.save_file(halved, os.path.join(resaved_dir, entry["file"]), metadata=metadata)
    result = subprocess.run([tool, "read", resaved_dir], capture_output=True, text=True)
    if result.returncode != 0:
        fail(f"gtn-interop-check read (resaved checkpoint) exited {result.returncode}: {result.stderr.strip()}")
        return 0
    seen = {}
    for line in result.stdout.splitlines():
        item = json.loads(line)
        seen[item["name"]] = item
    prefix = f"{entry['file']}#restored"
    restored = seen.get(prefix)
    if restored is None or "error" in restored:
        fail(f"Swift restore of a checkpoint saved by safetensors: {restored and restored.get('error') or 'not reported'}")
        return 0
    if str(restored["iteration"]) != metadata.get("gtn.iteration"):
        fail(f"Swift restore: iteration {restored['iteration']}, checkpoint says {metadata.get('gtn.iteration')}")
    if restored["members"] != sorted(halved):
        fail(f"Swift restore: tensors {restored['members']}, checkpoint holds {sorted(halved)}")
    for key, a in halved.items():
        compare(f"Swift restore: {key}", describe(a), seen.get(f"{prefix}/{key}", {}))
    print(f"Python -> Swift: checkpoint saved again by safetensors, {len(halved)} tensors restored")
    return len(halved)


def check_write(tool: str, folder: str) -> int:
    result = subprocess.run([tool, "write", folder], capture_output=True, text=True)
    if result.returncode != 0:
        fail(f"gtn-interop-check write exited {result.returncode}: {result.stderr.strip()}")
        return 0
    with open(os.path.join(folder, "manifest.json")) as f:
        manifest = json.load(f)
    listed = {entry["file"] for entry in manifest["files"]} | {"manifest.json"}
    for extra in sorted(set(os.listdir(folder)) - listed):
        fail(f"Swift write: {extra}: not in the manifest (a leftover temporary file?)")
    checked = 0
    for entry in manifest["files"]:
        path = os.path.join(folder, entry["file"])
        kind = entry["kind"]
        try:
            if kind == "npy":
                loaded = {entry["file"]: np.load(path, allow_pickle=False)}
            elif kind == "npz":
                with np.load(path, allow_pickle=False) as archive:
                    loaded = {key: archive[key] for key in archive.files}
            else:
                loaded = safetensors.numpy.load_file(path)
                with safe_open(path, framework="np") as f:
                    metadata = f.metadata() or {}
                    keys = sorted(f.keys())
                if keys != sorted(loaded):
                    fail(f"Swift write: {entry['file']}: safe_open lists {keys}, load_file {sorted(loaded)}")
                if kind == "safetensors" and metadata != entry["metadata"]:
                    fail(f"Swift write: {entry['file']}: metadata {metadata}, expected {entry['metadata']}")
                if kind == "checkpoint":
                    for key, value in entry["metadata"].items():
                        if metadata.get(key) != value:
                            fail(f"Swift write: {entry['file']}: metadata {key} is {metadata.get(key)!r}, expected {value!r}")
                    for key in entry["json_metadata"]:
                        try:
                            json.loads(metadata[key])
                        except (KeyError, ValueError) as error:
                            fail(f"Swift write: {entry['file']}: metadata {key} is not readable JSON ({error})")
        except Exception as error:  # noqa: BLE001 — report any failure to load
            fail(f"Swift write: {entry['file']}: cannot be loaded: {type(error).__name__}: {error}")
            continue
        names = [a["name"] for a in entry["arrays"]]
        if sorted(names) != sorted(loaded):
            fail(f"Swift write: {entry['file']}: arrays {sorted(loaded)}, expected {sorted(names)}")
        for want in entry["arrays"]:
            name = f"Swift write: {entry['file']}/{want['name']}"
            a = loaded.get(want["name"])
            if a is None:
                continue
            if kind == "checkpoint" and a.dtype != np.dtype("<f4"):
                fail(f"{name}: checkpoint tensor of dtype {a.dtype}, expected float32")
            compare(name, want, describe(a))
            if "values" in want:
                check_values(name, a, want["values"])
            checked += 1
        if kind == "checkpoint":
            checked += check_resaved_checkpoint(tool, folder, entry, loaded, metadata)
    print(f"Swift -> Python: {len(manifest['files'])} files, {checked} arrays checked")
    return checked


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: interop.py PATH/TO/gtn-interop-check")
    tool = sys.argv[1]
    start = time.monotonic()
    print(f"numpy {np.__version__}, safetensors {safetensors.__version__}")
    with tempfile.TemporaryDirectory(prefix="gtn-interop-") as root:
        python_dir, swift_dir = os.path.join(root, "from-python"), os.path.join(root, "from-swift")
        os.mkdir(python_dir)
        check_read(tool, python_dir)
        check_write(tool, swift_dir)
    elapsed = time.monotonic() - start
    if failures:
        print(f"interop: FAILED, {len(failures)} mismatches ({elapsed:.1f} s):", file=sys.stderr)
        for message in failures:
            print(f"  {message}", file=sys.stderr)
        sys.exit(1)
    print(f"interop: ok ({elapsed:.1f} s)")


if __name__ == "__main__":
    main()
