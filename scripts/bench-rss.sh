#!/usr/bin/env bash
# Peak memory on a deflated bundle: copies the public EVTX corpus
# (../shared/corpus/evtx) under new names until SIZE_MB is reached, zips the
# folder with deflate, and reports `hvtriage analyze`'s wall time and peak
# RSS from /usr/bin/time -v. Nothing is written inside the repository.
#
#   scripts/bench-rss.sh            # 300 MB
#   SIZE_MB=600 scripts/bench-rss.sh
#   ZIP_LEVEL=0 scripts/bench-rss.sh   # a stored (uncompressed) zip instead
#   BIN=/path/to/hvtriage scripts/bench-rss.sh   # measure another build
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${CORPUS:-$PWD/../shared/corpus/evtx}
want=$(( ${SIZE_MB:-300} * 1024 * 1024 ))
work=$(mktemp -d "${TMPDIR:-/tmp}/hvtriage-rss.XXXXXX")
trap 'rm -rf "$work"' EXIT
[ -x /usr/bin/time ] || { echo "bench-rss: /usr/bin/time (package 'time') is needed" >&2; exit 1; }
command -v zip >/dev/null || { echo "bench-rss: zip is needed" >&2; exit 1; }

bin=${BIN:-}
if [ -z "$bin" ]; then
  go build -o "$work/hvtriage" ./cmd/hvtriage
  bin=$work/hvtriage
fi
mapfile -t logs < <(find "$corpus" -name '*.evtx' -size +8k | sort)
mkdir -p "$work/b/EventLogs"
total=0 round=0
while [ "$total" -lt "$want" ]; do
  round=$((round + 1))
  for f in "${logs[@]}"; do
    cp "$f" "$work/b/EventLogs/r${round}_$(basename "$f")"
    total=$((total + $(stat -c %s "$f")))
    [ "$total" -ge "$want" ] && break
  done
done
(cd "$work/b" && zip -q -r "-${ZIP_LEVEL:-1}" "$work/bundle.zip" EventLogs)
rm -rf "$work/b"
echo "bundle: $((total / 1024 / 1024)) MiB of EVTX, zip $(($(stat -c %s "$work/bundle.zip") / 1024 / 1024)) MiB (zip level ${ZIP_LEVEL:-1})"
set +e
/usr/bin/time -v "$bin" analyze -o "$work/report.json" "$work/bundle.zip" 2>"$work/time.txt" >/dev/null
rc=$?
set -e
echo "exit: $rc"
grep -E 'User time|System time|Elapsed \(wall|Maximum resident' "$work/time.txt"
