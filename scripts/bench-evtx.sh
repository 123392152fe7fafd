#!/usr/bin/env bash
# Throughput of hvtriage's EVTX reader (evtx.Walk) against libevtx's
# evtxexport, on the shared corpus and on one large log built from the
# corpus' intact chunks. Prints a Markdown table.
#
# Usage: scripts/bench-evtx.sh [corpus-dir]
# Env:   BIG_MB   size of the large log in MiB (default 512)
#        KEEP_TMP set to keep the temporary directory
# Needs: go; /usr/bin/time (Debian "time") for CPU time and peak RSS;
#        evtxexport (Debian "libevtx-utils") for the comparison, skipped
#        with a message when it is missing.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
corpus=${1:-$root/../shared/corpus/evtx}
big_mb=${BIG_MB:-512}

if [[ ! -d $corpus ]]; then
	echo "bench-evtx: corpus directory $corpus not found" >&2
	exit 1
fi
if [[ ! -x /usr/bin/time ]]; then
	echo "bench-evtx: /usr/bin/time missing (apt-get install time)" >&2
	exit 1
fi
have_evtxexport=1
if ! command -v evtxexport >/dev/null; then
	have_evtxexport=0
	echo "bench-evtx: evtxexport not installed (apt-get install libevtx-utils): comparison skipped" >&2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-evtx.XXXXXX")
cleanup() { [[ -n ${KEEP_TMP:-} ]] || rm -rf "$tmp"; }
trap cleanup EXIT

(cd "$root" && go build -o "$tmp/evtxbench" ./evtx/internal/evtxbench)

mapfile -t files < <(find "$corpus" -type f -iname '*.evtx' | LC_ALL=C sort)
if ((${#files[@]} == 0)); then
	echo "bench-evtx: no .evtx file under $corpus" >&2
	exit 1
fi

# measure LABEL OUTFILE CMD...: run CMD under GNU time -v, stdout to OUTFILE;
# sets wall, cpu (user+sys seconds) and rss (peak KiB).
measure() {
	local out=$1
	shift
	/usr/bin/time -v -o "$tmp/time" "$@" >"$out" 2>"$tmp/stderr" || true
	wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {
		n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$tmp/time")
	cpu=$(awk -F': ' '/User time/ {u = $2} /System time/ {s = $2} END {printf "%.2f", u + s}' "$tmp/time")
	rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tmp/time")
}

rows=()
# row NAME BYTES RECORDS(or -) TOOL: appends a table row from the last measure.
row() {
	local name=$1 bytes=$2 recs=$3 tool=$4
	local mbs recs_s
	mbs=$(awk -v b="$bytes" -v w="$wall" 'BEGIN { printf "%.1f", (w > 0 ? b / 1048576 / w : 0) }')
	if [[ $recs == - ]]; then
		recs_s=-
	else
		recs_s=$(awk -v r="$recs" -v w="$wall" 'BEGIN { printf "%.0f", (w > 0 ? r / w : 0) }')
	fi
	rows+=("| $name | $tool | $(awk -v b="$bytes" 'BEGIN{printf "%.1f", b/1048576}') | $recs | $wall | $cpu | $mbs | $recs_s | $((rss / 1024)) |")
}

ratio_rows=()
notes=()
# compare NAME: ratio of evtxexport's wall and CPU time to ours.
compare() {
	ratio_rows+=("| $1 | $(awk -v a="$2" -v b="$3" 'BEGIN{printf "%.1f", (b > 0 ? a / b : 0)}')x | $(awk -v a="$4" -v b="$5" 'BEGIN{printf "%.1f", (b > 0 ? a / b : 0)}')x |")
}

# ---- corpus -----------------------------------------------------------------
measure "$tmp/ours" "$tmp/evtxbench" walk "${files[@]}"
corpus_bytes=$(sed -n 's/.*bytes=\([0-9]*\).*/\1/p' "$tmp/ours")
corpus_recs=$(sed -n 's/.*records=\([0-9]*\).*/\1/p' "$tmp/ours")
if [[ -z $corpus_bytes ]]; then
	echo "bench-evtx: evtxbench walk failed:" >&2
	cat "$tmp/stderr" >&2
	exit 1
fi
row "corpus (${#files[@]} files)" "$corpus_bytes" "$corpus_recs" "evtx.Walk"
our_wall=$wall our_cpu=$cpu

concat_from=("${files[@]}")
if ((have_evtxexport)); then
	# One evtxexport per file, as it takes one file; files it gives up on are
	# listed and left out of the large log, so both readers see the same data.
	cat >"$tmp/run-evtxexport.sh" <<'EOF'
#!/usr/bin/env bash
failed=$1; shift
for f in "$@"; do
	evtxexport -f xml "$f" >/dev/null 2>&1 || printf '%s\n' "$f" >>"$failed"
done
EOF
	: >"$tmp/failed"
	measure /dev/null bash "$tmp/run-evtxexport.sh" "$tmp/failed" "${files[@]}"
	row "corpus (${#files[@]} files)" "$corpus_bytes" - "evtxexport -f xml"
	compare "corpus" "$wall" "$our_wall" "$cpu" "$our_cpu"
	nfail=$(wc -l <"$tmp/failed")
	if ((nfail > 0)); then
		notes+=("evtxexport gave up part-way on $nfail corpus file(s), so its corpus row did less work than evtx.Walk's.")
		echo "bench-evtx: evtxexport stopped early on $nfail corpus file(s); they are left out of the large log:" >&2
		sed 's/^/  /' "$tmp/failed" >&2
		mapfile -t concat_from < <(grep -vxFf "$tmp/failed" <(printf '%s\n' "${files[@]}"))
	fi
fi

# ---- large log ----------------------------------------------------------------
"$tmp/evtxbench" concat -min-mb "$big_mb" -out "$tmp/big.evtx" "${concat_from[@]}" >"$tmp/concat"
big_bytes=$(stat -c %s "$tmp/big.evtx")
# Read it once so both readers start from the page cache.
cat "$tmp/big.evtx" >/dev/null

measure "$tmp/ours" "$tmp/evtxbench" walk "$tmp/big.evtx"
big_recs=$(sed -n 's/.*records=\([0-9]*\).*/\1/p' "$tmp/ours")
big_chunks=$(sed -n 's/.*chunks=\([0-9]*\).*/\1/p' "$tmp/ours")
row "large log ($big_chunks chunks)" "$big_bytes" "$big_recs" "evtx.Walk"
our_wall=$wall our_cpu=$cpu

if ((have_evtxexport)); then
	measure /dev/null evtxexport -f xml "$tmp/big.evtx"
	if grep -q "Unable to export" "$tmp/stderr"; then
		echo "bench-evtx: evtxexport failed on the large log:" >&2
		tail -3 "$tmp/stderr" >&2
	fi
	row "large log ($big_chunks chunks)" "$big_bytes" - "evtxexport -f xml"
	compare "large log" "$wall" "$our_wall" "$cpu" "$our_cpu"
fi

echo
echo "| input | reader | MiB | records | wall s | CPU s | MiB/s (wall) | records/s | peak RSS MiB |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
if ((${#ratio_rows[@]} > 0)); then
	echo
	echo "| input | evtxexport / evtx.Walk wall | evtxexport / evtx.Walk CPU |"
	echo "|---|---:|---:|"
	printf '%s\n' "${ratio_rows[@]}"
fi
for n in "${notes[@]}"; do
	echo
	echo "$n"
done
echo
echo "Go $(go env GOVERSION), $(nproc) CPU(s), $(uname -m); evtxexport: $( ((have_evtxexport)) && evtxexport -V 2>/dev/null | head -1 || echo absent)"
