package analyze

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvtriage/hvtriage/evidence"
	"github.com/hvtriage/hvtriage/internal/evtxwrite"
	"github.com/hvtriage/hvtriage/internal/fixture"
	"github.com/hvtriage/hvtriage/rules"
)

// TestVerdictCleanHealthyHost: real logs of a healthy host are read and
// show nothing wrong. That is a clean bill, not "nothing could be read",
// even for the logs whose events no rule kept.
func TestVerdictCleanHealthyHost(t *testing.T) {
	res, err := Run(t.Context(), "../samples/clean-healthy-host/HV30_healthcheck.zip", Options{})
	require.NoError(t, err)
	assert.Equal(t, VerdictClean, res.Verdict.State)
	assert.Equal(t, len(res.Inventory), res.Verdict.Files)
	assert.Equal(t, len(res.Evidence), res.Verdict.Evidence)
	assert.Positive(t, res.Verdict.FilesRead)

	read := 0
	for _, f := range res.Inventory {
		if f.GaveEvidence {
			read++
		}
	}
	assert.Equal(t, read, res.Verdict.FilesRead)
	assert.True(t, inventory(res)["HV30/EventLogs/System.evtx"].GaveEvidence)
}

// TestVerdictLogReadWithNothingKept: a System log whose events no rule
// keeps was still read, and says the host logged nothing alarming.
func TestVerdictLogReadWithNothingKept(t *testing.T) {
	h := fixture.Host{Computer: "HV01"}
	quiet := h.Classic("System", "Contoso-Inventory-Agent", 1, 0, fixture.LevelInfo, fixture.At(1, 0, 0), "inventory sent")
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "System.evtx"), fixture.EVTX([]evtxwrite.Record{quiet, quiet}, 1), 0o644))
	res, err := Run(t.Context(), dir, Options{})
	require.NoError(t, err)
	sys := inventory(res)["System.evtx"]
	assert.Equal(t, 2, sys.Records)
	assert.Zero(t, sys.Evidence, "no rule keeps the agent's events")
	assert.True(t, sys.GaveEvidence)
	assert.Equal(t, Verdict{State: VerdictClean, FilesRead: 1, Files: 1, Evidence: 0}, res.Verdict)
}

// TestVerdictInconclusive: text nobody recognizes, a damaged event log and
// a log no rule reads give no usable evidence. "No finding" would be a
// false all-clear.
func TestVerdictInconclusive(t *testing.T) {
	h := fixture.Host{Computer: "HV01"}
	sec := h.Manifest("Security", "Microsoft-Windows-Security-Auditing", "{54849625-5478-4994-A5BA-3E3B0328C30D}", 4624, fixture.LevelInfo, fixture.At(1, 0, 0),
		evtxwrite.Field{Name: "TargetUserName", Value: "svc_backup"})
	dir := t.TempDir()
	write := func(name string, b []byte) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), b, 0o644))
	}
	write("notes.txt", []byte("Customer says the VM would not start after the weekend.\r\nCall back Monday.\r\n"))
	write("setup.log", []byte("2026-03-01 10:00:00 installer finished\n"))
	corrupt := append([]byte("ElfFile\x00"), make([]byte, 5000)...)
	write("System.evtx", corrupt)
	write("Security.evtx", fixture.EVTX([]evtxwrite.Record{sec}, 1))

	res, err := Run(t.Context(), dir, Options{})
	require.NoError(t, err)
	assert.Equal(t, Verdict{State: VerdictInconclusive, FilesRead: 0, Files: 4, Evidence: 0}, res.Verdict)
	inv := inventory(res)
	assert.Equal(t, StatusIgnored, inv["Security.evtx"].Status, "parsed enough to be skipped on purpose")
	assert.False(t, inv["Security.evtx"].GaveEvidence)
	assert.Equal(t, StatusPartial, inv["System.evtx"].Status, "recognized, but not one record could be read")
	assert.Zero(t, inv["System.evtx"].Records)
	assert.False(t, inv["System.evtx"].GaveEvidence)
	assert.Equal(t, KindUnknown, inv["notes.txt"].Kind)
	assert.Empty(t, res.Outcome.Findings)
}

// TestVerdictOnlyUnrelatedSecurityLog: a bundle holding nothing but a
// Security log of logons, privilege use and a user right given to another
// account: the few Security events rules read are not among them, so the
// log is skipped with its note and the verdict stays inconclusive.
func TestVerdictOnlyUnrelatedSecurityLog(t *testing.T) {
	h := fixture.Host{Computer: "HV01"}
	const guid = "{54849625-5478-4994-A5BA-3E3B0328C30D}"
	logon := h.Manifest("Security", "Microsoft-Windows-Security-Auditing", guid, 4624, fixture.LevelInfo, fixture.At(1, 0, 0),
		evtxwrite.Field{Name: "TargetUserName", Value: "svc_backup"})
	special := h.Manifest("Security", "Microsoft-Windows-Security-Auditing", guid, 4672, fixture.LevelInfo, fixture.At(1, 0, 1),
		evtxwrite.Field{Name: "SubjectUserName", Value: "svc_backup"})
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Security.evtx"), fixture.EVTX([]evtxwrite.Record{logon, special, logon}, 1), 0o644))

	res, err := Run(t.Context(), dir, Options{})
	require.NoError(t, err)
	assert.Equal(t, Verdict{State: VerdictInconclusive, FilesRead: 0, Files: 1, Evidence: 0}, res.Verdict)
	inv := inventory(res)
	assert.Equal(t, StatusIgnored, inv["Security.evtx"].Status)
	assert.Equal(t, []string{"not read: no rule uses this channel (Security); its chunk headers declare 3 records"}, inv["Security.evtx"].Notes)
	assert.Empty(t, res.Activity, "unread records are not counted in the activity chart")
}

func TestVerdictFindings(t *testing.T) {
	res, err := Run(t.Context(), "../samples/storage-resets-vss-timeout/HV01_logs.zip", Options{})
	require.NoError(t, err)
	assert.Equal(t, VerdictFindings, res.Verdict.State)
	assert.Positive(t, res.Verdict.FilesRead)
	assert.LessOrEqual(t, res.Verdict.FilesRead, res.Verdict.Files)
}

// TestDecide covers the edges of the definition on results built by hand.
func TestDecide(t *testing.T) {
	info := rules.Finding{Cause: &rules.Cause{ID: "x"}, Severity: rules.Info}
	low := rules.Finding{Cause: &rules.Cause{ID: "y"}, Severity: rules.Low}
	ev := evidence.Evidence{Source: "cited.txt"}
	tests := []struct {
		name     string
		files    []FileRecord
		findings []rules.Finding
		read     []string
		state    VerdictState
	}{
		{"nothing at all", nil, nil, nil, VerdictInconclusive},
		{"archive only", []FileRecord{{Path: "in.zip", Kind: KindZip, Status: StatusParsed, Records: 3}}, nil, nil, VerdictInconclusive},
		{"damaged log with nothing read", []FileRecord{{Path: "a.evtx", Kind: "evtx", Status: StatusPartial}}, nil, nil, VerdictInconclusive},
		{"info finding alone decides nothing", []FileRecord{{Path: "n.txt", Kind: KindUnknown, Status: StatusIgnored}}, []rules.Finding{info}, nil, VerdictInconclusive},
		{"records read", []FileRecord{{Path: "a.evtx", Kind: "evtx", Status: StatusPartial, Records: 2}}, []rules.Finding{info}, []string{"a.evtx"}, VerdictClean},
		{"cited without records", []FileRecord{{Path: "cited.txt", Kind: "listing", Status: StatusParsed}}, nil, []string{"cited.txt"}, VerdictClean},
		{"cited but unreadable", []FileRecord{{Path: "cited.txt", Kind: "listing", Status: StatusUnreadable}}, nil, nil, VerdictInconclusive},
		{"low finding", []FileRecord{{Path: "cited.txt", Kind: "listing", Status: StatusParsed}}, []rules.Finding{info, low}, []string{"cited.txt"}, VerdictFindings},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Result{Inventory: tt.files, Evidence: []evidence.Evidence{ev}, Outcome: rules.Outcome{Findings: tt.findings}}
			r.Decide()
			assert.Equal(t, tt.state, r.Verdict.State)
			assert.Equal(t, len(tt.read), r.Verdict.FilesRead)
			assert.Equal(t, len(tt.files), r.Verdict.Files)
			assert.Equal(t, 1, r.Verdict.Evidence)
			var read []string
			for _, f := range r.Inventory {
				if f.GaveEvidence {
					read = append(read, f.Path)
				}
			}
			assert.Equal(t, tt.read, read)
		})
	}
}
