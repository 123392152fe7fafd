package rules

import (
	"slices"
	"strings"
	"testing"

	"github.com/hvtriage/hvtriage/evidence"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDefaultCatalogLoads(t *testing.T) {
	cat, err := Default()
	require.NoError(t, err)
	require.NotEmpty(t, cat.Causes)
	for _, c := range cat.Causes {
		assert.Same(t, c, cat.Cause(c.ID))
	}
}

func TestLoadRejectsMistakes(t *testing.T) {
	const valid = `{"id":"vss-writer-failed","title":"t","area":"vss","severity":"high","explanation":"e","clear":"c",
	  "signals":[{"id":"s","weight":0.5,"says":"x","kind":"vss.writer","equals":{"failed":"true"}}],
	  "needs":["w"],
	  "resolution":[{"text":"do","risk":"read-only"}]}`
	const inputs = `"inputs":[{"id":"w","what":"writers","collect":"vssadmin list writers","have":["file:x"]}]`
	wrap := func(causes string) string { return "{" + inputs + `,"causes":[` + causes + "]}" }
	_, err := Load(strings.NewReader(wrap(valid)))
	require.NoError(t, err)

	tests := []struct {
		name, catalog, want string
	}{
		{"unknown field", strings.Replace(valid, `"area"`, `"areas"`, 1), "unknown field"},
		{"duplicate id", valid + "," + valid, "duplicate ID"},
		{"bad severity", strings.Replace(valid, `"high"`, `"hgh"`, 1), "unknown severity"},
		{"unknown kind", strings.Replace(valid, `"vss.writer"`, `"vss.writers"`, 1), "unknown kind"},
		{"weight out of range", strings.Replace(valid, `0.5`, `1.5`, 1), "outside (0, 1)"},
		{"bad regex", strings.Replace(valid, `"equals":{"failed":"true"}`, `"regex":{"name":"("}`, 1), "regex"},
		{"attribute typo", strings.Replace(valid, `"equals":{"failed":"true"}`, `"equals":{"faild":"true"}`, 1), `declares no attribute "faild"`},
		{"unknown check", strings.Replace(valid, `"kind":"vss.writer","equals":{"failed":"true"}`, `"check":"nope"`, 1), "unknown check"},
		{"empty title", strings.Replace(valid, `"title":"t"`, `"title":" "`, 1), "title is empty"},
		{"no needs", strings.Replace(valid, `"needs":["w"]`, `"needs":[]`, 1), "no needs"},
		{"unknown input", strings.Replace(valid, `"needs":["w"]`, `"needs":["w","x"]`, 1), `needs unknown input "x"`},
		// The safety rules of resolution steps (steps.go).
		{"no risk", strings.Replace(valid, `,"risk":"read-only"`, ``, 1), `risk "" is not`},
		{"unknown placeholder", withStep(valid, `{"text":"t","command":"Get-VM -Name '{vmname}'","risk":"read-only"}`), "unknown placeholder {vmname}"},
		{"unquoted placeholder", withStep(valid, `{"text":"t","command":"Get-VM -Name {vm}","risk":"read-only"}`), "inside single quotes"},
		{"placeholder in double quotes", withStep(valid, `{"text":"t","command":"Get-VM -Name \"{vm}\"","risk":"read-only"}`), "inside single quotes"},
		{"unknown step signal", withStep(valid, `{"text":"t","risk":"read-only","signals":["nope"]}`), `unknown signal "nope"`},
		{"merge declared read-only", withStep(valid, `{"text":"t","command":"Merge-VHD -Path 'x'","risk":"read-only","warning":"w"}`), "rewrites or deletes data"},
		{"destructive without warning", withStep(valid, `{"text":"t","command":"Restart-Service -Name 'vmms'","risk":"changes-settings"}`), "needs a warning"},
		{"rewrite before a copy", withStep(valid, `{"text":"t","command":"Merge-VHD -Path '{avhdx_path}'","risk":"rewrites-data","warning":"w","signals":["s"]}`), "before any step of the cause makes a copy"},
		{"rewrite without signals", withStep(valid, copyStep+`,{"text":"t","command":"Merge-VHD -Path '{avhdx_path}'","risk":"rewrites-data","warning":"w"}`), "must name the signals"},
		{"rewrite chained", withStep(valid, copyStep+`,{"text":"t","command":"Stop-VM -Name '{vm}'; Merge-VHD -Path '{avhdx_path}'","risk":"rewrites-data","warning":"w","signals":["s"]}`), "after ';'"},
		{"delete a disk", withStep(valid, copyStep+`,{"text":"t","command":"Remove-Item -LiteralPath '{disk_path}'","risk":"rewrites-data","warning":"w","signals":["s"]}`), "Remove-Item may only target"},
		{"copy flag without a copy", withStep(valid, `{"text":"t","command":"Get-VM","risk":"read-only","copies":true}`), "makes no copy"},
		{"every drive re-pointed", withStep(valid, `{"text":"t","command":"Get-VMHardDiskDrive -VMName '{vm}' | Set-VMHardDiskDrive -Path 'x'","risk":"changes-settings"}`), "every drive"},
		{"requires an unused placeholder", withStep(valid, `{"text":"t","command":"Get-VM","risk":"read-only","requires":["vm"]}`), "requires {vm}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(strings.NewReader(wrap(tt.catalog)))
			require.Error(t, err)
			assert.ErrorContains(t, err, tt.want)
		})
	}
}

// copyStep is a resolution step that makes a copy, for the loader tests.
const copyStep = `{"text":"copy","command":"Export-VM -Name '{vm}' -Path 'E:\\x'","risk":"read-only","copies":true}`

// withStep replaces the resolution of a catalog cause with the given steps.
func withStep(cause, steps string) string {
	return strings.Replace(cause, `"resolution":[{"text":"do","risk":"read-only"}]`, `"resolution":[`+steps+`]`, 1)
}

func TestSeverityText(t *testing.T) {
	for s := Info; s <= Critical; s++ {
		b, err := s.MarshalText()
		require.NoError(t, err)
		var back Severity
		require.NoError(t, back.UnmarshalText(b))
		assert.Equal(t, s, back)
	}
	var s Severity
	assert.Error(t, s.UnmarshalText([]byte("severe")))
	assert.Equal(t, "offset 0x10000", evidence.AtOffset(0x10000).String())
	assert.Equal(t, "record 42", evidence.AtRecord(42).String())
	assert.Equal(t, "line 7", evidence.AtLine(7).String())
}

func writer(src string, line int, name, id string, failed bool, lastErrOK bool) evidence.Evidence {
	return evidence.Evidence{Kind: evidence.KindVSSWriter, Source: src, At: evidence.AtLine(line), Summary: name,
		Attrs: map[string]string{evidence.AttrName: name, "writer_id": id, evidence.AttrFailed: boolText(failed), "last_error_ok": boolText(lastErrOK)}}
}

func event(src string, rec uint64, provider, id string) evidence.Evidence {
	return evidence.Evidence{Kind: evidence.KindEvent, Source: src, At: evidence.AtRecord(rec),
		Attrs: map[string]string{evidence.AttrProvider: provider, evidence.AttrEventID: id}}
}

func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

const hvWriter = "66841cd4-6ded-4f4b-8f17-fd23f8ddc3de"

func TestEngineFailedWriterFinding(t *testing.T) {
	cat, err := Default()
	require.NoError(t, err)
	eng := NewEngine(cat)
	ev := []evidence.Evidence{
		writer("w.txt", 10, "Microsoft Hyper-V VSS Writer", hvWriter, true, false),
		writer("w.txt", 4, "System Writer", "e8132975-6f93-4464-a53e-1050253ae220", false, true),
		event("App.evtx", 77, "VSS", "8229"),
	}
	cov := evidence.Coverage{}
	cov.Add("file:vssadmin-writers")
	cov.Add("channel:Application")
	cov.Add("channel:System")
	out := eng.Evaluate(ev, cov)

	require.Len(t, out.Findings, 1)
	f := out.Findings[0]
	assert.Equal(t, "vss-writer-failed", f.Cause.ID)
	assert.Equal(t, High, f.Severity)
	assert.Greater(t, f.Confidence, 0.9)
	var cited []string
	for _, c := range f.Evidence {
		cited = append(cited, c.Source+" "+c.At.String()+" "+c.Signal)
	}
	assert.ElementsMatch(t, []string{"w.txt line 10 writer-failed, writer-last-error", "App.evtx record 77 vss-8229"}, cited)
	// The System log is present and clean, so both storage causes are ruled out.
	var ruled []string
	for _, r := range out.RuledOut {
		ruled = append(ruled, r.Cause)
	}
	assert.Subset(t, ruled, []string{"storage-connectivity", "filesystem-corruption"})
	for _, m := range out.Missing {
		assert.NotContains(t, m.Decides, "vss-writer-failed", "a decided cause asks for nothing more")
		assert.NotContains(t, m.Decides, "storage-connectivity")
	}
}

func TestEngineWeakSignalStaysLow(t *testing.T) {
	cat, err := Default()
	require.NoError(t, err)
	out := NewEngine(cat).Evaluate([]evidence.Evidence{event("Sys.evtx", 5, "storahci", "129")}, evidence.Coverage{"channel:system": true})
	require.Len(t, out.Findings, 1)
	f := out.Findings[0]
	assert.Equal(t, "storage-connectivity", f.Cause.ID)
	assert.Equal(t, Low, f.Severity, "a lone reset is a weak signal")
	// VSS cause undecided and its inputs absent: both are listed as missing.
	var what []string
	for _, m := range out.Missing {
		if slices.Contains(m.Decides, "vss-writer-failed") {
			what = append(what, m.What)
		}
		assert.NotEqual(t, "System event log", m.What, "the System log is in the bundle")
	}
	assert.ElementsMatch(t, []string{"vssadmin list writers output", "Application event log"}, what)
}

func TestEngineCounterEvidenceAndRepeats(t *testing.T) {
	cat, err := Default()
	require.NoError(t, err)
	eng := NewEngine(cat)
	one := eng.Evaluate([]evidence.Evidence{event("A", 1, "VSS", "8229")}, nil).Findings[0].Confidence
	var many []evidence.Evidence
	for i := range 20 {
		many = append(many, event("A", uint64(i+1), "VSS", "8229"))
	}
	manyConf := eng.Evaluate(many, nil).Findings[0]
	assert.Greater(t, manyConf.Confidence, one, "repeats add some weight")
	assert.Less(t, manyConf.Confidence, 0.9, "but twenty copies of one event are not proof")
	assert.Len(t, manyConf.Evidence, MaxCitedPerSignal)
	assert.Equal(t, 20, manyConf.Signals[0].Count)

	withStable := eng.Evaluate([]evidence.Evidence{event("A", 1, "VSS", "8229"),
		writer("w", 3, "Microsoft Hyper-V VSS Writer", hvWriter, false, true)}, nil).Findings[0]
	assert.Less(t, withStable.Confidence, one)
	require.Len(t, withStable.Against, 1)
	assert.Equal(t, "hyperv-writer-stable", withStable.Against[0].Signal)
}

func TestHyperVWriterMissingCheck(t *testing.T) {
	cat, err := Default()
	require.NoError(t, err)
	eng := NewEngine(cat)
	out := eng.Evaluate([]evidence.Evidence{writer("w.txt", 4, "System Writer", "e8132975-6f93-4464-a53e-1050253ae220", false, true)}, nil)
	require.Len(t, out.Findings, 1)
	assert.Equal(t, "hyperv-writer-missing", out.Findings[0].Evidence[0].Signal)

	out = eng.Evaluate([]evidence.Evidence{writer("w.txt", 4, "Microsoft Hyper-V VSS Writer", hvWriter, false, true)}, nil)
	assert.Empty(t, out.Findings)
}

func TestWantsEventAndPlaceholders(t *testing.T) {
	cat, err := Default()
	require.NoError(t, err)
	eng := NewEngine(cat)
	assert.True(t, eng.WantsEvent("VSS", 8229))
	assert.True(t, eng.WantsEvent("storahci", 129), "129 is wanted from any miniport")
	assert.True(t, eng.WantsEvent("ntfs", 55), "provider names compare case-insensitively")
	assert.False(t, eng.WantsEvent("Microsoft-Windows-Security-Auditing", 4624))

	ev := event("S", 9, "Ntfs", "55")
	ev.Attrs[evidence.AttrDrive] = "D:"
	ev.Attrs[evidence.AttrVM] = "It's $(Stop-Computer)"
	f := eng.Evaluate([]evidence.Evidence{ev}, nil).Findings[0]
	var cmds []string
	for _, s := range f.Resolution {
		cmds = append(cmds, s.Command)
	}
	assert.Contains(t, cmds, `Get-VM | Where-Object Path -like 'D:\*' | Format-Table Name, State, Path`)
	assert.NotContains(t, strings.Join(cmds, "\n"), "Repair-Volume", "a step that requires the drive letter is left out without it")

	// A value from the bundle is a literal: quotes doubled, $ not expanded.
	ev = event("S", 9, "Microsoft-Windows-Hyper-V-Worker", "3080")
	ev.Attrs[evidence.AttrVM] = "It's $(Stop-Computer)"
	f = eng.Evaluate([]evidence.Evidence{ev}, nil).Findings[0]
	cmds = nil
	for _, s := range f.Resolution {
		cmds = append(cmds, s.Command)
	}
	assert.Contains(t, cmds, `Remove-VMSavedState -VMName 'It''s $(Stop-Computer)'`)
	assert.Contains(t, cmds, `Move-Item -LiteralPath '<config_dir>\Virtual Machines\<vm_id>.vmrs' -Destination '<safe folder>'`,
		"what the bundle does not hold stays a quoted token that fails safe")
}
