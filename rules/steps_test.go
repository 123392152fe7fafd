package rules

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/hvtriage/hvtriage/evidence"
	"github.com/hvtriage/hvtriage/internal/pscheck"
	"github.com/stretchr/testify/require"
)

// Hostile but valid values for every placeholder: quotes, $( ), backticks
// and wildcard brackets, which must all reach PowerShell as literals.
const (
	hostileVM     = "Web'01 $(Stop-Computer) `n [a]"
	hostileAVHDX  = `D:\VMs\O'Brien [1]\Disk$x_1C7E9B34-0D5A-4F62-A8B3-5E2C7D9F1A06.avhdx`
	hostileParent = `D:\VMs\O'Brien [1]\Disk$x.vhdx`
	hostileRCT    = `D:\VMs\O'Brien [1]\Disk$x.vhdx.rct`
	hostileName   = "Before 'patch' $env:x"
)

// renderedCase is one way a finding's steps can be rendered.
type renderedCase struct {
	name  string
	steps []Step
}

// renderAll renders every cause's steps for each of its signals firing
// alone and for all of them together, once with no value the bundle could
// fill and once with a hostile value for every placeholder.
func renderAll(t *testing.T) map[string][]renderedCase {
	t.Helper()
	cat, err := Default()
	require.NoError(t, err)
	facts := newVMFacts(newIndex([]evidence.Evidence{
		{Kind: evidence.KindVM, Source: "vms.txt", Attrs: map[string]string{evidence.AttrVM: hostileVM, evidence.AttrVMID: "3C9A7E21-5B04-4D8F-A1C6-8E2F0B7D4A93",
			evidence.AttrPath: `D:\VMs\O'Brien [1]`, "config_location": `D:\VMs\O'Brien [1]`, "generation": "2"}},
		{Kind: evidence.KindVMDisk, Source: "disks.txt", Attrs: map[string]string{evidence.AttrVM: hostileVM, evidence.AttrPath: hostileAVHDX,
			"controller_type": "SCSI", "controller_number": "0", "controller_location": "1"}},
	}))
	filled := func(signal string) []Cited {
		common := map[string]string{evidence.AttrVM: hostileVM, evidence.AttrName: hostileName, evidence.AttrDrive: "D:", evidence.AttrDriveLetter: "D",
			"pid": "4242", "process": "scanner.exe", "id": "c81f0d2a-97e4-4b3c-a0d5-6e2b9f4c1a87", evidence.AttrComputer: "HV01.contoso.test",
			"child_host_path": hostileAVHDX, "parent_recorded_path": hostileParent, "found_path": `E:\Moved\Disk.vhdx`}
		disk := map[string]string{evidence.AttrPath: hostileAVHDX}
		rct := map[string]string{evidence.AttrPath: hostileRCT}
		csv := map[string]string{evidence.AttrCSVPath: `C:\ClusterStorage\Volume1`}
		var out []Cited
		for _, attrs := range []map[string]string{common, disk, rct, csv} {
			a := map[string]string{}
			for k, v := range attrs {
				a[k] = v
			}
			a[evidence.AttrVM] = hostileVM
			out = append(out, Cited{Evidence: evidence.Evidence{Kind: evidence.KindDerived, Source: "x", Attrs: a}, Signal: signal})
		}
		return out
	}
	bare := func(signal string) []Cited {
		return []Cited{{Evidence: evidence.Evidence{Kind: evidence.KindDerived, Source: "x", Attrs: map[string]string{}}, Signal: signal}}
	}
	out := map[string][]renderedCase{}
	for _, c := range cat.Causes {
		var all, allBare []Cited
		for _, s := range c.Signals {
			all = append(all, filled(s.ID)...)
			allBare = append(allBare, bare(s.ID)...)
			out[c.ID] = append(out[c.ID],
				renderedCase{s.ID + " filled", fillSteps(c.Resolution, filled(s.ID), facts)},
				renderedCase{s.ID + " bare", fillSteps(c.Resolution, bare(s.ID), vmFacts{})})
		}
		out[c.ID] = append(out[c.ID],
			renderedCase{"all filled", fillSteps(c.Resolution, all, facts)},
			renderedCase{"all bare", fillSteps(c.Resolution, allBare, vmFacts{})})
	}
	return out
}

// TestRenderedStepsKeepTheirPromises checks what the loader cannot see,
// because it depends on which steps render: every step that rewrites data
// still follows a rendered copy step and carries a warning, bundle values
// stay quoted literals, and no command deletes a VM file.
func TestRenderedStepsKeepTheirPromises(t *testing.T) {
	removeTarget := regexp.MustCompile(`(?i)Remove-Item\s+-LiteralPath\s+'((?:[^']|'')*)'`)
	for cause, cases := range renderAll(t) {
		for _, rc := range cases {
			copied := false
			for i, s := range rc.steps {
				where := fmt.Sprintf("%s / %s / step %d", cause, rc.name, i+1)
				if s.Risk == RiskRewritesData {
					assert.True(t, copied, "%s rewrites data before any rendered copy step: %s", where, s.Command)
					assert.NotEmpty(t, s.Warning, where)
				}
				copied = copied || s.Copies
				assert.NotContains(t, s.Command, "Web'01", "%s: a quote from the bundle ends the literal: %s", where, s.Command)
				assert.NotContains(t, s.Command, "O'Brien", "%s: a quote from the bundle ends the literal: %s", where, s.Command)
				assert.NotRegexp(t, `\{[a-z_]+\}`, s.Command, "%s: unfilled placeholder syntax left", where)
				for _, m := range removeTarget.FindAllStringSubmatch(s.Command, -1) {
					assert.Regexp(t, `(?i)\.(rct|mrt)$`, m[1], "%s deletes a VM file", where)
				}
			}
		}
	}
}

// TestStepsRenderOnlyForTheirSignals: a step naming signals is shown only
// when one of them fired, so a VHDMP event cannot bring up the clean-up of
// an orphaned change tracking file.
func TestStepsRenderOnlyForTheirSignals(t *testing.T) {
	cat, err := Default()
	require.NoError(t, err)
	c := cat.Cause("backup-vendor-integration")
	require.NotNil(t, c)
	ev := []Cited{{Evidence: evidence.Evidence{Kind: evidence.KindEvent, Source: "System.evtx",
		Attrs: map[string]string{evidence.AttrVM: "APP03", evidence.AttrPath: `D:\Hyper-V\APP03\Virtual Hard Disks\APP03.vhdx`}}, Signal: "change-tracking-damaged"}}
	for _, s := range fillSteps(c.Resolution, ev, vmFacts{}) {
		assert.NotContains(t, s.Command, "APP03.vhdx", "a step about another signal must not take the VM's disk from this event: %s", s.Command)
		assert.NotContains(t, s.Command, "Move-Item")
	}
}

// TestRenderedStepsPassPslint runs the reviewers' own checker
// (../shared/tools/pslint.py) over every rendered step of every cause, with
// and without values, as one synthetic report. Skipped without python3 or
// without ../shared.
func TestRenderedStepsPassPslint(t *testing.T) {
	pslint := filepath.Join("..", "..", "shared", "tools", "pslint.py")
	if _, err := os.Stat(pslint); err != nil {
		t.Skip("pslint.py not present:", err)
	}
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed")
	}
	type step struct {
		Text    string `json:"text"`
		Command string `json:"command,omitempty"`
		Risk    Risk   `json:"risk"`
		Warning string `json:"warning,omitempty"`
	}
	type finding struct {
		Cause      string `json:"cause"`
		Resolution []step `json:"resolution"`
	}
	var report struct {
		Findings []finding `json:"findings"`
		Missing  []Missing `json:"missing"`
	}
	for cause, cases := range renderAll(t) {
		for _, rc := range cases {
			f := finding{Cause: cause + " (" + rc.name + ")"}
			for _, s := range rc.steps {
				f.Resolution = append(f.Resolution, step{s.Text, s.Command, s.Risk, s.Warning})
			}
			report.Findings = append(report.Findings, f)
		}
	}
	cat, err := Default()
	require.NoError(t, err)
	for _, in := range cat.Inputs {
		report.Missing = append(report.Missing, Missing{Input: in.ID, What: in.What, Collect: in.Collect})
	}
	b, err := json.Marshal(map[string]any{"findings": report.Findings, "missing": lowerMissing(report.Missing)})
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "all-steps.json")
	require.NoError(t, os.WriteFile(path, b, 0o644))
	out, err := exec.Command(python, pslint, path).CombinedOutput()
	assert.NoError(t, err, "pslint found hazards:\n%s", out)
	assert.Contains(t, string(out), " 0 hazards", string(out))
}

func lowerMissing(ms []Missing) []map[string]string {
	var out []map[string]string
	for _, m := range ms {
		out = append(out, map[string]string{"input": m.Input, "what": m.What, "collect": m.Collect})
	}
	return out
}

func TestStatementsAndQuotes(t *testing.T) {
	assert.Equal(t, []string{"a ", " b"}, statements("a ; b"))
	assert.Equal(t, []string{"x { a; b }"}, statements("x { a; b }"), "';' inside a script block is not top level")
	assert.Equal(t, []string{"echo 'a;b'"}, statements("echo 'a;b'"))
	cmd := "Get-VM -Name 'it''s {vm}' \"{x}\""
	assert.True(t, insideSingleQuotes(cmd, strings.Index(cmd, "{vm}")))
	assert.False(t, insideSingleQuotes(cmd, strings.Index(cmd, "{x}")))
	assert.Equal(t, "It''s", quoteValue("It's"))
}

// TestRenderedStepsParseInPowerShell51 checks every rendered command of
// every cause, and every collect command, with the Windows PowerShell 5.1
// restrictions (pscheck.Lint) and, where node and the tree-sitter grammar
// are installed (.ci/run installs them), with a real PowerShell grammar.
func TestRenderedStepsParseInPowerShell51(t *testing.T) {
	var cmds []string
	for _, cases := range renderAll(t) {
		for _, rc := range cases {
			for _, s := range rc.steps {
				if s.Command != "" {
					cmds = append(cmds, s.Command)
				}
			}
		}
	}
	cat, err := Default()
	require.NoError(t, err)
	for _, in := range cat.Inputs {
		cmds = append(cmds, in.Collect)
	}
	problems, err := pscheck.CheckAll(t.Context(), cmds)
	if errors.Is(err, pscheck.ErrGrammarUnavailable) {
		t.Log("PowerShell grammar not installed (npm ci --prefix internal/pscheck/js): only the 5.1 lint ran")
	} else {
		require.NoError(t, err)
	}
	for cmd, ps := range problems {
		t.Errorf("%s\n  %s", cmd, strings.Join(ps, "\n  "))
	}
}
