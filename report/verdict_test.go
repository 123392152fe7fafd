package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvtriage/hvtriage/analyze"
	"github.com/hvtriage/hvtriage/evidence"
	"github.com/hvtriage/hvtriage/rules"
)

// unreadableResult is a bundle nothing could be read from: notes, a log
// file, a damaged event log, a skipped Security log and a nested zip.
func unreadableResult() *analyze.Result {
	res := &analyze.Result{
		Bundle: analyze.BundleInfo{Name: "case.zip", Files: 6},
		Inventory: []analyze.FileRecord{
			{Path: "notes.txt", Kind: analyze.KindUnknown, Status: analyze.StatusIgnored, Problems: evidence.TextProblems("content not recognized")},
			{Path: "more/notes.TXT", Kind: analyze.KindUnknown, Status: analyze.StatusIgnored, Problems: evidence.TextProblems("content not recognized")},
			{Path: "setup.log", Kind: analyze.KindUnknown, Status: analyze.StatusIgnored, Problems: evidence.TextProblems("content not recognized")},
			{Path: "System.evtx", Kind: "evtx", Status: analyze.StatusUnreadable, Problems: evidence.TextProblems("file header: bad signature")},
			{Path: "Security.evtx", Kind: "evtx", Status: analyze.StatusIgnored, Problems: evidence.TextProblems(`channel "Security" is not read: no rule uses it`)},
			{Path: "inner.zip", Kind: analyze.KindZip, Status: analyze.StatusParsed, Records: 5},
		},
		Outcome: rules.Outcome{Missing: []rules.Missing{
			{Input: "system-log", What: "System event log", Collect: "wevtutil epl System System.evtx", Decides: []string{"storage-connectivity", "filesystem-corruption"}},
			{Input: "vss-writers", What: "vssadmin list writers output", Collect: "vssadmin list writers > vss_writers.txt", Decides: []string{"vss-writer-failed"}},
			{Input: "vmms-log", What: "Hyper-V VMMS admin log", Collect: "wevtutil epl Microsoft-Windows-Hyper-V-VMMS-Admin VMMS.evtx", Decides: []string{"vm-config-corrupt"}},
			{Input: "application-log", What: "Application event log", Collect: "wevtutil epl Application Application.evtx", Decides: []string{"vss-writer-failed"}},
		}},
	}
	res.Decide()
	return res
}

// cleanResult is a healthy host: one System log read, nothing found.
func cleanResult() *analyze.Result {
	res := &analyze.Result{
		Bundle:    analyze.BundleInfo{Name: "healthy.zip", Files: 2},
		Inventory: []analyze.FileRecord{{Path: "System.evtx", Kind: "evtx", Status: analyze.StatusParsed, Records: 812}, {Path: "notes.txt", Kind: analyze.KindUnknown, Status: analyze.StatusIgnored}},
	}
	res.Decide()
	return res
}

func render(t *testing.T, d *Document) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, format := range Formats() {
		w, err := New(format)
		require.NoError(t, err)
		var b bytes.Buffer
		require.NoError(t, w.Write(&b, d))
		out[format] = b.String()
	}
	var term bytes.Buffer
	require.NoError(t, Terminal(&term, d, false))
	out["terminal"] = term.String()
	return out
}

func TestInconclusiveVerdict(t *testing.T) {
	doc := Build(unreadableResult(), "test")
	assert.Equal(t, Verdict{State: StateInconclusive, FilesRead: 0, Files: 6, Evidence: 0, Unread: []FileGroup{
		{Count: 3, Why: "not recognized", Exts: []string{".log", ".txt"}},
		{Count: 1, Why: "unreadable", Exts: []string{".evtx"}},
		{Count: 1, Why: "recognized but not used by any rule", Exts: []string{".evtx"}},
	}}, doc.Verdict)

	out := render(t, doc)
	var js struct {
		Verdict map[string]any `json:"verdict"`
	}
	require.NoError(t, json.Unmarshal([]byte(out["json"]), &js))
	assert.Equal(t, map[string]any{"state": "inconclusive", "files_read": 0.0, "files": 6.0, "evidence": 0.0}, js.Verdict,
		"the JSON verdict holds exactly the contract's fields")

	for _, format := range []string{"md", "html", "terminal"} {
		text := out[format]
		assert.Contains(t, text, "nothing in this bundle could be read (evidence from 0 of 6 files)", format)
		assert.Contains(t, text, "3 files not recognized: .log, .txt", format)
		assert.Contains(t, text, "1 file unreadable: .evtx", format)
		assert.Contains(t, text, "1 file recognized but not used by any rule: .evtx", format)
		assert.Contains(t, text, "wevtutil epl System System.evtx", format)
		assert.Contains(t, strings.ReplaceAll(text, "&gt;", ">"), "vssadmin list writers > vss_writers.txt", format)
		assert.NotContains(t, text, "No finding", format)
	}
	assert.Contains(t, out["terminal"], "INCONCLUSIVE: nothing in this bundle could be read")
	assert.NotContains(t, out["terminal"], "Application.evtx", "only the first inputs to collect are listed")
	assert.Contains(t, out["html"], `<p class="state state-inconclusive">Inconclusive: nothing in this bundle could be read`)
	assert.Contains(t, out["html"], "Collect first, then analyze again")
	assert.Contains(t, out["md"], "**Inconclusive: nothing in this bundle could be read")
}

func TestCleanVerdict(t *testing.T) {
	out := render(t, Build(cleanResult(), "test"))
	assert.Contains(t, out["json"], `"verdict": {
    "state": "clean",
    "files_read": 1,
    "files": 2,
    "evidence": 0
  }`)
	for _, format := range []string{"md", "html", "terminal"} {
		assert.Contains(t, out[format], "no documented cause found in the evidence from 1 of 2 files", format)
		assert.NotContains(t, out[format], "could be read", format)
	}
	assert.Contains(t, out["terminal"], "CLEAN: no documented cause")
}

func TestFindingsVerdict(t *testing.T) {
	out := render(t, Build(syntheticResult(t), "test"))
	assert.Contains(t, out["terminal"], "FINDINGS: evidence from 2 of 2 files (7 items).")
	assert.Contains(t, out["md"], "**Findings: evidence from 2 of 2 files (7 items).**")
	assert.Contains(t, out["html"], "Findings: evidence from 2 of 2 files (7 items).")
}

func TestVerdictGroupNamesAreSafe(t *testing.T) {
	res := &analyze.Result{Inventory: []analyze.FileRecord{
		{Path: "a.<b>\x1b", Kind: analyze.KindUnknown, Status: analyze.StatusIgnored},
		{Path: "b.averyveryverylongextension", Kind: analyze.KindUnknown, Status: analyze.StatusIgnored},
		{Path: "README", Kind: analyze.KindUnknown, Status: analyze.StatusIgnored},
	}}
	res.Decide()
	doc := Build(res, "test")
	require.Len(t, doc.Verdict.Unread, 1)
	assert.Equal(t, []string{"(no extension)", ".<b>\uFFFD"}, doc.Verdict.Unread[0].Exts)
	out := render(t, doc)
	assert.NotContains(t, out["html"], "<b>")
	assert.NotContains(t, out["terminal"], "\x1b")
	assert.NotContains(t, out["md"], "<b>")
}
