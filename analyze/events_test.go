package analyze

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvtriage/hvtriage/analyze/extract"
	"github.com/hvtriage/hvtriage/evidence"
	"github.com/hvtriage/hvtriage/internal/evtxwrite"
	"github.com/hvtriage/hvtriage/internal/fixture"
)

// TestUnusedChannelIsSkippedWithANote: a Security log whose records are
// all ones no rule reads (logons) is skipped with a note, as a log of an
// unused channel is; the System log beside it is read.
func TestUnusedChannelIsSkippedWithANote(t *testing.T) {
	h := fixture.Host{Computer: "HV01"}
	sec := h.Manifest("Security", "Microsoft-Windows-Security-Auditing", "{54849625-5478-4994-A5BA-3E3B0328C30D}", 4624, fixture.LevelInfo, fixture.At(1, 0, 0),
		evtxwrite.Field{Name: "TargetUserName", Value: "svc_backup"})
	sys := h.Classic("System", "storahci", 129, fixture.QualWarning, fixture.LevelWarning, fixture.At(2, 0, 0), `\Device\RaidPort0`)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Security.evtx"), fixture.EVTX([]evtxwrite.Record{sec, sec, sec}, 1), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "System.evtx"), fixture.EVTX([]evtxwrite.Record{sys}, 1), 0o644))

	res, err := Run(t.Context(), dir, Options{})
	require.NoError(t, err)
	inv := inventory(res)
	assert.Equal(t, StatusIgnored, inv["Security.evtx"].Status)
	// Skipped on purpose: kind evtx, no problem, a note with the count the
	// chunk headers declare; an unrecognized file stays a problem.
	assert.Equal(t, KindEVTX, inv["Security.evtx"].Kind)
	assert.Empty(t, inv["Security.evtx"].Problems)
	require.Len(t, inv["Security.evtx"].Notes, 1)
	assert.Equal(t, "not read: no rule uses this channel (Security); its chunk headers declare 3 records", inv["Security.evtx"].Notes[0])
	assert.Equal(t, StatusParsed, inv["System.evtx"].Status)
	assert.Equal(t, 1, inv["System.evtx"].Records)
	assert.True(t, res.Coverage.Has("channel:system"))
	assert.Contains(t, causes(res), "storage-connectivity")
}

// TestSecurityLogSelectedEventsOnly: of a Security log only 4704, 4705 and
// 4670 are read. Here the logons around a right removed from the Virtual
// Machines group are neither evidence nor activity; the 4705 is both.
func TestSecurityLogSelectedEventsOnly(t *testing.T) {
	h := fixture.Host{Computer: "HV01"}
	const guid = "{54849625-5478-4994-A5BA-3E3B0328C30D}"
	logon := h.Manifest("Security", "Microsoft-Windows-Security-Auditing", guid, 4624, fixture.LevelInfo, fixture.At(1, 0, 0),
		evtxwrite.Field{Name: "TargetUserName", Value: "svc_backup"})
	removed := h.Manifest("Security", "Microsoft-Windows-Security-Auditing", guid, 4705, fixture.LevelInfo, fixture.At(3, 10, 0),
		evtxwrite.Field{Name: "SubjectUserName", Value: "admin"}, evtxwrite.Field{Name: "TargetSid", Value: "S-1-5-83-0"},
		evtxwrite.Field{Name: "PrivilegeList", Value: "SeServiceLogonRight"})
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Security.evtx"), fixture.EVTX([]evtxwrite.Record{logon, logon, removed, logon}, 1), 0o644))

	res, err := Run(t.Context(), dir, Options{})
	require.NoError(t, err)
	inv := inventory(res)
	assert.Equal(t, StatusParsed, inv["Security.evtx"].Status)
	assert.Empty(t, inv["Security.evtx"].Notes)
	var ids []string
	for _, e := range res.Evidence {
		if e.Source == "Security.evtx" {
			ids = append(ids, e.Attrs["event_id"])
		}
	}
	assert.Equal(t, []string{"4705"}, ids)
	var counted int
	for _, a := range res.Activity {
		if a.Channel == "Security" {
			counted += a.Count
		}
	}
	assert.Equal(t, 1, counted, "only the 4705 is in the activity chart")
	assert.True(t, res.Coverage.Has("channel:security"))
	assert.Contains(t, causes(res), "permission-logon-as-service")
}

func TestEventEvidenceAttributes(t *testing.T) {
	h := fixture.Host{Computer: "HV01.contoso.local"}
	vmms := h.VMMS(19100, fixture.LevelError, fixture.At(3, 0, 0), "APP01", "6F0D2C41-9A3B-4E7C-8B15-2D4F6A9C0E73",
		fixture.F("ErrorMessage", "'APP01' background disk merge failed to complete: General access denied error (0x80070005)."))
	vss := h.Classic("Application", "VSS", 8229, 0, fixture.LevelWarning, fixture.At(3, 1, 0), "0x800423f2, timeout", "", "context")
	vss.Binary = []byte("- Code: WRTWRTIC00000339 hr = 0x800423F4")
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "VMMS.evtx"), fixture.EVTX([]evtxwrite.Record{vmms}, 500), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "App.evtx"), fixture.EVTX([]evtxwrite.Record{vss}, 70), 0o644))
	res, err := Run(t.Context(), dir, Options{})
	require.NoError(t, err)
	byFile := map[string]map[string]string{}
	for _, e := range res.Evidence {
		byFile[e.Source] = e.Attrs
		assert.Equal(t, "record", string(e.At.Unit))
	}
	v := byFile["VMMS.evtx"]
	require.NotNil(t, v, "VMMS 19100 is kept: the catalog reads it")
	assert.Equal(t, "APP01", v["vm"])
	assert.Equal(t, "6F0D2C41-9A3B-4E7C-8B15-2D4F6A9C0E73", v["vm_id"])
	assert.Equal(t, "0x80070005", v["hresults"])
	assert.Equal(t, "Microsoft-Windows-Hyper-V-VMMS-Admin", v["channel"])
	a := byFile["App.evtx"]
	require.NotNil(t, a)
	assert.Equal(t, "VSS", a["provider"])
	assert.Equal(t, "0x800423f2, timeout", a["data.1"])
	assert.Equal(t, "", a["data.2"], "empty insertion strings keep their position")
	assert.Equal(t, "context", a["data.3"])
	assert.Equal(t, "0x800423f2 0x800423f4", a["hresults"], "codes from the text and from the binary data")
	assert.Equal(t, "0", a["qualifiers"])
}

// TestRepeatedEventsAreFolded: a controller that resets all night logs the
// same event tens of thousands of times; memory stays bounded and the
// finding still counts them all.
func TestRepeatedEventsAreFolded(t *testing.T) {
	h := fixture.Host{Computer: "HV01"}
	var recs []evtxwrite.Record
	for i := range 3000 {
		recs = append(recs, h.Classic("System", "storahci", 129, fixture.QualWarning, fixture.LevelWarning, fixture.At(2, i/60%60, i%60), `\Device\RaidPort0`))
	}
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "System.evtx"), fixture.EVTX(recs, 1), 0o644))
	res, err := Run(t.Context(), dir, Options{})
	require.NoError(t, err)
	assert.Len(t, res.Evidence, extract.MaxKeptPerEvent)
	f := findingFor(res, "storage-connectivity")
	require.NotNil(t, f)
	assert.Equal(t, 3000, f.Signals[0].Count)
	assert.Equal(t, 3000, inventory(res)["System.evtx"].Records)
}

// TestEventTextExport: a customer who sends `Get-WinEvent | Format-List`
// instead of the log still gets findings citing the right lines.
func TestEventTextExport(t *testing.T) {
	const export = `

TimeCreated  : 3/14/2024 2:04:41 AM
ProviderName : storahci
Id           : 129
Message      : Reset to device, \Device\RaidPort0, was issued.

TimeCreated  : 3/14/2024 2:05:13 AM
ProviderName : disk
Id           : 153
Message      : The IO operation at logical block address 0x2a81f400 for Disk 1 (PDO name: \Device\00000034) was retried.

`
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "system-events.txt"), fixture.UTF16(export), 0o644))
	res, err := Run(t.Context(), dir, Options{})
	require.NoError(t, err)
	f := inventory(res)["system-events.txt"]
	assert.Equal(t, KindEVTXText, f.Kind)
	assert.Equal(t, 2, f.Records)
	fd := findingFor(res, "storage-connectivity")
	require.NotNil(t, fd)
	assert.Equal(t, "line 3", fd.Evidence[0].At.String())
}

// TestRecoveredDamageIsListed: records recovered past damage are kept, but
// the inventory must still say the log is damaged.
func TestRecoveredDamageIsListed(t *testing.T) {
	h := fixture.Host{Computer: "HV01"}
	var recs []evtxwrite.Record
	for i := range 1500 {
		recs = append(recs, h.Classic("System", "Service Control Manager", 7036, fixture.QualInfo, fixture.LevelInfo, fixture.At(1, i/60%60, i%60), "Windows Update", "running"))
	}
	good := fixture.EVTX(recs, 1)
	crc, err := evtxwrite.Damaged(good, evtxwrite.ChunkHeaderChecksum, 1)
	require.NoError(t, err)
	zeroed, err := evtxwrite.Damaged(good, evtxwrite.ZeroedChunk, 1)
	require.NoError(t, err)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "crc.evtx"), crc, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "zeroed.evtx"), zeroed, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "good.evtx"), good, 0o644))
	res, err := Run(t.Context(), dir, Options{})
	require.NoError(t, err)
	inv := inventory(res)
	assert.Equal(t, StatusParsed, inv["good.evtx"].Status)
	assert.Equal(t, StatusPartial, inv["crc.evtx"].Status)
	assert.Contains(t, inv["crc.evtx"].Problems[0].Msg, "fail their checksum")
	assert.Equal(t, 1500, inv["crc.evtx"].Records)
	assert.Equal(t, StatusPartial, inv["zeroed.evtx"].Status)
	assert.Contains(t, strings.Join(evidence.ProblemTexts(inv["zeroed.evtx"].Problems), "\n"), "zeroed between chunks")
	assert.Less(t, inv["zeroed.evtx"].Records, 1500)
}

// TestEventBudgetAcrossFiles: the same resets logged by many nodes are kept
// up to a bundle-wide bound, every file keeps its first, and the count is
// complete.
func TestEventBudgetAcrossFiles(t *testing.T) {
	dir := t.TempDir()
	const nodes = 8 // 8 × 400 = 3200 resets, over the bundle-wide bound
	for n := range nodes {
		// Each node's own log: the same log of the same host twice would
		// be counted once (see TestSameLogTwiceCountsOnce).
		h := fixture.Host{Computer: fmt.Sprintf("HV%02d", n+1)}
		var recs []evtxwrite.Record
		for i := range 400 {
			recs = append(recs, h.Classic("System", "storahci", 129, fixture.QualWarning, fixture.LevelWarning, fixture.At(2, i/60%60, i%60), `\Device\RaidPort0`))
		}
		require.NoError(t, os.WriteFile(filepath.Join(dir, fmt.Sprintf("node%d-System.evtx", n)), fixture.EVTX(recs, 1), 0o644))
	}
	res, err := Run(t.Context(), dir, Options{Workers: 2})
	require.NoError(t, err)
	assert.LessOrEqual(t, len(res.Evidence), extract.MaxKeptPerEventBundle+nodes)
	perFile := map[string]int{}
	for _, e := range res.Evidence {
		perFile[e.Source]++
	}
	assert.Len(t, perFile, nodes, "every file is still represented")
	f := findingFor(res, "storage-connectivity")
	require.NotNil(t, f)
	assert.Equal(t, nodes*400, f.Signals[0].Count)
}

// TestEventCodeFromMessageText: an event that names its error only by the
// Windows message text gets the code the rules match on.
func TestEventCodeFromMessageText(t *testing.T) {
	h := fixture.Host{Computer: "HV02.fabrikam.test"}
	vmms := h.VMMS(19100, fixture.LevelError, fixture.At(4, 0, 0), "BILLING2", "1C7E4A90-3D58-4B2F-A6E3-0F9B2D81C574",
		fixture.F("ErrorMessage", "'BILLING2' background disk merge failed to complete: The process cannot access the file because it is being used by another process."))
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "VMMS.evtx"), fixture.EVTX([]evtxwrite.Record{vmms}, 600), 0o644))
	res, err := Run(t.Context(), dir, Options{})
	require.NoError(t, err)
	require.Len(t, res.Evidence, 1)
	assert.Equal(t, "0x80070020", res.Evidence[0].Attrs["hresults"])
}
