#!/usr/bin/env bash
# End-to-end benchmark: builds bundles of real event logs (the public corpus
# in ../shared/corpus/evtx, copied under new names until the size is
# reached) plus the sample bundles' text outputs and disk headers, then
# times `hvtriage analyze` on them next to libevtx's `evtxexport -f xml`
# over the same EVTX files, and reports throughput, records/s and peak RSS.
#
#   scripts/bench.sh               # 250, 500 and 1000 MB bundles
#   SIZES="100" scripts/bench.sh   # quicker
#
# Results go to bench-out/results.md (and stdout).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
corpus=${CORPUS:-$root/../shared/corpus/evtx}
sizes=${SIZES:-"250 500 1000"}
out=$root/bench-out
work=$(mktemp -d "${TMPDIR:-/tmp}/hvtriage-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

if [ ! -d "$corpus" ]; then
  echo "bench: no corpus at $corpus (set CORPUS=...)" >&2
  exit 1
fi
install=()
[ -x /usr/bin/time ] || install+=(time)
command -v evtxexport >/dev/null 2>&1 || install+=(libevtx-utils)
if [ ${#install[@]} -gt 0 ] && [ "$(id -u)" = 0 ]; then
  echo "bench: installing ${install[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1 || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${install[@]}" >/dev/null 2>&1 || true
fi
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time (Debian package 'time') is needed for peak RSS" >&2; exit 1; }

go build -o "$work/hvtriage" ./cmd/hvtriage

# Only logs a correct parser reads in full (see expected-records.tsv) are
# replicated, so the comparison is not skewed by damaged samples.
mapfile -t logs < <(find "$corpus" -name '*.evtx' -size +8k | sort)

# make_bundle SIZE_MB DIR: real logs copied under new names, plus every
# sample bundle's text and disk files.
make_bundle() {
  local want=$(( $1 * 1024 * 1024 )) dir=$2 total=0 round=0
  mkdir -p "$dir/EventLogs" "$dir/text"
  while [ "$total" -lt "$want" ]; do
    round=$((round + 1))
    for f in "${logs[@]}"; do
      local sz; sz=$(stat -c %s "$f")
      cp "$f" "$dir/EventLogs/r${round}_$(basename "$f")"
      total=$((total + sz))
      [ "$total" -ge "$want" ] && break
    done
  done
  # Text outputs and disk headers of the sample bundles (folder samples).
  find samples -mindepth 3 -type f \( -iname '*.txt' -o -iname '*.vhdx' -o -iname '*.avhdx' -o -iname '*.vhd' \) |
    while read -r f; do cp "$f" "$dir/text/$(echo "$f" | tr '/' '_')"; done
  echo "$total"
}

evtx_records() { # sum of EVTX records hvtriage reported
  python3 - "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print(sum(f["records"] for f in d["inventory"] if f["kind"] == "evtx"))
PY
}

{
echo "# hvtriage end-to-end benchmark"
echo
echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(go version | cut -d' ' -f3)."
echo "Bundles are folders of real EVTX files copied from the public corpus (plus sample text outputs)."
echo
echo "| bundle | EVTX files | EVTX MB | hvtriage wall s (median of 3) | MB/s | records/s | peak RSS MiB | evtxexport -f xml wall s (2 procs) | ratio |"
echo "|---|---|---|---|---|---|---|---|---|"
} | tee "$out/results.md"

for mb in $sizes; do
  b="$work/bundle-$mb"
  bytes=$(make_bundle "$mb" "$b")
  files=$(find "$b/EventLogs" -name '*.evtx' | wc -l)
  sync
  # Three runs: the median wall time and the largest peak RSS are reported,
  # so one disturbed run does not decide the number.
  walls=(); rss_kb=0
  for run in 1 2 3; do
    /usr/bin/time -f '%e %M' -o "$work/time.txt" "$work/hvtriage" analyze "$b" -o "$work/r.json" >/dev/null
    read -r w r < "$work/time.txt"
    walls+=("$w"); [ "$r" -gt "$rss_kb" ] && rss_kb=$r
  done
  wall=$(printf '%s\n' "${walls[@]}" | sort -n | sed -n 2p)
  recs=$(evtx_records "$work/r.json")
  mbs=$(python3 -c "print(f'{$bytes/1048576/$wall:.1f}')")
  rps=$(python3 -c "print(f'{$recs/$wall:.0f}')")
  rss=$(( rss_kb / 1024 ))
  ex="n/a"; ratio="n/a"
  if command -v evtxexport >/dev/null 2>&1; then
    start=$(date +%s.%N)
    find "$b/EventLogs" -name '*.evtx' -print0 | xargs -0 -n 1 -P "$(nproc)" sh -c 'evtxexport -f xml "$0" >/dev/null 2>&1 || true'
    end=$(date +%s.%N)
    ex=$(python3 -c "print(f'{$end-$start:.1f}')")
    ratio=$(python3 -c "print(f'{($end-$start)/$wall:.1f}x')")
  fi
  echo "| ${mb} MB | $files | $((bytes / 1048576)) | $wall | $mbs | $rps | $rss | $ex | $ratio |" | tee -a "$out/results.md"
  rm -rf "$b"
done
echo | tee -a "$out/results.md"
echo "ratio = evtxexport wall time / hvtriage wall time on the same EVTX files (higher is better for hvtriage)." | tee -a "$out/results.md"
