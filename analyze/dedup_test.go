package analyze

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// findingSummary is what must not change when a log is in a bundle twice.
type findingSummary struct {
	Cause      string
	Confidence float64
	Signals    map[string]int
}

func summarize(res *Result) []findingSummary {
	var out []findingSummary
	for _, f := range res.Outcome.Findings {
		s := findingSummary{Cause: f.Cause.ID, Confidence: f.Confidence, Signals: map[string]int{}}
		for _, h := range f.Signals {
			s.Signals[h.ID] = h.Count
		}
		out = append(out, s)
	}
	return out
}

func runFiles(t *testing.T, files map[string][]byte) *Result {
	t.Helper()
	dir := t.TempDir()
	for name, b := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, b, 0o644))
	}
	res, err := Run(t.Context(), dir, Options{})
	require.NoError(t, err)
	return res
}

// TestSameLogTwiceCountsOnce: a bundle that holds a log twice (a second
// collector's copy, a copy in a subfolder, a shorter earlier copy) gives
// the same findings, confidences and signal counts as with one copy, and
// the copy's inventory entry says so.
func TestSameLogTwiceCountsOnce(t *testing.T) {
	log := systemLog(700) // past the per-file limit of kept items, so "more" is merged too
	short := systemLog(120)
	one := runFiles(t, map[string][]byte{"System.evtx": log})
	require.NotEmpty(t, one.Outcome.Findings)
	want := summarize(one)

	two := runFiles(t, map[string][]byte{"System.evtx": log, "collector2/System.evtx": log, "old/System.evtx": short})
	assert.Equal(t, want, summarize(two))
	inv := inventory(two)
	assert.Empty(t, inv["System.evtx"].Notes)
	require.Len(t, inv["collector2/System.evtx"].Notes, 1)
	assert.Contains(t, inv["collector2/System.evtx"].Notes[0], "events also in System.evtx")
	assert.Contains(t, inv["old/System.evtx"].Notes[0], "120 events also in System.evtx")
	assert.Equal(t, StatusParsed, inv["collector2/System.evtx"].Status)
}
