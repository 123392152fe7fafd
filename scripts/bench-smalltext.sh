#!/usr/bin/env bash
# Times hvtriage on a folder of many small text files: the text outputs,
# logs and notes of the samples (everything but event logs, disks and
# zips), copied under new names until COUNT files (default 20,000, about
# 25 MB). Reports wall and CPU time, MB/s and peak RSS, three runs.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${COUNT:-20000}
work=$(mktemp -d "${TMPDIR:-/tmp}/hvtriage-smalltext.XXXXXX")
trap 'rm -rf "$work"' EXIT
[ -x /usr/bin/time ] || { echo "bench-smalltext: /usr/bin/time (package 'time') is needed" >&2; exit 1; }
go build -o "$work/hvtriage" ./cmd/hvtriage
mkdir "$work/src" "$work/bundle"
for z in samples/*/*.zip; do unzip -qo -d "$work/src/$(basename "$z" .zip)" "$z" 2>/dev/null || true; done
mapfile -t src < <(find "$work/src" -type f -size -64k ! -iname '*.evtx' ! -iname '*.vhd*' ! -iname '*.avhd*' ! -iname '*.zip' | sort)
for ((i = 0; i < count; i++)); do
  f=${src[i % ${#src[@]}]}
  d=$work/bundle/d$((i % 200))
  [ -d "$d" ] || mkdir "$d"
  cp "$f" "$d/f$i.${f##*.}"
done
bytes=$(find "$work/bundle" -type f -printf '%s\n' | awk '{ s += $1 } END { print s }')
echo "$count files, $bytes bytes of text"
printf '| run | wall s | CPU s | MB/s (wall) | peak RSS MiB |\n|---|---|---|---|---|\n'
for run in 1 2 3; do
  /usr/bin/time -f '%e %U %S %M' -o "$work/time" "$work/hvtriage" analyze -o "$work/report.json" "$work/bundle" >/dev/null 2>&1 || true
  read -r wall user sys rss < "$work/time"
  awk -v r="$run" -v w="$wall" -v u="$user" -v s="$sys" -v m="$rss" -v b="$bytes" \
    'BEGIN { printf "| %d | %.2f | %.2f | %.1f | %d |\n", r, w, u + s, b / 1e6 / w, m / 1024 }'
done
