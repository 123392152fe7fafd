package analyze

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvtriage/hvtriage/internal/fixture"
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

func activityTotal(res *Result) int {
	n := 0
	for _, a := range res.Activity {
		n += a.Count
	}
	return n
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
	assert.Equal(t, activityTotal(one), activityTotal(two), "the timeline counts each event once")
	inv := inventory(two)
	assert.Empty(t, inv["System.evtx"].Notes)
	require.Len(t, inv["collector2/System.evtx"].Notes, 1)
	assert.Contains(t, inv["collector2/System.evtx"].Notes[0], "events also in System.evtx")
	assert.Contains(t, inv["old/System.evtx"].Notes[0], "120 events also in System.evtx")
	assert.Equal(t, StatusParsed, inv["collector2/System.evtx"].Status)
}

// TestEVTXAndItsXMLExportCountOnce: the XML export of a log beside the log
// itself holds the same events; they are counted once.
func TestEVTXAndItsXMLExportCountOnce(t *testing.T) {
	const n = 30
	log := systemLog(n)
	var x strings.Builder
	x.WriteString(`<?xml version="1.0" encoding="UTF-8"?><Events>`)
	for i := range n {
		fmt.Fprintf(&x, `<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="storahci"/>`+
			`<EventID Qualifiers="32772">129</EventID><Level>3</Level><TimeCreated SystemTime="%s"/>`+
			`<EventRecordID>%d</EventRecordID><Channel>System</Channel><Computer>HV01</Computer></System>`+
			`<EventData><Data>\Device\RaidPort0</Data><Data>%s</Data></EventData></Event>`,
			fixture.At(2, i/60, i%60).UTC().Format("2006-01-02T15:04:05.0000000Z"), i+1, strings.Repeat("x", 200))
	}
	x.WriteString(`</Events>`)
	one := runFiles(t, map[string][]byte{"System.evtx": log})
	both := runFiles(t, map[string][]byte{"System.evtx": log, "export/System.xml": []byte(x.String())})
	inv := inventory(both)
	require.Equal(t, KindEVTXXML, inv["export/System.xml"].Kind)
	require.Equal(t, n, inv["export/System.xml"].Records)
	assert.Equal(t, summarize(one), summarize(both))
	require.Len(t, inv["export/System.xml"].Notes, 1)
	assert.Contains(t, inv["export/System.xml"].Notes[0], fmt.Sprintf("%d events also in System.evtx", n))
}

// TestSameOutputTwiceCountsOnce: two collectors both saved vssadmin's
// writer list (one in UTF-16, one re-saved as UTF-8): the failed writer is
// one witness, and the second file's entry names the one counted.
func TestSameOutputTwiceCountsOnce(t *testing.T) {
	writers := fixture.VSSAdminWriters(append(fixture.HealthyWriters(),
		fixture.Writer("Microsoft Hyper-V VSS Writer", "66841cd4-6ded-4f4b-8f17-fd23f8ddc3de", "8f2d6e14-3b0a-4c7e-9d51-2a6f0c8e7b93", 8, "Retryable error")))
	one := runFiles(t, map[string][]byte{"vss_writers.txt": fixture.UTF16(writers)})
	require.NotEmpty(t, one.Outcome.Findings)
	two := runFiles(t, map[string][]byte{"vss_writers.txt": fixture.UTF16(writers), "tss/vss_writers.txt": fixture.UTF8BOM(writers)})
	assert.Equal(t, summarize(one), summarize(two))
	inv := inventory(two)
	assert.Empty(t, inv["tss/vss_writers.txt"].Notes)
	require.Len(t, inv["vss_writers.txt"].Notes, 1, "the later path in order notes the copy")
	assert.Contains(t, inv["vss_writers.txt"].Notes[0], "counted once")
	assert.Contains(t, inv["vss_writers.txt"].Notes[0], "tss/vss_writers.txt")
	assert.True(t, inv["vss_writers.txt"].GaveEvidence || inv["vss_writers.txt"].Records > 0, "the copy was still read")
}
