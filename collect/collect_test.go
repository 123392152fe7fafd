package collect

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvtriage/hvtriage/internal/pscheck"
	"github.com/hvtriage/hvtriage/report"
	"github.com/hvtriage/hvtriage/rules"
)

func catalog(t *testing.T) *rules.Catalog {
	t.Helper()
	cat, err := rules.Default()
	require.NoError(t, err)
	return cat
}

// scripts is the script for no report and for every sample report.
func scripts(t *testing.T) map[string]string {
	t.Helper()
	cat := catalog(t)
	out := map[string]string{"default": Script(DefaultPlan(cat), "test")}
	goldens, err := filepath.Glob(filepath.Join("..", "samples", "*", "report.golden.json"))
	require.NoError(t, err)
	require.NotEmpty(t, goldens)
	for _, g := range goldens {
		b, err := os.ReadFile(g)
		require.NoError(t, err)
		var doc report.Document
		require.NoError(t, json.Unmarshal(b, &doc), g)
		out[filepath.Base(filepath.Dir(g))] = Script(PlanFromReport(&doc, cat), "test")
	}
	// A report naming hostile VMs and folders.
	hostile := &report.Document{Bundle: report.Bundle{Name: "x'; Remove-Item C:\\ -Recurse #.zip"},
		Findings: []report.Finding{{VMs: []string{"it's", "a’b", "$(Stop-Computer)", "x`\"y", "line\nbreak"}}},
		Chains:   report.Chains{Nodes: []report.ChainNode{{HostPath: `D:\VMs\o'brien\a.avhdx`}, {HostPath: `relative\b.vhdx`}}},
		Missing:  []report.MissingRow{{Input: "disk-headers"}, {Input: "vm-snapshots"}, {Input: "gone", What: "old", Collect: "Set-VM -Name x"}}}
	out["hostile"] = Script(PlanFromReport(hostile, cat), "test")
	return out
}

// codeLines are the statements of a script: what pslint.py checks too
// (comments are not commands; the tree-sitter grammar misreads some
// comment-only inputs, e.g. "# Input: system-log", as an ERROR node).
func codeLines(script string) []string {
	var out []string
	for _, l := range strings.Split(script, "\r\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}

func TestScriptLinesPassPscheck(t *testing.T) {
	var all []string
	for _, s := range scripts(t) {
		all = append(all, codeLines(s)...)
	}
	found, err := pscheck.CheckAll(context.Background(), all)
	for cmd, probs := range found {
		t.Errorf("%s\n  %s", cmd, strings.Join(probs, "\n  "))
	}
	if errors.Is(err, pscheck.ErrGrammarUnavailable) {
		t.Skip("grammar not installed (npm ci --prefix internal/pscheck/js); lint only")
	}
	require.NoError(t, err)
}

func TestScriptsPassPslint(t *testing.T) {
	pslint := filepath.Join("..", "..", "shared", "tools", "pslint.py")
	if _, err := os.Stat(pslint); err != nil {
		t.Skip("pslint.py not present:", err)
	}
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed")
	}
	dir := t.TempDir()
	var files []string
	for name, s := range scripts(t) {
		f := filepath.Join(dir, name+".ps1")
		require.NoError(t, os.WriteFile(f, []byte("\uFEFF"+s), 0o644))
		files = append(files, f)
	}
	out, err := exec.Command(python, append([]string{pslint}, files...)...).CombinedOutput()
	assert.NoError(t, err, "pslint found hazards:\n%s", out)
	assert.Contains(t, string(out), " 0 hazards", string(out))
}

func TestDefaultScriptCollectsEveryInput(t *testing.T) {
	cat := catalog(t)
	s := Script(DefaultPlan(cat), "test")
	for _, in := range cat.Inputs {
		assert.Contains(t, s, in.ID)
	}
	// Event logs with wevtutil epl, outputs as hvtriage reads them, disk
	// headers through the helper, a zip.
	assert.Contains(t, s, "wevtutil epl System System.evtx")
	assert.Contains(t, s, "-Width 4096")
	assert.Contains(t, s, "Save-HvDiskHeaders -Include '*.vhdx', '*.avhdx'")
	assert.Equal(t, 1, strings.Count(s, "Save-HvDiskHeaders -Include"), "two inputs sharing one command run it once")
	assert.Contains(t, s, "Compress-Archive")
	assert.Contains(t, s, "$hvWanted = @()")
	// Tools to download and commands for inside a guest are left to do by
	// hand, never run.
	assert.Regexp(t, `(?m)^\$hvByHand\.Add\('open-handles: `, s)
	assert.NotRegexp(t, `(?m)^[^#$].*handle64`, s)
}

// Every line that calls a Hyper-V cmdlet is guarded by the Get-Command
// test, so the script runs on a host without the module.
func TestHyperVCmdletsAreGuarded(t *testing.T) {
	cmdlet := regexp.MustCompile(`(?i)\b(Get-VM\w*|Get-VHD\w*)\b`)
	for name, s := range scripts(t) {
		for _, l := range codeLines(s) {
			if !cmdlet.MatchString(unquotedText(l)) || strings.HasPrefix(l, "$hvHyperV = ") {
				continue
			}
			assert.True(t, strings.HasPrefix(l, "if ($hvHyperV)") || strings.HasPrefix(l, "if (-not ($hvHyperV))"), "%s: unguarded: %s", name, l)
		}
	}
}

func TestPlanFromReportNamesVMsAndFolders(t *testing.T) {
	doc := &report.Document{
		Findings: []report.Finding{{VMs: []string{"FS01", "fs01", "DC1"}}},
		Chains:   report.Chains{Nodes: []report.ChainNode{{HostPath: `C:\ClusterStorage\Volume1\FS01\FS01_1.avhdx`, VMs: []string{"FS01"}}, {HostPath: "FS01/a.vhdx"}}},
		Missing:  []report.MissingRow{{Input: "system-log"}, {Input: "unknown-old", What: "old thing", Collect: "fltmc instances"}},
	}
	p := PlanFromReport(doc, catalog(t))
	assert.Equal(t, []string{"DC1", "FS01"}, p.VMs)
	assert.Equal(t, []string{`C:\ClusterStorage\Volume1\FS01`}, p.Folders)
	require.Len(t, p.Inputs, 2)
	assert.Equal(t, "wevtutil epl System System.evtx", p.Inputs[0].Collect)
	assert.Equal(t, "fltmc instances", p.Inputs[1].Collect)
	s := Script(p, "test")
	assert.Contains(t, s, `$hvReportFolders = @('C:\ClusterStorage\Volume1\FS01')`)
	assert.Contains(t, s, `$hvWanted = @('DC1', 'FS01')`)
}

func TestHostileValuesStayText(t *testing.T) {
	s := scripts(t)["hostile"]
	assert.Contains(t, s, `'it''s'`)
	assert.Contains(t, s, "'a’’b'")
	assert.Contains(t, s, `'$(Stop-Computer)'`)
	assert.Contains(t, s, `'D:\VMs\o''brien'`)
	assert.NotContains(t, s, "line\nbreak")
	assert.NotContains(t, s, "relative")
	// A command that would change the host never runs.
	assert.Regexp(t, `(?m)^\$hvByHand\.Add\('gone: its command would change the host`, s)
	assert.NotRegexp(t, `(?m)^[^#$].*Set-VM -Name`, s)
}

func TestQuote(t *testing.T) {
	assert.Equal(t, `'a'`, Quote("a"))
	assert.Equal(t, `'a''b'`, Quote("a'b"))
	assert.Equal(t, "'a‘‘b’’'", Quote("a‘b’"))
}
