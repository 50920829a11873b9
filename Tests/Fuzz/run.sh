#!/usr/bin/env bash
# Fuzzes parsers of swift-gtn with libFuzzer + AddressSanitizer.
#
#   Tests/Fuzz/run.sh [TARGET] [seconds] [libFuzzer arguments…]   (default: data, 60 s)
#
# Targets:
#   data         the IDX and CIFAR-10 parsers of GTNData (ParserFuzz.swift)
#   numpy        the NPY and NPZ readers of GTNData (NumPyFuzz.swift)
#   safetensors  the safetensors reader of GTNData, SafetensorsFile, which
#                Safetensors.decode (checkpoints) also goes through
#                (SafetensorsFuzz.swift)
#   flags        the examples' command-line parser with the real option table
#                (FlagParserFuzz.swift with Examples/_GTNExamplesSupport/
#                CommandLineOptions.swift, Options.swift, DatasetSource.swift,
#                ExampleKinds.swift and SearchStandIn.swift in place of
#                GTNSearch)
#   all          each of them for the given seconds, one after the other
#
# The GTNData targets compile DataError, Readers/* and Support/FileIO.swift
# with their entry point. Builds into $FUZZ_OUT (default .build-fuzz/,
# git-ignored), seeds each target's corpus with small valid inputs when python3
# is available, then runs for the given time. A first argument that is a number
# is the seconds of the data target; `idx` is another name for `data`.
set -euo pipefail

target=data
extra=()
if [ $# -gt 0 ] && ! [[ "$1" =~ ^[0-9]+$ ]]; then target="$1"; shift; fi
[ "$target" = idx ] && target=data
seconds="${1:-60}"
shift || true
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="${FUZZ_OUT:-$root/.build-fuzz}"

if [ "$target" = all ]; then
  for t in data numpy safetensors flags; do "$0" "$t" "$seconds" "$@"; done
  exit 0
fi

fuzz="$root/Tests/Fuzz"
readers=(
  "$root/Sources/GTNData/DataError.swift"
  "$root"/Sources/GTNData/Readers/*.swift
  "$root/Sources/GTNData/Support/FileIO.swift"
)
case "$target" in
  data)
    corpus="$out/corpus"
    sources=("${readers[@]}" "$fuzz/ParserFuzz.swift")
    flags=(-I "$root/Sources/_GTNCZlib" -lz)
    ;;
  numpy)
    corpus="$out/corpus-numpy"
    sources=("${readers[@]}" "$fuzz/NumPyFuzz.swift")
    flags=(-I "$root/Sources/_GTNCZlib" -lz)
    ;;
  safetensors)
    corpus="$out/corpus-safetensors"
    sources=("${readers[@]}" "$fuzz/SafetensorsFuzz.swift")
    flags=(-I "$root/Sources/_GTNCZlib" -lz)
    extra=(-dict="$fuzz/safetensors.dict")
    ;;
  flags)
    corpus="$out/corpus-flags"
    mkdir -p "$out/flags-sources"
    # ExampleKinds.swift and Options.swift without their library imports
    # (SearchStandIn.swift declares the library types they use).
    for file in ExampleKinds Options; do
      sed '/^import GTNSearch$/d; /^import GTNCore$/d' "$root/Examples/_GTNExamplesSupport/$file.swift" > "$out/flags-sources/$file.swift"
    done
    sources=(
      "$root/Examples/_GTNExamplesSupport/CommandLineOptions.swift"
      "$out/flags-sources/Options.swift"
      "$root/Examples/_GTNExamplesSupport/DatasetSource.swift"
      "$out/flags-sources/ExampleKinds.swift"
      "$fuzz/SearchStandIn.swift"
      "$fuzz/FlagParserFuzz.swift"
    )
    flags=()
    ;;
  *) echo "run.sh: unknown target '$target' (data, numpy, safetensors, flags, all)" >&2; exit 2 ;;
esac
mkdir -p "$corpus"

swiftc -sanitize=fuzzer,address -parse-as-library -O -g \
  -module-name "GTNFuzz_$target" \
  ${flags[@]+"${flags[@]}"} "${sources[@]}" -o "$out/gtn-$target-fuzz"

if command -v python3 >/dev/null; then
  python3 - "$corpus" "$target" <<'PY'
import gzip, io, json, struct, sys, os, zipfile
d, target = sys.argv[1], sys.argv[2]
def w(name, data):
    open(os.path.join(d, name), 'wb').write(data)
if target == 'data':
    img = struct.pack('>BBBBIII', 0, 0, 8, 3, 2, 3, 3) + bytes(range(18))
    lab = struct.pack('>BBBBI', 0, 0, 8, 1, 2) + bytes([1, 9])
    cif = bytes([3]) + bytes(i % 256 for i in range(3072))
    w('idx3', img); w('idx1', lab); w('cifar', cif)
    w('idx3.gz', gzip.compress(img)); w('idx1.gz', gzip.compress(lab)); w('cifar.gz', gzip.compress(cif))
    w('multi.gz', gzip.compress(img[:10]) + gzip.compress(img[10:]))
    w('meta', b'airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n')
elif target == 'numpy':
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
elif target == 'safetensors':
    def st(tensors, meta=None):
        header, payload = {}, b''
        if meta: header['__metadata__'] = meta
        for name, dtype, shape, raw in tensors:
            header[name] = {'dtype': dtype, 'shape': shape, 'data_offsets': [len(payload), len(payload) + len(raw)]}
            payload += raw
        h = json.dumps(header, sort_keys=True).encode()
        h += b' ' * (-len(h) % 8)
        return struct.pack('<Q', len(h)) + h + payload
    f32 = lambda *v: struct.pack('<%df' % len(v), *v)
    w('one', st([('w', 'F32', [2, 3], f32(0.5, -1, 2, 3, 4, float('nan')))], {'gtn.format': '2', 'gtn.iteration': '3'}))
    w('scalar', st([('s', 'F32', [], f32(1.0)), ('empty', 'F32', [0, 4], b'')]))
    w('meta-only', st([], {'k': 'v'}))
    w('images', st([('images', 'U8', [2, 2, 2], bytes(range(8))), ('labels', 'I64', [2], struct.pack('<2q', 0, 1))]))
    w('floats', st([('w', 'F32', [2], f32(1, 2)), ('b', 'F64', [], struct.pack('<d', 3)), ('m', 'BOOL', [1], b'\x01')], {'k': 'v'}))
    w('ints', st([('a', 'I32', [1, 1], struct.pack('<i', -1)), ('b', 'U16', [0], b''), ('c', 'I8', [3], b'abc')]))
else:
    def args(first, *a):
        return bytes([first]) + b'\0'.join(x.encode() for x in a)
    w('basic', args(0, '--inner-steps', '8', '--batch-size', '16', '--learning-rate', '0.005', '--quiet'))
    w('lists', args(0, '--evaluation-steps', '64,8, 32', '--learner', 'macro:c16k3p-c32k3p,c8k5', '--allow-changes', 'seed,--learner'))
    w('inline', args(1, '--paper', '--output=--x', '--time-budget=1.5', '--no-augment', '--seed', '18446744073709551615'))
    w('bad', args(0, '--output', '--quiet', '--inner-steps', '--learning-rate', 'nan'))
PY
fi

# libFuzzer reports crashes itself; the Swift runtime's backtracer would only
# delay it.
export SWIFT_BACKTRACE=enable=no
exec "$out/gtn-$target-fuzz" -max_total_time="$seconds" -max_len=16384 -rss_limit_mb=2560 \
  -timeout=10 -print_final_stats=1 ${extra[@]+"${extra[@]}"} "$@" "$corpus"
