#!/usr/bin/env bash
# Checks GTNData's file formats against the real Python clients, both ways:
# NumPy (.npy, .npz) and the `safetensors` package (including a GTN
# checkpoint written by MetaTrainer.saveCheckpoint).
#
#   Tests/Interop/run.sh
#
# Builds gtn-interop-check (debug), creates a virtual environment in
# $INTEROP_VENV (default .build-interop/, git-ignored) with the pinned numpy
# and safetensors from PyPI, then runs Tests/Interop/interop.py, which
# exits non-zero listing every mismatch. Needs python3 with the venv module
# and, the first time, access to PyPI: without it the script fails.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)

# Versions known to work; update together with a passing run.
NUMPY_VERSION=2.4.6
SAFETENSORS_VERSION=0.8.0

venv="${INTEROP_VENV:-$repo/.build-interop}"
if [ ! -x "$venv/bin/python" ]; then
  echo "interop: creating a Python environment in $venv"
  python3 -m venv "$venv" || {
    echo "interop: FAILED: cannot create a virtual environment with $(command -v python3 || echo 'python3 (not found)'); install python3 and python3-venv" >&2
    exit 1
  }
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --retries 2 --timeout 30 \
  "numpy==$NUMPY_VERSION" "safetensors==$SAFETENSORS_VERSION" || {
  echo "interop: FAILED: cannot install numpy==$NUMPY_VERSION and safetensors==$SAFETENSORS_VERSION from PyPI into $venv (is PyPI reachable?)" >&2
  exit 1
}

log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! swift build --product gtn-interop-check >"$log" 2>&1; then
  cat "$log" >&2
  echo "interop: FAILED: gtn-interop-check does not build" >&2
  exit 1
fi
tool="$(swift build --show-bin-path)/gtn-interop-check"
"$venv/bin/python" Tests/Interop/interop.py "$tool"
