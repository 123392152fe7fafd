package rules_test

import (
	"bytes"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvtriage/hvtriage/analyze"
	"github.com/hvtriage/hvtriage/evidence"
	"github.com/hvtriage/hvtriage/internal/evtxwrite"
	"github.com/hvtriage/hvtriage/internal/fixture"
	"github.com/hvtriage/hvtriage/rules"
	"github.com/hvtriage/hvtriage/vhdx"
	"github.com/hvtriage/hvtriage/vhdx/vhdxtest"
)

const (
	sql01ID = "1B9C4E72-8D3A-4F60-B5E1-2C7D9A0F3E84"
	dc01ID  = "4C5D6E7F-8091-4A2B-B3C4-D5E6F7081929"
)

// upgradeBundle: HV01 ran Server 2019 when SQL01's checkpoint was taken on
// 10 February, booted Server 2022 on 2 March (or, in the near-miss, only
// a newer monthly update of 2019), and on 14 March restoring the checkpoint
// failed with 0x8000FFFF.
func upgradeBundle(after fixture.OSBuild) (fixture.Files, string) {
	system := systemLog(
		hv01.BootKernel(fixture.Day(2024, time.February, 1, 3, 0), fixture.Build2019),
		hv01.BootEventLog(fixture.Day(2024, time.February, 1, 3, 1), fixture.Build2019),
		hv01.BootKernel(fixture.Day(2024, time.March, 2, 22, 40), after),
		hv01.BootEventLog(fixture.Day(2024, time.March, 2, 22, 41), after),
	)
	snaps := fixture.VMSnapshotsList([]fixture.Checkpoint{
		{VMName: "SQL01", Name: "Before SQL CU", Type: "Standard", Created: fixture.Day(2024, time.February, 10, 10, 12),
			VMID: sql01ID, ID: "8a9b0c1d-2e3f-4a5b-9c6d-7e8f9a0b1c2d", Path: `E:\VMs\SQL01`, HardDrives: []string{`E:\VMs\SQL01\SQL01.vhdx`}},
	})
	worker := fixture.EVTX([]evtxwrite.Record{hv01.Worker(3020, fixture.LevelError, fixture.At(9, 14, 3), "SQL01", sql01ID,
		fixture.F("ErrorMessage", "Failed to restore with Error 'Catastrophic failure'"), fixture.F("HResult", "0x8000FFFF"))}, 77)
	return fixture.Files{
		"EventLogs/System.evtx":                                 system,
		"EventLogs/Microsoft-Windows-Hyper-V-Worker-Admin.evtx": worker,
		"snapshots.txt":                                         fixture.UTF16(snaps),
	}, snaps
}

func TestUpgradeWithUnmergedCheckpoints(t *testing.T) {
	files, snaps := upgradeBundle(fixture.Build2022)
	res := hvRun(t, files)
	f := hvFinding(res, "upgrade-with-unmerged-checkpoints")
	require.NotNil(t, f, "findings: %v", hvCauses(res))
	assert.Equal(t, rules.High, f.Severity)
	assert.InDelta(t, 0.79, f.Confidence, 0.01, "two witnesses; the boot and the checkpoint count as two hits of the first")
	// The first boot on the new build is the Kernel-General 12 record.
	boot := hvCites(t, f, "EventLogs/System.evtx", evidence.AtRecord(81003), "upgraded-after-checkpoint")
	assert.Equal(t, "20348", boot.Attrs["data.BuildVersion"])
	hvCites(t, f, "snapshots.txt", lineOf(t, snaps, "VMName"), "upgraded-after-checkpoint")
	hvCites(t, f, "EventLogs/Microsoft-Windows-Hyper-V-Worker-Admin.evtx", evidence.AtRecord(77), "restore-failed-after-upgrade")
	assert.Contains(t, hvCommands(f), `Stop-VM -Name 'SQL01'`)
	assert.Contains(t, hvCommands(f), `Update-VMVersion -Name 'SQL01'`)
}

// TestUpgradeExportOfOldCheckpointFails: after the upgrade, exporting the
// checkpoint taken on the old build fails with the identifier mismatch.
func TestUpgradeExportOfOldCheckpointFails(t *testing.T) {
	files, _ := upgradeBundle(fixture.Build2022)
	files["EventLogs/Microsoft-Windows-Hyper-V-VMMS-Admin.evtx"] = fixture.EVTX([]evtxwrite.Record{hv01.VMMS(18014, fixture.LevelError, fixture.At(9, 30, 0), "SQL01", sql01ID,
		fixture.F("ErrorMessage", "Failed to export checkpoint 'Before SQL CU' of virtual machine 'SQL01'"), fixture.F("HResult", "0xC03A000E"))}, 401)
	delete(files, "EventLogs/Microsoft-Windows-Hyper-V-Worker-Admin.evtx")
	res := hvRun(t, files)
	f := hvFinding(res, "upgrade-with-unmerged-checkpoints")
	require.NotNil(t, f, "findings: %v", hvCauses(res))
	hvCites(t, f, "EventLogs/Microsoft-Windows-Hyper-V-VMMS-Admin.evtx", evidence.AtRecord(401), "restore-failed-after-upgrade")
	assert.Equal(t, rules.High, f.Severity)
}

// TestUpgradeNearMissCheckpointCreationFails: after the upgrade, a new
// production checkpoint of SQL01 cannot be created because the guest's VSS
// writer failed. The upgrade is still a risk for the old checkpoint, but
// this failure is not a use of it: it is not cited, and the cause stays at
// the weight of the upgrade alone, asking for nothing it already has.
func TestUpgradeNearMissCheckpointCreationFails(t *testing.T) {
	files, _ := upgradeBundle(fixture.Build2022)
	delete(files, "EventLogs/Microsoft-Windows-Hyper-V-Worker-Admin.evtx")
	files["EventLogs/Microsoft-Windows-Hyper-V-VMMS-Admin.evtx"] = fixture.EVTX([]evtxwrite.Record{hv01.VMMS(18016, fixture.LevelError, fixture.At(9, 14, 3), "SQL01", sql01ID,
		fixture.F("ErrorMessage", "Could not create the production checkpoint for 'SQL01': the guest's Volume Shadow Copy writer failed. Checkpoint creation cannot continue."),
		fixture.F("HResult", "0x80042308"))}, 77)
	b := analyzeFiles(t, files)
	f := b.finding("upgrade-with-unmerged-checkpoints")
	assert.Equal(t, []string{"upgraded-after-checkpoint"}, signalIDs(f), "a checkpoint that fails to be created is not the old one failing")
	for _, c := range f.Evidence {
		assert.NotEqual(t, "EventLogs/Microsoft-Windows-Hyper-V-VMMS-Admin.evtx", c.Source, "cited: %v", cited(f))
	}
	assert.Less(t, f.Confidence, rules.DecidedThreshold)
	assert.Empty(t, b.missingFor("upgrade-with-unmerged-checkpoints"), "every input it needs is in the bundle")
}

// TestUpgradeNearMissMonthlyUpdate: between the checkpoint and the failure
// the host only installed a cumulative update (same build, new QFE). That
// is not an upgrade, and it does not explain the failure.
func TestUpgradeNearMissMonthlyUpdate(t *testing.T) {
	patched := fixture.Build2019
	patched.QFE += 120
	files, _ := upgradeBundle(patched)
	res := hvRun(t, files)
	assert.Nil(t, hvFinding(res, "upgrade-with-unmerged-checkpoints"), "findings: %v", hvCauses(res))
}

// TestUpgradeNearMissCheckpointAfterUpgrade: the checkpoint was taken on
// the new OS; the upgrade cannot have stranded it.
func TestUpgradeNearMissCheckpointAfterUpgrade(t *testing.T) {
	files, _ := upgradeBundle(fixture.Build2022)
	files["snapshots.txt"] = fixture.UTF16(fixture.VMSnapshotsList([]fixture.Checkpoint{
		{VMName: "SQL01", Name: "After upgrade", Type: "Standard", Created: fixture.Day(2024, time.March, 13, 10, 12), VMID: sql01ID},
	}))
	res := hvRun(t, files)
	assert.Nil(t, hvFinding(res, "upgrade-with-unmerged-checkpoints"), "findings: %v", hvCauses(res))
}

// TestCheckpointMissingFiles: APP01's checkpoint names an AVHDX that the
// listing of its folder does not show, and Hyper-V itself reports a second
// checkpoint as Missing.
func TestCheckpointMissingFiles(t *testing.T) {
	gone := app01Dir + `\APP01_77D1E0A2-3B4C-4D5E-8F60-718293A4B5C6.avhdx`
	snaps := fixture.VMSnapshotsList([]fixture.Checkpoint{
		{VMName: "APP01", Name: "Before CU", Type: "Standard", Created: fixture.At(1, 10, 0), VMID: app01ID, HardDrives: []string{app01Base}},
		{VMName: "APP01", Name: "After CU", Type: "Standard", Created: fixture.At(3, 40, 0), VMID: app01ID, Parent: "Before CU", HardDrives: []string{gone}},
		{VMName: "APP01", Name: "Test", Type: "Missing", Created: fixture.At(5, 0, 0), VMID: app01ID, Parent: "After CU", HardDrives: []string{app01CP1}},
	})
	listing := fixture.DirListing([]fixture.ListedDir{{Path: app01Dir, Files: []fixture.ListedFile{
		{Name: "APP01.vhdx", Size: 60 << 30, Modified: fixture.At(1, 10, 0)},
		{Name: "APP01_1C7E9B34-0D5A-4F62-A8B3-5E2C7D9F1A06.avhdx", Size: 2 << 30, Modified: fixture.At(9, 0, 0)},
	}}})
	res := hvRun(t, fixture.Files{"snapshots.txt": fixture.UTF16(snaps), "listing.txt": fixture.ASCII(listing)})
	f := hvFinding(res, "checkpoint-missing-files")
	require.NotNil(t, f, "findings: %v", hvCauses(res))
	assert.Equal(t, rules.High, f.Severity)
	c := hvCites(t, f, "snapshots.txt", lineAbove(lineOf(t, snaps, "Name                  : After CU")), "disk-not-in-listing")
	assert.Equal(t, "After CU", c.Attrs["name"])
	hvCites(t, f, "snapshots.txt", lineAbove(lineOf(t, snaps, "Name                  : Test")), "snapshot-type-missing")
	assert.Len(t, f.Evidence, 2, "the checkpoint whose disk is listed is not cited")
}

// lineAbove is the VMName line that starts a Format-List object whose Name
// line is l: records are cited at their first line.
func lineAbove(l evidence.Locator) evidence.Locator { return evidence.AtLine(int(l.Value) - 1) }

// TestCheckpointMissingFilesNearMiss: the checkpoint's disk lives in a
// folder the listing does not cover; absence from the listing says nothing.
func TestCheckpointMissingFilesNearMiss(t *testing.T) {
	snaps := fixture.VMSnapshotsList([]fixture.Checkpoint{
		{VMName: "APP01", Name: "Before CU", Type: "Standard", Created: fixture.At(1, 10, 0), VMID: app01ID,
			HardDrives: []string{`F:\Data\APP01\APP01-data.vhdx`}},
	})
	listing := fixture.DirListing([]fixture.ListedDir{{Path: app01Dir, Files: []fixture.ListedFile{
		{Name: "APP01.vhdx", Size: 60 << 30, Modified: fixture.At(1, 10, 0)},
	}}})
	res := hvRun(t, fixture.Files{"snapshots.txt": fixture.UTF16(snaps), "listing.txt": fixture.ASCII(listing)})
	assert.Nil(t, hvFinding(res, "checkpoint-missing-files"), "findings: %v", hvCauses(res))
}

// TestCheckpointLongLived: a Standard checkpoint from late January is still
// there on 14 March (the newest event of the bundle).
func TestCheckpointLongLived(t *testing.T) {
	snaps := fixture.VMSnapshotsTable([]fixture.Checkpoint{
		{VMName: "APP01", Name: "Before SQL CU", Type: "Standard", Created: fixture.Day(2024, time.January, 29, 10, 12)},
		{VMName: "APP01", Name: "Yesterday", Type: "Planned", Created: fixture.Day(2024, time.March, 13, 18, 0), Parent: "Before SQL CU"},
	})
	vmms := vmmsLog(hv01.VMMS(18500, fixture.LevelInfo, fixture.At(9, 0, 0), "APP01", app01ID))
	res := hvRun(t, fixture.Files{"snapshots.txt": fixture.UTF16(snaps), "EventLogs/VMMS.evtx": vmms})
	f := hvFinding(res, "checkpoint-long-lived")
	require.NotNil(t, f, "findings: %v", hvCauses(res))
	assert.Equal(t, rules.Medium, f.Severity)
	c := hvCites(t, f, "snapshots.txt", lineOf(t, snaps, "Before SQL CU"), "older-than-week")
	assert.Contains(t, c.Signal, "older-than-month")
	assert.Len(t, f.Evidence, 1, "yesterday's checkpoint is not old")
	assert.Contains(t, hvCommands(f), `Remove-VMSnapshot -VMName 'APP01' -Name 'Before SQL CU'`)
}

// TestCheckpointLongLivedNearMiss: the only old checkpoint is a backup
// product's Recovery checkpoint (another cause), and the user checkpoint is
// two days old.
func TestCheckpointLongLivedNearMiss(t *testing.T) {
	snaps := fixture.VMSnapshotsTable([]fixture.Checkpoint{
		{VMName: "APP01", Name: "APP01 - Backup - (1/14/2024 - 1:00:00 AM)", Type: "Recovery", Created: fixture.Day(2024, time.January, 14, 1, 0)},
		{VMName: "APP01", Name: "Before patch", Type: "Standard", Created: fixture.Day(2024, time.March, 12, 18, 0)},
	})
	vmms := vmmsLog(hv01.VMMS(18500, fixture.LevelInfo, fixture.At(9, 0, 0), "APP01", app01ID))
	res := hvRun(t, fixture.Files{"snapshots.txt": fixture.UTF16(snaps), "EventLogs/VMMS.evtx": vmms})
	assert.Nil(t, hvFinding(res, "checkpoint-long-lived"), "findings: %v", hvCauses(res))
}

// dcBundle: DC01 has a checkpoint of the given type; the engineer ran
// vssadmin inside DC01 (its listing has the NTDS writer and no Hyper-V
// writer) and on the host.
const dc01CheckpointID = "4B7E2D90-1C3A-4F65-8B2E-9D0A6C5F3E71"

// dcBundle is a host with a checkpoint of DC01 (its guest writer listing
// shows NTDS). held says what the checkpoint folder's listing shows:
// "saved" (the .vmrs of a standard checkpoint), "none" (a production
// checkpoint), or "" (no listing). guestBuild, when set, is the build the
// guest's System log reports at boot.
func dcBundle(snapshotType, held, guestBuild string) (fixture.Files, string, string) {
	snaps := fixture.VMSnapshotsList([]fixture.Checkpoint{
		{VMName: "DC01", Name: "DC01 - (3/12/2024 - 4:40:01 PM)", Type: snapshotType, Created: fixture.Day(2024, time.March, 12, 16, 40),
			ID: dc01CheckpointID, VMID: "8C1F5A3E-2D7B-4E90-A6C4-1B3D5F7E9A02", Path: `D:\Hyper-V\DC01`,
			HardDrives: []string{`D:\Hyper-V\DC01\Virtual Hard Disks\DC01.vhdx`}},
	})
	guest := fixture.VSSAdminWriters([]fixture.VSSWriter{
		fixture.Writer("Task Scheduler Writer", fixture.WriterScheduler, "1d2e3f40-5a6b-4c7d-8e9f-a0b1c2d3e4f5", 1, "No error"),
		fixture.Writer("NTDS", fixture.WriterNTDS, "2e3f4051-6b7c-4d8e-9fa0-b1c2d3e4f506", 1, "No error"),
		fixture.Writer("System Writer", fixture.WriterSystem, "3f405162-7c8d-4e9f-a0b1-c2d3e4f50617", 1, "No error"),
	})
	host := fixture.VSSAdminWriters(fixture.HealthyWriters())
	files := fixture.Files{
		"snapshots.txt":             fixture.UTF16(snaps),
		"guests/DC01/writers.txt":   fixture.OEM850(guest),
		"HV01_vssadmin_writers.txt": fixture.UTF16(host),
	}
	if held != "" {
		cp := []fixture.ListedFile{
			{Name: dc01CheckpointID + ".vmcx", Size: 86016, Modified: fixture.Day(2024, time.March, 12, 16, 40)},
			{Name: dc01CheckpointID + ".vmgs", Size: 4194304, Modified: fixture.Day(2024, time.March, 12, 16, 40)},
		}
		if held == "saved" {
			cp = append(cp, fixture.ListedFile{Name: dc01CheckpointID + ".vmrs", Size: 4 << 30, Modified: fixture.Day(2024, time.March, 12, 16, 41)})
		}
		files["listing.txt"] = fixture.ASCII(fixture.DirListing([]fixture.ListedDir{{Path: `D:\Hyper-V\DC01\Snapshots`, Files: cp}}))
	}
	if guestBuild != "" {
		dc := fixture.Host{Computer: "DC01.contoso.test"}
		ver := "10.00."
		if guestBuild < "9200" && len(guestBuild) == 4 {
			ver = "6.01."
		}
		files["guests/DC01/System.evtx"] = fixture.EVTX([]evtxwrite.Record{
			dc.Classic("System", "EventLog", 6009, fixture.QualEventLog, fixture.LevelInfo, fixture.Day(2024, time.March, 1, 6, 0), ver, guestBuild, "Multiprocessor Free", "0"),
		}, 300)
	}
	return files, snaps, guest
}

// A standard checkpoint (its saved state sits beside its configuration) of
// a Windows Server 2008 R2 domain controller: applying it would roll AD
// back without the DC knowing. High, citing the checkpoint, the NTDS
// writer and the guest's build.
func TestCheckpointOnDomainController(t *testing.T) {
	files, snaps, guest := dcBundle("Standard", "saved", "7601")
	res := hvRun(t, files)
	f := hvFinding(res, "checkpoint-on-domain-controller")
	require.NotNil(t, f, "findings: %v", hvCauses(res))
	assert.Equal(t, rules.High, f.Severity)
	hvCites(t, f, "snapshots.txt", lineOf(t, snaps, "VMName                : DC01"), "standard-on-dc")
	w := hvCites(t, f, "guests/DC01/writers.txt", lineOf(t, guest, "'NTDS'"), "standard-on-dc")
	assert.Equal(t, "NTDS", w.Attrs["name"])
	hvCites(t, f, "guests/DC01/System.evtx", evidence.AtRecord(300), "standard-on-dc")
	assert.Contains(t, hvCommands(f), `Set-VM -Name 'DC01' -CheckpointType ProductionOnly`)
}

// The same standard checkpoint on builds with VM-Generation ID: the DC
// notices a revert, so the finding stays low and says why.
func TestCheckpointOnDomainControllerWithGenerationID(t *testing.T) {
	files, _, _ := dcBundle("Standard", "saved", "20348")
	res := hvRun(t, files)
	f := hvFinding(res, "checkpoint-on-domain-controller")
	require.NotNil(t, f, "findings: %v", hvCauses(res))
	assert.Equal(t, rules.Low, f.Severity)
	require.Len(t, f.Signals, 1)
	assert.Equal(t, "standard-on-dc-genid", f.Signals[0].ID)
	assert.Contains(t, f.Signals[0].Says, "resets its invocation ID instead of rolling back silently")
}

// TestCheckpointOnDomainControllerNearMiss: a production checkpoint (listed
// as Standard, no saved state beside it) is the supported kind and is
// ruled out with the reason; without a listing the report asks for it, as
// the listing is what tells the two apart; a "Planned" checkpoint is no
// user checkpoint at all; and a Standard checkpoint on a VM that is merely
// named like a DC stays low.
func TestCheckpointOnDomainControllerNearMiss(t *testing.T) {
	files, _, _ := dcBundle("Standard", "none", "7601")
	res := hvRun(t, files)
	assert.Nil(t, hvFinding(res, "checkpoint-on-domain-controller"), "findings: %v", hvCauses(res))
	assert.Contains(t, hvRuledOutWhy(res, "checkpoint-on-domain-controller"), "no checkpoint holding saved state (a standard one, not production)")

	files, _, _ = dcBundle("Standard", "", "")
	res = hvRun(t, files)
	assert.Nil(t, hvFinding(res, "checkpoint-on-domain-controller"), "findings: %v", hvCauses(res))
	assert.Contains(t, hvMissingFor(res, "checkpoint-on-domain-controller"), "vm-file-listing")

	files, _, _ = dcBundle("Planned", "saved", "7601")
	res = hvRun(t, files)
	assert.Nil(t, hvFinding(res, "checkpoint-on-domain-controller"), "findings: %v", hvCauses(res))

	named := fixture.Files{"snapshots.txt": fixture.UTF16(fixture.VMSnapshotsTable([]fixture.Checkpoint{
		{VMName: "CONTOSO-DC2", Name: "Before schema", Type: "Standard", Created: fixture.Day(2024, time.March, 13, 16, 40)},
	}))}
	res = hvRun(t, named)
	f := hvFinding(res, "checkpoint-on-domain-controller")
	require.NotNil(t, f, "a DC-like name is a weak hint")
	assert.LessOrEqual(t, f.Severity, rules.Low)
	assert.Less(t, f.Confidence, 0.35)
}

func hvRuledOutWhy(res *analyze.Result, cause string) string {
	for _, r := range res.Outcome.RuledOut {
		if r.Cause == cause {
			return r.Why
		}
	}
	return ""
}

func hvMissingFor(res *analyze.Result, cause string) []string {
	var out []string
	for _, m := range res.Outcome.Missing {
		if slices.Contains(m.Decides, cause) {
			out = append(out, m.Input)
		}
	}
	return out
}

func renderedVMMS(recs ...fixture.RenderedEvent) string {
	for i := range recs {
		recs[i].Provider, recs[i].GUID, recs[i].Channel = fixture.ProviderVMMS, fixture.GUIDVMMS, fixture.ChanVMMSAdmin
	}
	return fixture.RenderedVMLEvents(hv01.Computer, recs)
}

// TestRevertDiscardedChanges: the VMMS export shows APP01 being reverted to
// a checkpoint; the finding is context with modest confidence.
func TestRevertDiscardedChanges(t *testing.T) {
	xml := renderedVMMS(fixture.RenderedEvent{RecordID: 5120, ID: 18600, Level: fixture.LevelInfo, Time: fixture.At(11, 2, 0),
		VM: "APP01", VMID: app01ID, Message: "'APP01' was reverted to checkpoint 'Before CU'. (Virtual machine ID " + app01ID + ")"})
	res := hvRun(t, fixture.Files{"vmms-admin.xml": fixture.UTF8BOM(xml)})
	f := hvFinding(res, "revert-discarded-changes")
	require.NotNil(t, f, "findings: %v", hvCauses(res))
	assert.Equal(t, rules.Low, f.Severity)
	assert.InDelta(t, 0.35, f.Confidence, 0.001)
	hvCites(t, f, "vmms-admin.xml", evidence.AtRecord(5120), "checkpoint-applied")
	assert.Contains(t, hvCommands(f), `Enable-VMIntegrationService -VMName 'APP01' -Name 'Time Synchronization'`)
}

// TestRevertFailedApplyDiscardedNothing: an apply that failed left the VM
// as it was; the cause is ruled out, and the failure's own code routes it
// (here to the permissions).
func TestRevertFailedApplyDiscardedNothing(t *testing.T) {
	xml := renderedVMMS(fixture.RenderedEvent{RecordID: 5130, ID: 18012, Level: fixture.LevelError, Time: fixture.At(11, 2, 0),
		VM: "APP01", VMID: app01ID, Message: "'APP01' failed to apply checkpoint 'Before CU': General access denied error (0x80070005). (Virtual machine ID " + app01ID + ")"})
	res := hvRun(t, fixture.Files{"vmms-admin.xml": fixture.UTF8BOM(xml)})
	assert.Nil(t, hvFinding(res, "revert-discarded-changes"), "findings: %v", hvCauses(res))
	assert.Contains(t, hvRuledOutWhy(res, "revert-discarded-changes"), "no checkpoint being applied")
	assert.NotNil(t, hvFinding(res, "permission-acl"), "findings: %v", hvCauses(res))
}

// TestRevertNearMiss: creating and deleting checkpoints is not applying one.
func TestRevertNearMiss(t *testing.T) {
	xml := renderedVMMS(
		fixture.RenderedEvent{RecordID: 5121, ID: 18590, Level: fixture.LevelInfo, Time: fixture.At(11, 2, 0), VM: "APP01", VMID: app01ID,
			Message: "Checkpoint 'Before CU' of 'APP01' was created successfully."},
		fixture.RenderedEvent{RecordID: 5122, ID: 18592, Level: fixture.LevelInfo, Time: fixture.At(11, 30, 0), VM: "APP01", VMID: app01ID,
			Message: "Checkpoint 'Before CU' of 'APP01' was deleted; its changes are being merged."},
	)
	res := hvRun(t, fixture.Files{"vmms-admin.xml": fixture.UTF8BOM(xml)})
	assert.Nil(t, hvFinding(res, "revert-discarded-changes"), "findings: %v", hvCauses(res))
}

// TestDeepChainIsLongLived: a VM run on eight stacked checkpoints (each
// AVHDX the child of the previous) walks nine files on every read; a
// two-link chain is the near-miss.
func TestDeepChainIsLongLived(t *testing.T) {
	build := func(links int) fixture.Files {
		files := fixture.Files{}
		write := func(name string, o vhdxtest.Options) *vhdx.File {
			b, err := vhdxtest.VHDX(o)
			require.NoError(t, err)
			f, err := vhdx.Open(bytes.NewReader(b), int64(len(b)))
			require.NoError(t, err)
			files["Virtual Hard Disks/"+name] = b
			return f
		}
		parent := write("LAB01.vhdx", vhdxtest.Options{Seed: "lab01"})
		prevName := "LAB01.vhdx"
		for i := 1; i <= links; i++ {
			name := fmt.Sprintf("LAB01_%08X-0000-4000-8000-000000000000.avhdx", i)
			parent = write(name, vhdxtest.ChildOf(fmt.Sprintf("lab01-%d", i), parent, `.\`+prevName, `D:\VMs\LAB01\Virtual Hard Disks\`+prevName, ""))
			prevName = name
		}
		return files
	}
	deep := hvRun(t, build(8))
	f := hvFinding(deep, "checkpoint-long-lived")
	require.NotNil(t, f, "findings: %v", hvCauses(deep))
	assert.Len(t, f.Evidence, 8, "the eight links of the chain are cited")
	assert.Contains(t, f.Evidence[0].Source, "00000008", "from the leaf down")

	shallow := hvRun(t, build(2))
	assert.Nil(t, hvFinding(shallow, "checkpoint-long-lived"))
}

// APP02 had checkpoints disabled by a template; the checkpoint a change
// window needed was refused.
func TestCheckpointTypeDisabled(t *testing.T) {
	const app02ID = "1B2C3D4E-5F60-4718-92A3-B4C5D6E7F809"
	vmms := hv01.VMMS(16000, fixture.LevelError, fixture.At(22, 0, 0), "APP02", app02ID,
		fixture.F("ErrorMessage", "Checkpoint operation for 'APP02' failed. Checkpoints have been disabled for 'APP02'."))
	vms := fixture.VMList([]fixture.VM{
		{Name: "APP02", ID: app02ID, State: "Running", Version: "10.0", Path: `D:\Hyper-V\APP02`, CheckpointType: "Disabled"},
		{Name: "WEB01", ID: "3C9A7E21-5B04-4D8F-A1C6-8E2F0B7D4A93", State: "Running", Version: "10.0", Path: `D:\Hyper-V\WEB01`, CheckpointType: "Production"},
	})
	b := analyzeFiles(t, fixture.Files{"VMMS-Admin.evtx": vmmsLog(vmms), "vms.txt": fixture.UTF16(vms)})
	f := b.finding("checkpoint-type-blocks")
	assert.Equal(t, rules.Medium, f.Severity)
	assert.ElementsMatch(t, []string{"checkpoints-disabled-message", "disabled-with-failure", "checkpoint-type-disabled"}, signalIDs(f))
	assert.Equal(t, []string{"APP02"}, f.VMs)
	assert.Contains(t, commands(f), "Set-VM -Name 'APP02' -CheckpointType Production")
}

// SQL09 is ProductionOnly and its VSS integration service does not answer:
// no checkpoint can be made at all.
func TestCheckpointTypeProductionOnly(t *testing.T) {
	vms := fixture.VMList([]fixture.VM{{Name: "SQL09", ID: "9D8C7B6A-5E4F-4031-8B2A-1C0D9E8F7A6B", State: "Running", Version: "10.0", Path: `E:\VMs\SQL09`, CheckpointType: "ProductionOnly"}})
	ics := fixture.IntegrationServices([]fixture.IntegrationRow{{VM: "SQL09", Name: "VSS", Enabled: "True", Primary: "Lost Communication"}})
	b := analyzeFiles(t, fixture.Files{"vms.txt": fixture.UTF16(vms), "integration_services.txt": fixture.UTF16(ics)})
	assert.Equal(t, []string{"production-only-with-failure"}, b.signalsOf("checkpoint-type-blocks"))
	assert.True(t, b.has("guest-integration-vss-unavailable"), "the guest side is a finding of its own")
}

// Near-miss: every VM allows checkpoints (Production, Standard) and the
// VMMS log holds no checkpoint failure: ruled out, with the reason.
func TestCheckpointTypeNearMiss(t *testing.T) {
	vms := fixture.VMList([]fixture.VM{
		{Name: "APP02", ID: "1B2C3D4E-5F60-4718-92A3-B4C5D6E7F809", State: "Running", Version: "10.0", Path: `D:\Hyper-V\APP02`, CheckpointType: "Production"},
		{Name: "LAB01", ID: "2C3D4E5F-6071-4829-A3B4-C5D6E7F8091A", State: "Off", Version: "10.0", Path: `D:\Hyper-V\LAB01`, CheckpointType: "Standard"},
	})
	ok := hv01.VMMS(18500, fixture.LevelInfo, fixture.At(22, 0, 0), "APP02", "1B2C3D4E-5F60-4718-92A3-B4C5D6E7F809")
	b := analyzeFiles(t, fixture.Files{"VMMS-Admin.evtx": vmmsLog(ok), "vms.txt": fixture.UTF16(vms)})
	assert.False(t, b.has("checkpoint-type-blocks"), "findings: %v", b.causes())
	assert.Contains(t, b.ruledOutWhy("checkpoint-type-blocks"), "no VM has checkpoints disabled")
}
