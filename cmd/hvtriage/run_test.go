package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvtriage/hvtriage/analyze"
	"github.com/hvtriage/hvtriage/rules"
)

// sample is a shipped bundle with a failed VSS writer (high) and storage
// resets (high), and nothing critical.
const sample = "../../samples/storage-resets-vss-timeout/HV01_logs.zip"

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(t.Context(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestExitCodes(t *testing.T) {
	tmp := t.TempDir()
	notZip := filepath.Join(tmp, "notes.zip")
	require.NoError(t, os.WriteFile(notZip, []byte("not a zip"), 0o644))
	// An upload cut short: the central directory is lost, the entries
	// before the cut are not.
	whole, err := os.ReadFile(sample)
	require.NoError(t, err)
	cut := filepath.Join(tmp, "cut.zip")
	require.NoError(t, os.WriteFile(cut, whole[:len(whole)*9/10], 0o644))
	tests := []struct {
		name       string
		args       []string
		code       int
		wantStdout string
		wantStderr string
	}{
		{"no command", nil, exitUsage, "", "usage:"},
		{"unknown command", []string{"analyse", sample}, exitUsage, "", `unknown command "analyse"`},
		{"version", []string{"version"}, exitOK, "hvtriage " + version, ""},
		{"help", []string{"--help"}, exitOK, "usage:", ""},
		{"no bundle", []string{"analyze"}, exitUsage, "", "want a BUNDLE (or --batch DIR), got none"},
		{"unknown flag", []string{"analyze", "--frmat", "json", sample}, exitUsage, "", "flag provided but not defined"},
		{"bad severity", []string{"analyze", "--fail-on", "severe", sample}, exitUsage, "", "unknown severity"},
		{"bad format", []string{"analyze", "--format", "pdf", "-o", "-", sample}, exitUsage, "", `unknown report format "pdf"`},
		{"untelling -o", []string{"analyze", "-o", filepath.Join(tmp, "report.txt"), sample}, exitUsage, "", "cannot tell the format"},
		{"missing bundle", []string{"analyze", filepath.Join(tmp, "nope")}, exitFailed, "", "cannot analyze"},
		{"not a bundle", []string{"analyze", notZip}, exitFailed, "", "not a bundle"},
		{"clean run", []string{"analyze", sample}, exitOK, "vss-writer-failed", ""},
		{"cut short", []string{"analyze", "--format", "json", "-o", "-", cut}, exitOK, "damaged archive", ""},
		{"fail-on high", []string{"analyze", "--fail-on", "high", sample}, exitFindings, "vss-writer-failed", "at or above --fail-on high"},
		{"fail-on critical", []string{"analyze", sample, "--fail-on=critical"}, exitOK, "storage-connectivity", ""},
		{"rules", []string{"rules"}, exitOK, "vss-writer-failed", ""},
		{"rules cause", []string{"rules", "storage-connectivity"}, exitOK, "Raises confidence", ""},
		{"rules unknown cause", []string{"rules", "gremlins"}, exitUsage, "", "unknown cause"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tt.args...)
			assert.Equal(t, tt.code, code, "stderr: %s", stderr)
			assert.Contains(t, stdout, tt.wantStdout)
			assert.Contains(t, stderr, tt.wantStderr)
		})
	}
}

func TestReportsWrittenByExtension(t *testing.T) {
	dir := t.TempDir()
	js, md, html := filepath.Join(dir, "r.json"), filepath.Join(dir, "r.md"), filepath.Join(dir, "r.html")
	code, stdout, stderr := runCLI(t, "analyze", sample, "-o", js, "-o", md, "--no-color", "-o", html)
	require.Equal(t, exitOK, code, stderr)
	assert.Empty(t, stdout, "no terminal table when reports are written")

	var doc struct {
		Schema   string `json:"schema"`
		Findings []struct {
			Cause    string `json:"cause"`
			Evidence []struct {
				Source, Locator string
			} `json:"evidence"`
		} `json:"findings"`
	}
	b, err := os.ReadFile(js)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &doc))
	assert.Equal(t, "hvtriage/1", doc.Schema)
	require.NotEmpty(t, doc.Findings)
	assert.Equal(t, "vss-writer-failed", doc.Findings[0].Cause)
	assert.Equal(t, "HV01_vssadmin_list_writers.txt", doc.Findings[0].Evidence[0].Source)
	assert.Equal(t, "line 22", doc.Findings[0].Evidence[0].Locator)

	m, err := os.ReadFile(md)
	require.NoError(t, err)
	assert.Contains(t, string(m), "# hvtriage report: HV01\\_logs.zip")
	h, err := os.ReadFile(html)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(h), "<!DOCTYPE html>"))
	assert.Contains(t, string(h), "Content-Security-Policy")

	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 3, "no temporary files left behind")
	st, err := os.Stat(js)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o644), st.Mode().Perm(), "reports are readable like other files")
}

func TestReportToStdoutIsDeterministic(t *testing.T) {
	_, first, _ := runCLI(t, "analyze", "-o", "-", "--format", "json", sample)
	_, second, _ := runCLI(t, "analyze", "--format", "json", sample, "-o", "-")
	require.NotEmpty(t, first)
	assert.Equal(t, first, second)
	assert.True(t, json.Valid([]byte(first)))
}

// copyFile copies a sample bundle under another name.
func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(dst, b, 0o644))
}

func TestBatch(t *testing.T) {
	in, out := t.TempDir(), t.TempDir()
	copyFile(t, sample, filepath.Join(in, "case-001.zip"))
	copyFile(t, sample, filepath.Join(in, "case-002.zip"))
	require.NoError(t, os.WriteFile(filepath.Join(in, "notes.txt"), []byte("not a bundle"), 0o644))

	code, stdout, stderr := runCLI(t, "analyze", "--batch", in, "--report-dir", out, "--format", "json,md")
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "case-001.zip")
	assert.Contains(t, stdout, "case-002.zip")
	assert.Contains(t, stdout, "vss-writer-failed")
	assert.NotContains(t, stdout, "notes.txt", "only zips and folders are bundles")
	for _, f := range []string{"case-001.json", "case-001.md", "case-002.json", "case-002.md"} {
		assert.FileExists(t, filepath.Join(out, f))
	}

	code, _, stderr = runCLI(t, "analyze", "--batch", in, "--fail-on", "high")
	assert.Equal(t, exitFindings, code)
	assert.Contains(t, stderr, "2 bundle(s)")

	require.NoError(t, os.WriteFile(filepath.Join(in, "case-003.zip"), []byte("PK\x03\x04 truncated"), 0o644))
	code, stdout, stderr = runCLI(t, "analyze", "--batch", in, "--report-dir", out)
	assert.Equal(t, exitFailed, code, "a bundle that cannot be analyzed fails the batch")
	assert.Contains(t, stdout, "ERROR")
	assert.Contains(t, stderr, "case-003.zip")
	assert.FileExists(t, filepath.Join(out, "case-002.json"), "the other bundles are still reported")
}

func TestBatchUsage(t *testing.T) {
	code, _, stderr := runCLI(t, "analyze", sample, sample)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "same name")
	code, _, stderr = runCLI(t, "analyze", "-o", "x.json", sample, "../../samples/tss-layout")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "use --report-dir")
	code, _, stderr = runCLI(t, "analyze", "--report-dir", t.TempDir(), sample)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "for one bundle use -o")
	code, _, stderr = runCLI(t, "analyze", "--batch", t.TempDir())
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "no .zip file or folder")
}

func TestRulesListsEveryCause(t *testing.T) {
	cat, err := rules.Default()
	require.NoError(t, err)
	code, stdout, _ := runCLI(t, "rules")
	require.Equal(t, exitOK, code)
	for _, c := range cat.Causes {
		assert.Contains(t, stdout, "| "+c.ID+" ", "the table lists %s", c.ID)
	}
	assert.Contains(t, stdout, fmt.Sprintf("%d causes.", len(cat.Causes)))

	code, stdout, _ = runCLI(t, "rules", "chain-parent-modified")
	require.Equal(t, exitOK, code)
	for _, want := range []string{"Raises confidence", "Inputs that decide it", "Resolution", "-IgnoreIdMismatch"} {
		assert.Contains(t, stdout, want)
	}
	_, stdout, _ = runCLI(t, "rules", "vss-writer-failed")
	assert.Contains(t, stdout, "Lowers confidence", "counter-evidence is explained too")
}

func TestBatchProgressAddsUpBundles(t *testing.T) {
	var last analyze.Progress
	bp := newBatchProgress(3, func(p analyze.Progress) { last = p })
	bp.bundle(0)(analyze.Progress{FilesDone: 1, FilesTotal: 4, BytesDone: 10, BytesTotal: 40})
	bp.bundle(1)(analyze.Progress{FilesDone: 2, FilesTotal: 2, BytesDone: 5, BytesTotal: 5})
	bp.finished(1)
	bp.bundle(0)(analyze.Progress{FilesDone: 3, FilesTotal: 4, BytesDone: 30, BytesTotal: 40})
	assert.Equal(t, analyze.Progress{FilesDone: 5, FilesTotal: 6, BytesDone: 35, BytesTotal: 45, BundlesDone: 1, BundlesTotal: 3}, last)
	assert.Equal(t, "1/3 bundles done, analyzing 5/6 files, 35 B read, about 20s left", progressText(last, 10*time.Second))
	bp.close()
	bp.bundle(0)(analyze.Progress{FilesDone: 4, FilesTotal: 4})
	assert.Equal(t, 5, last.FilesDone, "nothing is drawn once the summary follows")
}

// TestBatchIsDeterministic: bundles analyzed at once give the same summary
// in the order they were named, and the same reports as analyzing each one
// alone, run after run.
func TestBatchIsDeterministic(t *testing.T) {
	in := t.TempDir()
	for i, src := range []string{sample,
		"../../samples/antivirus-interference/HV22_av.zip",
		"../../samples/chain-parent-modified/HV03_FS01_startfailure.zip",
		"../../samples/clean-healthy-host/HV30_healthcheck.zip",
		"../../samples/damaged-files/HV34_partial_upload.zip",
	} {
		copyFile(t, src, filepath.Join(in, fmt.Sprintf("b%d-%s", i, filepath.Base(src))))
	}
	var summary string
	var reports map[string][]byte
	for run := range 2 {
		out := t.TempDir()
		code, stdout, stderr := runCLI(t, "analyze", "--batch", in, "--report-dir", out)
		require.Equal(t, exitOK, code, stderr)
		got := map[string][]byte{}
		entries, err := os.ReadDir(out)
		require.NoError(t, err)
		for _, e := range entries {
			got[e.Name()], err = os.ReadFile(filepath.Join(out, e.Name()))
			require.NoError(t, err)
		}
		require.Len(t, got, 5)
		if run == 0 {
			summary, reports = stdout, got
			continue
		}
		assert.Equal(t, summary, stdout, "the summary does not depend on which bundle finished first")
		for name, b := range got {
			assert.Equal(t, string(reports[name]), string(b), name)
		}
	}
	lines := strings.Split(strings.TrimSpace(summary), "\n")
	var order []string
	for _, l := range lines {
		if i := strings.Index(l, "/b"); i >= 0 {
			order = append(order, l[i+1:i+3])
		}
	}
	assert.Equal(t, []string{"b0", "b1", "b2", "b3", "b4"}, order, "rows follow the bundles' names")
	for name, b := range reports {
		alone := filepath.Join(t.TempDir(), name)
		code, _, stderr := runCLI(t, "analyze", "-o", alone, filepath.Join(in, strings.TrimSuffix(name, ".json")+".zip"))
		require.Contains(t, []int{exitOK, exitFindings, exitInconclusive}, code, stderr)
		single, err := os.ReadFile(alone)
		require.NoError(t, err)
		assert.Equal(t, string(single), string(b), "%s: a bundle of a batch is reported as when analyzed alone", name)
	}
}

func TestBatchParallelism(t *testing.T) {
	for _, tc := range []struct {
		bundles, procs        int
		parallel, workers     int
		memoryEach, maxMemory int64
	}{
		{bundles: 10, procs: 2, maxMemory: 256 << 20, parallel: 2, workers: 1, memoryEach: 128 << 20},
		{bundles: 1, procs: 8, maxMemory: 256 << 20, parallel: 1, workers: 8, memoryEach: 256 << 20},
		{bundles: 10, procs: 16, maxMemory: 256 << 20, parallel: 4, workers: 4, memoryEach: 64 << 20},
		{bundles: 3, procs: 8, maxMemory: 256 << 20, parallel: 3, workers: 3, memoryEach: 256 << 20 / 3},
		{bundles: 10, procs: 8, maxMemory: 32 << 20, parallel: 1, workers: 8, memoryEach: 32 << 20},
	} {
		p, w, m := batchParallelism(tc.bundles, tc.procs, tc.maxMemory)
		assert.Equal(t, []any{tc.parallel, tc.workers, tc.memoryEach}, []any{p, w, m}, "%+v", tc)
	}
}
