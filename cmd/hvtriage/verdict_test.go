package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvtriage/hvtriage/report"
	"github.com/hvtriage/hvtriage/rules"
)

const healthy = "../../samples/clean-healthy-host/HV30_healthcheck.zip"

// unreadableBundle writes a folder nothing can be read from: notes, a log
// of some installer, and an event log with a good signature and nothing
// else.
func unreadableBundle(t *testing.T, dir string) string {
	t.Helper()
	require.NoError(t, os.MkdirAll(dir, 0o755))
	for name, data := range map[string]string{
		"notes.txt":   "Customer says the VM would not start.\r\n",
		"setup.log":   "installer finished\n",
		"System.evtx": "ElfFile\x00 and then nothing a reader can use",
	} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644))
	}
	return dir
}

func TestInconclusiveExit(t *testing.T) {
	bundle := unreadableBundle(t, filepath.Join(t.TempDir(), "HV09_upload"))

	code, stdout, stderr := runCLI(t, "analyze", bundle)
	assert.Equal(t, exitOK, code, "without --fail-on an inconclusive analysis is not a failure: %s", stderr)
	assert.Contains(t, stdout, "INCONCLUSIVE: nothing in this bundle could be read (evidence from 0 of 3 files)")
	assert.Contains(t, stdout, "2 files not recognized: .log, .txt")
	assert.Contains(t, stdout, "wevtutil epl System System.evtx", "says what to collect")
	assert.NotContains(t, stdout, "No finding")

	code, _, stderr = runCLI(t, "analyze", "--fail-on", "high", bundle)
	assert.Equal(t, exitInconclusive, code)
	assert.Contains(t, stderr, "inconclusive: no file of HV09_upload gave usable evidence (evidence from 0 of 3 files)")

	js := filepath.Join(t.TempDir(), "r.json")
	code, _, _ = runCLI(t, "analyze", "--fail-on=critical", "-o", js, bundle)
	assert.Equal(t, exitInconclusive, code, "whatever the level")
	var doc struct {
		Verdict map[string]any `json:"verdict"`
	}
	b, err := os.ReadFile(js)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &doc))
	assert.Equal(t, map[string]any{"state": "inconclusive", "files_read": 0.0, "files": 3.0, "evidence": 0.0}, doc.Verdict)
}

func TestCleanIsNotInconclusive(t *testing.T) {
	code, stdout, stderr := runCLI(t, "analyze", "--fail-on", "low", healthy)
	assert.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "CLEAN: no documented cause found in the evidence from 15 of 16 files")
	code, stdout, _ = runCLI(t, "analyze", "--fail-on", "high", sample)
	assert.Equal(t, exitFindings, code)
	assert.Contains(t, stdout, "FINDINGS: evidence from")
}

// TestFindingComesBeforeInconclusive: should an info finding ever come
// with an inconclusive verdict, --fail-on info exits 3, not 4.
func TestFindingComesBeforeInconclusive(t *testing.T) {
	doc := &report.Document{
		Verdict:  report.Verdict{State: report.StateInconclusive},
		Findings: []report.Finding{{Cause: "checkpoint-long-lived", Severity: rules.Info}},
	}
	var info, low, unset severityFlag
	require.NoError(t, info.Set("info"))
	require.NoError(t, low.Set("low"))
	code, _ := info.judge(doc)
	assert.Equal(t, exitFindings, code)
	code, _ = low.judge(doc)
	assert.Equal(t, exitInconclusive, code)
	code, why := unset.judge(doc)
	assert.Equal(t, exitOK, code, "4 only with --fail-on")
	assert.Empty(t, why)
}

func TestBatchExitPrecedence(t *testing.T) {
	assert.Equal(t, exitFailed, batchExit(1, 1, 1))
	assert.Equal(t, exitFindings, batchExit(0, 1, 1))
	assert.Equal(t, exitInconclusive, batchExit(0, 0, 2))
	assert.Equal(t, exitOK, batchExit(0, 0, 0))
}

func TestBatchWithAnInconclusiveBundle(t *testing.T) {
	in := t.TempDir()
	copyFile(t, sample, filepath.Join(in, "case-001.zip"))
	unreadableBundle(t, filepath.Join(in, "case-002"))

	code, stdout, stderr := runCLI(t, "analyze", "--batch", in)
	assert.Equal(t, exitOK, code, stderr)
	assert.Regexp(t, `case-001\.zip\s+\|\s+findings\s+\|\s+vss-writer-failed`, stdout)
	assert.Regexp(t, `case-002\s+\|\s+inconclusive\s+\|\s+nothing could be read\s+\|.*\|\s+0 of 3\s+\|`, stdout)

	code, _, stderr = runCLI(t, "analyze", "--batch", in, "--fail-on", "high")
	assert.Equal(t, exitFindings, code, "a finding at or above the level comes first")
	assert.Contains(t, stderr, "1 bundle(s) have a finding at or above --fail-on high")
	assert.Contains(t, stderr, "1 bundle(s) inconclusive", "the inconclusive bundle is still named")

	code, _, _ = runCLI(t, "analyze", "--batch", in, "--fail-on", "critical")
	assert.Equal(t, exitInconclusive, code, "nothing is critical, but one bundle says nothing")

	require.NoError(t, os.WriteFile(filepath.Join(in, "case-003.zip"), []byte("PK\x03\x04 truncated"), 0o644))
	code, stdout, _ = runCLI(t, "analyze", "--batch", in, "--fail-on", "critical")
	assert.Equal(t, exitFailed, code, "a bundle that could not be analyzed comes before everything")
	assert.Regexp(t, `case-003\.zip\s+\|\s+error\s+\|\s+ERROR`, stdout)
}
