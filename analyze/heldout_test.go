package analyze_test

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvtriage/hvtriage/analyze"
	"github.com/hvtriage/hvtriage/rules"
)

// heldOutFloor is the score each held-out set reached (testdata/heldout/
// README.md says how the sets were made and measured): files that gave
// evidence among those with an established cause, and right top causes.
// Look-alikes must never reach medium.
var heldOutFloor = map[string]struct{ read, right int }{
	"a": {read: 24, right: 24},
	"b": {read: 24, right: 24},
	"c": {read: 24, right: 23},
	"d": {read: 24, right: 23},
	"e": {read: 24, right: 24},
	"f": {read: 23, right: 21},
	"g": {read: 24, right: 22},
	"h": {read: 24, right: 23},
	"i": {read: 24, right: 23},
	"j": {read: 24, right: 22},
	"k": {read: 24, right: 24},
	"l": {read: 23, right: 21},
	"m": {read: 24, right: 22},
	"n": {read: 23, right: 20},
	"o": {read: 23, right: 18},
	"p": {read: 24, right: 20},
	"q": {read: 24, right: 20},
}

// TestHeldOutCorpus runs every file of each held-out set as a bundle of
// its own and holds the floor. A file is read when it gave usable
// evidence; its case is right when the first finding is the cause the
// manifest names.
func TestHeldOutCorpus(t *testing.T) {
	for set, floor := range heldOutFloor {
		t.Run(set, func(t *testing.T) {
			dir := filepath.Join("testdata", "heldout", set)
			cases := readManifest(t, filepath.Join(dir, "manifest.tsv"))
			require.Len(t, cases, 30)
			var diagnosable, read, right, lookAlikeMedium int
			var report strings.Builder
			for _, c := range cases {
				res, err := analyze.Run(t.Context(), filepath.Join(dir, c.file), analyze.Options{})
				require.NoError(t, err, c.file)
				require.Len(t, res.Inventory, 1, c.file)
				top, sev := "-", rules.Info
				if len(res.Outcome.Findings) > 0 {
					top, sev = res.Outcome.Findings[0].Cause.ID, res.Outcome.Findings[0].Severity
				}
				ok := true
				if c.top == "-" {
					for _, f := range res.Outcome.Findings {
						if f.Severity >= rules.Medium {
							lookAlikeMedium++
							ok = false
						}
					}
				} else {
					diagnosable++
					if res.Inventory[0].GaveEvidence {
						read++
					}
					ok = top == c.top
					if ok {
						right++
					}
				}
				mark := "ok"
				if !ok {
					mark = "MISS"
				}
				fmt.Fprintf(&report, "%-4s %-52s kind=%-16s top=%s/%s (want %s)\n", mark, c.file, res.Inventory[0].Kind, top, sev, c.top)
			}
			t.Logf("held-out set %s:\n%s", set, report.String())
			t.Logf("set %s: read %d/%d, right top cause %d/%d, look-alikes at medium or more %d",
				set, read, diagnosable, right, diagnosable, lookAlikeMedium)
			assert.GreaterOrEqual(t, read, floor.read, "files read")
			assert.GreaterOrEqual(t, right, floor.right, "right top causes")
			assert.Zero(t, lookAlikeMedium, "look-alikes must stay below medium")
		})
	}
}

type heldOutCase struct{ file, top string }

// readManifest reads manifest.tsv: file, expected top cause ("-" for a
// look-alike), the thread it follows, why.
func readManifest(t *testing.T, path string) []heldOutCase {
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	var out []heldOutCase
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 2 || cols[0] == "" {
			continue
		}
		out = append(out, heldOutCase{file: cols[0], top: cols[1]})
	}
	require.NoError(t, sc.Err())
	return out
}
