#!/usr/bin/env bash
# Fuzzes the file parsers of GTNData with libFuzzer + AddressSanitizer.
#
#   Tests/Fuzz/run.sh [seconds]                          (default 60)
#   FUZZ_TARGET=numpy Tests/Fuzz/run.sh [seconds]
#
# FUZZ_TARGET picks the entry point: `idx` (default; IDX and CIFAR-10,
# ParserFuzz.swift), `numpy` (NPY and NPZ, NumPyFuzz.swift) or `safetensors`
# (SafetensorsFuzz.swift). Compiles DataError, Readers/* and
# Support/FileIO.swift with the entry point. Builds into $FUZZ_OUT (default
# .build-fuzz/, git-ignored), one executable and corpus per target, seeds the
# corpus with small valid files when python3 is available, then runs for the
# given time. Extra arguments after the seconds go to libFuzzer.
set -euo pipefail

seconds="${1:-60}"
shift || true
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="${FUZZ_OUT:-$root/.build-fuzz}"
target="${FUZZ_TARGET:-idx}"
case "$target" in
  idx) entry=ParserFuzz.swift; corpus="$out/corpus" ;;
  numpy) entry=NumPyFuzz.swift; corpus="$out/corpus-numpy" ;;
  safetensors) entry=SafetensorsFuzz.swift; corpus="$out/corpus-safetensors" ;;
  *) echo "FUZZ_TARGET must be idx, numpy or safetensors, not '$target'" >&2; exit 2 ;;
esac
executable="$out/gtn-data-fuzz"
[ "$target" = idx ] || executable="$out/gtn-data-fuzz-$target"
mkdir -p "$corpus"

sources=(
  "$root/Sources/GTNData/DataError.swift"
  "$root"/Sources/GTNData/Readers/*.swift
  "$root/Sources/GTNData/Support/FileIO.swift"
  "$root/Tests/Fuzz/$entry"
)

swiftc -sanitize=fuzzer,address -parse-as-library -O -g \
  -module-name GTNDataFuzz \
  -I "$root/Sources/_GTNCZlib" -lz \
  "${sources[@]}" -o "$executable"

if command -v python3 >/dev/null && [ "$target" = idx ]; then
  python3 - "$corpus" <<'PY'
import gzip, struct, sys, os
d = sys.argv[1]
def w(name, data):
    open(os.path.join(d, name), 'wb').write(data)
img = struct.pack('>BBBBIII', 0, 0, 8, 3, 2, 3, 3) + bytes(range(18))
lab = struct.pack('>BBBBI', 0, 0, 8, 1, 2) + bytes([1, 9])
cif = bytes([3]) + bytes(i % 256 for i in range(3072))
w('idx3', img); w('idx1', lab); w('cifar', cif)
w('idx3.gz', gzip.compress(img)); w('idx1.gz', gzip.compress(lab)); w('cifar.gz', gzip.compress(cif))
w('multi.gz', gzip.compress(img[:10]) + gzip.compress(img[10:]))
w('meta', b'airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n')
PY
fi

if command -v python3 >/dev/null && [ "$target" = numpy ]; then
  python3 - "$corpus" <<'PY'
import io, struct, sys, os, zipfile, zlib
d = sys.argv[1]
def w(name, data):
    open(os.path.join(d, name), 'wb').write(data)
def npy(descr, shape, data, fortran=False, version=1):
    header = "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (descr, fortran, shape)
    size = 2 if version == 1 else 4
    header += ' ' * ((64 - (8 + size + len(header) + 1) % 64) % 64) + '\n'
    length = struct.pack('<H' if version == 1 else '<I', len(header))
    return b'\x93NUMPY' + bytes([version, 0]) + length + header.encode() + data
a = npy('|u1', '(2, 3)', bytes(range(6)))
b = npy('<i8', '(3,)', struct.pack('<3q', 1, 2, 3))
c = npy('>f4', '(2, 2)', struct.pack('>4f', 1, 2, 3, 4), fortran=True, version=2)
e = npy('<f8', '()', struct.pack('<d', 0.5), version=3)
for name, data in [('a.npy', a), ('b.npy', b), ('c.npy', c), ('e.npy', e)]:
    w(name, data)
for method, name in [(zipfile.ZIP_STORED, 'stored.npz'), (zipfile.ZIP_DEFLATED, 'deflated.npz')]:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, 'w', method) as z:
        z.writestr('x_train.npy', a); z.writestr('y_train.npy', b)
    w(name, buf.getvalue())
buf = io.BytesIO()
with zipfile.ZipFile(buf, 'w', zipfile.ZIP_DEFLATED) as z:
    with z.open('x.npy', 'w', force_zip64=True) as f: f.write(c)
w('zip64.npz', buf.getvalue())
PY
fi

if command -v python3 >/dev/null && [ "$target" = safetensors ]; then
  python3 - "$corpus" <<'PY'
import json, struct, sys, os
d = sys.argv[1]
def st(tensors, meta=None):
    header, data = {}, b''
    if meta: header['__metadata__'] = meta
    for name, dtype, shape, raw in tensors:
        header[name] = {'dtype': dtype, 'shape': shape, 'data_offsets': [len(data), len(data) + len(raw)]}
        data += raw
    h = json.dumps(header).encode()
    h += b' ' * ((8 - len(h) % 8) % 8)
    return struct.pack('<Q', len(h)) + h + data
open(os.path.join(d, 'images'), 'wb').write(st([('images', 'U8', [2, 2, 2], bytes(range(8))), ('labels', 'I64', [2], struct.pack('<2q', 0, 1))]))
open(os.path.join(d, 'floats'), 'wb').write(st([('w', 'F32', [2], struct.pack('<2f', 1, 2)), ('b', 'F64', [], struct.pack('<d', 3)), ('m', 'BOOL', [1], b'\x01')], {'k': 'v'}))
open(os.path.join(d, 'ints'), 'wb').write(st([('a', 'I32', [1, 1], struct.pack('<i', -1)), ('b', 'U16', [0], b''), ('c', 'I8', [3], b'abc')]))
PY
fi

exec "$executable" -max_total_time="$seconds" -max_len=16384 -rss_limit_mb=2560 \
  -timeout=10 -print_final_stats=1 "$@" "$corpus"
