package analyze

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// xmlExport is an event XML export of one event per hour for hours hours
// (two in the last), all on channel.
func xmlExport(channel string, hours int) []byte {
	var x strings.Builder
	x.WriteString(`<?xml version="1.0" encoding="UTF-8"?><Events>`)
	for i := range hours + 1 {
		h := min(i, hours-1)
		fmt.Fprintf(&x, `<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="p"/>`+
			`<EventID>1</EventID><Level>4</Level><TimeCreated SystemTime="2024-01-02T%02d:04:05.0000000Z"/>`+
			`<EventRecordID>%d</EventRecordID><Channel>%s</Channel><Computer>HV01</Computer></System></Event>`, h, i+1, channel)
	}
	x.WriteString(`</Events>`)
	return []byte(x.String())
}

// TestBundleBoundsActivityAndCoverage: past the bundle's limits on
// timeline buckets and coverage keys, the files listed first keep theirs,
// the others are cut from the end of their timeline, each cut file notes
// what it lost, and the result is the same whatever the number of workers.
func TestBundleBoundsActivityAndCoverage(t *testing.T) {
	dir := t.TempDir()
	for name, channel := range map[string]string{"a.xml": "Chan-A", "b.xml": "Chan-B", "c.xml": "Chan-C"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), xmlExport(channel, 4), 0o644))
	}
	lim := DefaultLimits()
	lim.MaxActivity, lim.MaxCoverage = 6, 2
	var first *Result
	for _, workers := range []int{1, 2, 3} {
		res, err := Run(t.Context(), dir, Options{Limits: lim, Workers: workers})
		require.NoError(t, err)
		charted := map[string]int{}
		for _, a := range res.Activity {
			charted[a.Channel]++
		}
		assert.Equal(t, map[string]int{"Chan-A": 4, "Chan-B": 2}, charted)
		for _, a := range res.Activity {
			if a.Channel == "Chan-B" {
				assert.Less(t, a.Hour.Hour(), 2, "a file keeps the start of its timeline")
			}
		}
		assert.True(t, res.Coverage.Has("channel:chan-a") || res.Coverage.Has("channel:Chan-A"), "%v", res.Coverage)
		for k := range res.Coverage {
			assert.NotContains(t, strings.ToLower(k), "chan-c", "c.xml's key is past the limit")
		}
		inv := inventory(res)
		assert.Empty(t, inv["a.xml"].Notes)
		assert.Contains(t, inv["b.xml"].Notes, "2 timeline buckets (hour, channel and level) of 3 events not charted (the bundle charts at most 6 buckets; the files listed first keep theirs)")
		assert.Contains(t, inv["c.xml"].Notes, "4 timeline buckets (hour, channel and level) of 5 events not charted (the bundle charts at most 6 buckets; the files listed first keep theirs)")
		assert.Contains(t, inv["c.xml"].Notes, "1 coverage keys (channels, outputs read) not listed (the bundle lists at most 2; the files listed first keep theirs)")
		if first == nil {
			first = res
			continue
		}
		assert.Equal(t, first.Activity, res.Activity)
		assert.Equal(t, first.Coverage, res.Coverage)
		assert.Equal(t, first.Inventory, res.Inventory)
	}
}
