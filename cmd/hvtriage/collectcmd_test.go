package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCollectScriptCommand(t *testing.T) {
	tmp := t.TempDir()
	golden := "../../samples/chain-parent-modified/report.golden.json"

	code, out, _ := runCLI(t, "collect-script")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, out, "wevtutil epl System System.evtx")

	ps1 := filepath.Join(tmp, "collect.ps1")
	code, _, errOut := runCLI(t, "collect-script", golden, "-o", ps1)
	require.Equal(t, exitOK, code, errOut)
	b, err := os.ReadFile(ps1)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(b), "\uFEFF"), "UTF-8 BOM for Windows PowerShell 5.1")
	assert.Contains(t, string(b), "$hvWanted = @('FS01')")

	notReport := filepath.Join(tmp, "x.json")
	require.NoError(t, os.WriteFile(notReport, []byte(`{"schema":"other"}`), 0o644))
	code, _, errOut = runCLI(t, "collect-script", notReport)
	assert.Equal(t, exitFailed, code)
	assert.Contains(t, errOut, "not an hvtriage report")

	code, _, _ = runCLI(t, "collect-script", golden, golden)
	assert.Equal(t, exitUsage, code)
}

func TestAnalyzeCase(t *testing.T) {
	out := filepath.Join(t.TempDir(), "case.json")
	other := "../../samples/chain-parent-modified/HV03_FS01_startfailure.zip"
	code, _, errOut := runCLI(t, "analyze", "--case", sample, other, "-o", out)
	require.Equal(t, exitOK, code, errOut)
	doc, err := readReport(out)
	require.NoError(t, err)
	assert.Equal(t, "HV01_logs.zip + HV03_FS01_startfailure.zip", doc.Bundle.Name)
	causes := map[string]bool{}
	for _, f := range doc.Findings {
		causes[f.Cause] = true
		for _, e := range f.Evidence {
			assert.True(t, strings.HasPrefix(e.Source, "HV01_logs.zip/") || strings.HasPrefix(e.Source, "HV03_FS01_startfailure.zip/"), e.Source)
		}
	}
	assert.True(t, causes["vss-writer-failed"] && causes["chain-parent-modified"], "findings of both bundles")

	code, _, _ = runCLI(t, "analyze", "--case", "--batch", t.TempDir(), sample)
	assert.Equal(t, exitUsage, code)
}

func TestDiffCommand(t *testing.T) {
	golden := "../../samples/storage-resets-vss-timeout/report.golden.json"
	code, out, errOut := runCLI(t, "diff", sample, golden)
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "0 new, 2 still there, 0 no longer checkable, 0 fixed")
	code, _, errOut = runCLI(t, "diff", "--fail-on", "high", sample, golden)
	assert.Equal(t, exitFindings, code)
	assert.Contains(t, errOut, "at or above --fail-on high")
	code, _, _ = runCLI(t, "diff", "--fail-on", "critical", sample, golden)
	assert.Equal(t, exitOK, code)
	md := filepath.Join(t.TempDir(), "diff.md")
	code, _, _ = runCLI(t, "diff", sample, golden, "-o", md)
	require.Equal(t, exitOK, code)
	b, err := os.ReadFile(md)
	require.NoError(t, err)
	assert.Contains(t, string(b), "# hvtriage diff")
	code, _, _ = runCLI(t, "diff", sample)
	assert.Equal(t, exitUsage, code)
	code, _, _ = runCLI(t, "diff", sample, filepath.Join(t.TempDir(), "nope"))
	assert.Equal(t, exitFailed, code)
}
