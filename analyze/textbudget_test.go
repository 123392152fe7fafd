package analyze

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hvtriage/hvtriage/analyze/extract"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTextEvidenceBundleLimit: a bundle of many listings, each just under
// the per-file bound, keeps maxTextEvidenceBundle items across the bundle:
// the files first by path keep theirs, the file at the boundary keeps part,
// the later ones none, and each notes how many it dropped. The result does
// not depend on how many workers ran.
func TestTextEvidenceBundleLimit(t *testing.T) {
	const perFile = extract.MaxTextEvidence - 100
	files := maxTextEvidenceBundle/perFile + 4
	dir := t.TempDir()
	for f := range files {
		var sb strings.Builder
		fmt.Fprintf(&sb, " Directory of C:\\VMs\\d%d\r\n\r\n", f)
		for i := range perFile {
			fmt.Fprintf(&sb, "01/02/2024  10:00 AM         1,%03d disk%d-%d.vhdx\r\n", i%1000, f, i)
		}
		require.NoError(t, os.WriteFile(filepath.Join(dir, fmt.Sprintf("dir%02d.txt", f)), []byte(sb.String()), 0o644))
	}
	var first *Result
	for _, workers := range []int{1, 3} {
		res, err := Run(t.Context(), dir, Options{Workers: workers})
		require.NoError(t, err)
		perPath := map[string]int{}
		for _, e := range res.Evidence {
			if e.Kind == "file" {
				perPath[e.Source]++
			}
		}
		kept, dropped := 0, 0
		full := maxTextEvidenceBundle / perFile
		for f := range files {
			name := fmt.Sprintf("dir%02d.txt", f)
			rec := inventory(res)[name]
			kept += perPath[name]
			note := ""
			for _, n := range rec.Notes {
				if strings.Contains(n, "the bundle keeps at most") {
					note = n
				}
			}
			var n int
			if note != "" {
				_, err := fmt.Sscanf(note, "%d more records", &n)
				require.NoError(t, err, note)
			}
			dropped += n
			switch {
			case f < full:
				assert.Equal(t, perFile, perPath[name], name)
				assert.Empty(t, note, name)
			case f == full:
				assert.Equal(t, maxTextEvidenceBundle-full*perFile, perPath[name], name)
				assert.Equal(t, perFile-perPath[name], n, name)
			default:
				assert.Zero(t, perPath[name], name)
				assert.Equal(t, perFile, n, name)
			}
			assert.Equal(t, StatusParsed, rec.Status, name)
		}
		assert.Equal(t, maxTextEvidenceBundle, kept)
		assert.Equal(t, files*perFile-maxTextEvidenceBundle, dropped)
		if first == nil {
			first = res
		} else {
			assert.Equal(t, first.Inventory, res.Inventory, "the same files keep the same items whatever the workers")
		}
	}
}

// TestEventChannelsBounded: an XML export of more channels than a file may
// add lists the first extract.MaxChannelsPerFile in coverage and the timeline and
// notes how many events of the others were left out.
func TestEventChannelsBounded(t *testing.T) {
	const extra = 50
	var x strings.Builder
	x.WriteString(`<?xml version="1.0" encoding="UTF-8"?><Events>`)
	for i := range extract.MaxChannelsPerFile + extra {
		fmt.Fprintf(&x, `<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="p%d"/>`+
			`<EventID>1</EventID><Level>4</Level><TimeCreated SystemTime="2024-01-02T03:04:05.0000000Z"/>`+
			`<EventRecordID>%d</EventRecordID><Channel>Channel-%05d</Channel><Computer>HV01</Computer></System></Event>`, i, i+1, i)
	}
	x.WriteString(`</Events>`)
	res := runFiles(t, map[string][]byte{"export/all.xml": []byte(x.String())})
	rec := inventory(res)["export/all.xml"]
	require.Equal(t, KindEVTXXML, rec.Kind)
	channels := 0
	for k := range res.Coverage {
		if strings.HasPrefix(k, "channel:") {
			channels++
		}
	}
	assert.Equal(t, extract.MaxChannelsPerFile, channels)
	charted := map[string]bool{}
	for _, a := range res.Activity {
		charted[a.Channel] = true
	}
	assert.Len(t, charted, extract.MaxChannelsPerFile)
	assert.Contains(t, rec.Notes, fmt.Sprintf("%d events of channels past the first %d of this file are not listed in coverage or the timeline", extra, extract.MaxChannelsPerFile))
}
