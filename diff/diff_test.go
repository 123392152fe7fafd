package diff_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvtriage/hvtriage/analyze"
	"github.com/hvtriage/hvtriage/diff"
	"github.com/hvtriage/hvtriage/internal/evtxwrite"
	"github.com/hvtriage/hvtriage/internal/fixture"
	"github.com/hvtriage/hvtriage/report"
	"github.com/hvtriage/hvtriage/rules"
)

const sample = "../samples/storage-resets-vss-timeout/HV01_logs.zip"

func analyzed(t *testing.T, path string) *report.Document {
	t.Helper()
	res, err := analyze.Run(t.Context(), path, analyze.Options{})
	require.NoError(t, err)
	return report.Build(res, "test")
}

// fixedCopy writes the sample's files as a folder, with each file of
// replace in place of the sample's.
func fixedCopy(t *testing.T, replace fixture.Files) string {
	t.Helper()
	zr, err := zip.OpenReader(sample)
	require.NoError(t, err)
	defer zr.Close()
	files := fixture.Files{}
	for _, f := range zr.File {
		if f.FileInfo().IsDir() {
			continue
		}
		rc, err := f.Open()
		require.NoError(t, err)
		b, err := io.ReadAll(rc)
		rc.Close()
		require.NoError(t, err)
		files[f.Name] = b
	}
	for name, b := range replace {
		require.Contains(t, files, name)
		files[name] = b
	}
	dir := filepath.Join(t.TempDir(), "HV01_after")
	require.NoError(t, files.WriteDir(dir))
	return dir
}

// The storage resets are gone from the System log after the fix; the log
// itself is still collected, so the cause is checkable and fixed.
func TestDiffFixedCause(t *testing.T) {
	before := analyzed(t, sample)
	host := fixture.Host{Computer: "HV01.contoso.local"}
	healthy := fixture.EVTX([]evtxwrite.Record{host.BootEventLog(fixture.At(6, 0, 0), fixture.Build2016)}, 90001)
	after := analyzed(t, fixedCopy(t, fixture.Files{"EventLogs/System.evtx": healthy}))

	d := diff.Compare(before, after)
	var fixed, other []string
	for _, e := range d.Entries {
		switch e.Status {
		case diff.Fixed:
			fixed = append(fixed, e.Cause)
		case diff.StillThere:
			assert.Equal(t, *e.Before, *e.After, "%s: nothing else changed", e.Cause)
		default:
			other = append(other, string(e.Status)+" "+e.Cause)
		}
	}
	assert.Equal(t, []string{"storage-connectivity"}, fixed)
	assert.Empty(t, other)
	assert.Nil(t, d.FirstAtOrAbove(rules.Critical))
	require.NotNil(t, d.FirstAtOrAbove(rules.High), "the VSS writer is still failed")
}

// Dropping the log instead leaves the cause unverifiable, not fixed.
func TestDiffNoLongerCheckable(t *testing.T) {
	before := analyzed(t, sample)
	after := *before
	after.Findings = nil
	for _, f := range before.Findings {
		if f.Cause != "storage-connectivity" {
			after.Findings = append(after.Findings, f)
		}
	}
	after.Missing = append(after.Missing, report.MissingRow{Input: "system-log", What: "System event log",
		Decides: []string{"storage-connectivity"}, Collect: "wevtutil epl System System.evtx"})
	d := diff.Compare(before, &after)
	var e *diff.Entry
	for i := range d.Entries {
		if d.Entries[i].Cause == "storage-connectivity" {
			e = &d.Entries[i]
		}
	}
	require.NotNil(t, e)
	assert.Equal(t, diff.Unverifiable, e.Status)
	require.Len(t, e.Missing, 1)
	assert.Equal(t, "system-log", e.Missing[0].Input)
}

func TestDiffNewAndFormats(t *testing.T) {
	before := &report.Document{Bundle: report.Bundle{Name: "before.zip"}}
	after := &report.Document{Bundle: report.Bundle{Name: "after|<b>.zip"}, Findings: []report.Finding{
		{Cause: "vss-writer-failed", Title: "t", Severity: rules.High, Confidence: 0.8, VMs: []string{"<script>"}}}}
	d := diff.Compare(before, after)
	require.Len(t, d.Entries, 1)
	assert.Equal(t, diff.New, d.Entries[0].Status)
	assert.Equal(t, "– → 0.80", d.Entries[0].Confidence())
	assert.NotNil(t, d.FirstAtOrAbove(rules.High))

	var js, md, html, txt bytes.Buffer
	require.NoError(t, d.Write(&js, "json"))
	var back map[string]any
	require.NoError(t, json.Unmarshal(js.Bytes(), &back))
	assert.Equal(t, "hvtriage-diff/1", back["schema"])
	require.NoError(t, d.Write(&md, "md"))
	assert.Contains(t, md.String(), `after\|&lt;b&gt;.zip`)
	require.NoError(t, d.Write(&html, "html"))
	assert.NotContains(t, html.String(), "<script>")
	assert.Contains(t, html.String(), "&lt;script&gt;")
	require.NoError(t, d.Write(&txt, "text"))
	assert.True(t, strings.Contains(txt.String(), "1 new, 0 still there"))
	assert.Error(t, d.Write(&txt, "pdf"))
}
