#!/usr/bin/env bash
# Fuzzes the IDX and CIFAR-10 parsers of GTNData with libFuzzer + AddressSanitizer.
#
#   Tests/Fuzz/run.sh [seconds]        (default 60)
#
# Compiles DataError, Readers/* and Support/FileIO.swift with the entry point in
# ParserFuzz.swift. Builds into $FUZZ_OUT (default .build-fuzz/, git-ignored), seeds the corpus
# with small valid files (plain and gzip) when python3 is available, then runs
# for the given time. Extra arguments after the seconds go to libFuzzer.
set -euo pipefail

seconds="${1:-60}"
shift || true
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="${FUZZ_OUT:-$root/.build-fuzz}"
mkdir -p "$out/corpus"

sources=(
  "$root/Sources/GTNData/DataError.swift"
  "$root"/Sources/GTNData/Readers/*.swift
  "$root/Sources/GTNData/Support/FileIO.swift"
  "$root/Tests/Fuzz/ParserFuzz.swift"
)

swiftc -sanitize=fuzzer,address -parse-as-library -O -g \
  -module-name GTNDataFuzz \
  -I "$root/Sources/_GTNCZlib" -lz \
  "${sources[@]}" -o "$out/gtn-data-fuzz"

if command -v python3 >/dev/null; then
  python3 - "$out/corpus" <<'PY'
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

exec "$out/gtn-data-fuzz" -max_total_time="$seconds" -max_len=16384 -rss_limit_mb=2560 \
  -timeout=10 -print_final_stats=1 "$@" "$out/corpus"
