#!/usr/bin/env bash
# The run report in a real browser: a short gtn train run, resumed once so
# the report covers a resumed run, then Tests/Report/check.py opens its
# report.html in headless Chromium (no console messages, every image
# decoded, every plot drawn, nothing loaded from outside the page).
#
# Usage: Tests/Report/run.sh   (after swift build; uses MNIST from
# $GTN_DATA_DIR/mnist when present, else Debian's Fashion-MNIST)
set -euo pipefail
cd "$(dirname "$0")/../.."
bin="$(swift build --show-bin-path)"
[ -x "$bin/gtn" ] || swift build --product gtn
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
if [ -n "${GTN_DATA_DIR:-}" ] && [ -d "$GTN_DATA_DIR/mnist" ]; then
  data=(--dataset mnist --data-dir "$GTN_DATA_DIR/mnist")
else
  data=(--dataset fashion-mnist)
fi
run=("$bin/gtn" train "${data[@]}" --inner-steps 4 --batch-size 10 --evaluation-steps 1,2,4 --evaluation-seeds 2
     --threads 2 --checkpoint-every 10 --output "$out/run" --quiet)
"${run[@]}" --outer-iterations 20 >/dev/null
"${run[@]}" --outer-iterations 40 --resume >/dev/null
python3 Tests/Report/check.py "$out/run/report.html" --min-images 1 --min-svgs 4
