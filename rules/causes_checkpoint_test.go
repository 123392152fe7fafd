package rules_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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

// lineAbove is the VMName line that starts a Format-List object whose Name
// line is l: records are cited at their first line.
func lineAbove(l evidence.Locator) evidence.Locator { return evidence.AtLine(int(l.Value) - 1) }

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

func renderedVMMS(recs ...fixture.RenderedEvent) string {
	for i := range recs {
		recs[i].Provider, recs[i].GUID, recs[i].Channel = fixture.ProviderVMMS, fixture.GUIDVMMS, fixture.ChanVMMSAdmin
	}
	return fixture.RenderedVMLEvents(hv01.Computer, recs)
}

// upgradeFiles is upgradeBundle's files, with edits.
func upgradeFiles(after fixture.OSBuild, edit func(fixture.Files)) func(*testing.T) fixture.Files {
	return func(*testing.T) fixture.Files {
		files, _ := upgradeBundle(after)
		if edit != nil {
			edit(files)
		}
		return files
	}
}

// missingFilesSnapshots: APP01's checkpoint names an AVHDX that the
// listing of its folder does not show, and Hyper-V itself reports a
// second checkpoint as Missing.
func missingFilesSnapshots() string {
	gone := app01Dir + `\APP01_77D1E0A2-3B4C-4D5E-8F60-718293A4B5C6.avhdx`
	return fixture.VMSnapshotsList([]fixture.Checkpoint{
		{VMName: "APP01", Name: "Before CU", Type: "Standard", Created: fixture.At(1, 10, 0), VMID: app01ID, HardDrives: []string{app01Base}},
		{VMName: "APP01", Name: "After CU", Type: "Standard", Created: fixture.At(3, 40, 0), VMID: app01ID, Parent: "Before CU", HardDrives: []string{gone}},
		{VMName: "APP01", Name: "Test", Type: "Missing", Created: fixture.At(5, 0, 0), VMID: app01ID, Parent: "After CU", HardDrives: []string{app01CP1}},
	})
}

func longLivedSnapshots() string {
	return fixture.VMSnapshotsTable([]fixture.Checkpoint{
		{VMName: "APP01", Name: "Before SQL CU", Type: "Standard", Created: fixture.Day(2024, time.January, 29, 10, 12)},
		{VMName: "APP01", Name: "Yesterday", Type: "Planned", Created: fixture.Day(2024, time.March, 13, 18, 0), Parent: "Before SQL CU"},
	})
}

func dcFiles(snapshotType, held, guestBuild string) func(*testing.T) fixture.Files {
	return func(*testing.T) fixture.Files {
		files, _, _ := dcBundle(snapshotType, held, guestBuild)
		return files
	}
}

func vmmsXML(recs ...fixture.RenderedEvent) func(*testing.T) fixture.Files {
	return func(*testing.T) fixture.Files {
		return fixture.Files{"vmms-admin.xml": fixture.UTF8BOM(renderedVMMS(recs...))}
	}
}

// stackedChain is LAB01 run on links stacked checkpoints, each AVHDX the
// child of the previous.
func stackedChain(links int) func(*testing.T) fixture.Files {
	return func(t *testing.T) fixture.Files {
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
}

const app02ID = "1B2C3D4E-5F60-4718-92A3-B4C5D6E7F809"

var checkpointCases = []causeCase{
	// Remove-VMSnapshot says the VM is missing a checkpoint: its AVHDX was
	// deleted by hand. The missing file is the checkpoint's, so the
	// generic missing-file cause ranks after it. Shape: the error record
	// of a lab whose disk folder was tidied up (held-out g, hv7_12).
	{name: "cmdlet: the VM is missing a checkpoint", cause: "checkpoint-missing-files",
		build: func(*testing.T) fixture.Files {
			rec := "Remove-VMSnapshot : 'LAB-W11' failed to remove checkpoint.\r\n" +
				"Cannot delete checkpoint: The system cannot find the file specified. (0x80070002).\r\n" +
				"'LAB-W11' is missing a checkpoint. The disk paths missing used to be located at: E:\\Lab\\LAB-W11_5A1E.avhdx. The system cannot find the file specified. (0x80070002)\r\n" +
				"At line:1 char:1\r\n+ Remove-VMSnapshot -VMName LAB-W11 -Name 'base'\r\n" +
				"    + CategoryInfo          : ObjectNotFound: (:) [Remove-VMSnapshot], VirtualizationException\r\n" +
				"    + FullyQualifiedErrorId : ObjectNotFound,Microsoft.HyperV.PowerShell.Commands.RemoveVMSnapshot\r\n"
			return fixture.Files{"remove.txt": fixture.ASCII(rec)}
		},
		want: firing().with("cmd-checkpoint-missing"),
		also: func(t *testing.T, b *bundleResult) {
			assert.Equal(t, "checkpoint-missing-files", b.res.Outcome.Findings[0].Cause.ID)
		}},
	// HV01 booted Server 2022 after SQL01's checkpoint was taken on 2019;
	// restoring it fails. Two witnesses; the boot and the checkpoint count
	// as two hits of the first. The first boot on the new build is the
	// Kernel-General 12 record.
	// Pasted as text: 6009 boot events (only their message tells the
	// build) show 19045 then 22631 after a checkpoint, and the export of
	// that checkpoint fails in a cmdlet. Shape: held-out h, hv8_02.
	{name: "upgrade shown by pasted 6009 messages, export fails", cause: "upgrade-with-unmerged-checkpoints",
		build: func(*testing.T) fixture.Files {
			text := "   ProviderName: EventLog\r\n\r\n" +
				"TimeCreated                      Id LevelDisplayName Message\r\n" +
				"-----------                      -- ---------------- -------\r\n" +
				"2/17/2025 7:58:09 AM           6009 Information      Microsoft (R) Windows (R) 10.00. 22631  Multiprocessor Free.\r\n" +
				"2/14/2025 8:01:55 AM           6009 Information      Microsoft (R) Windows (R) 10.00. 19045  Multiprocessor Free.\r\n\r\n" +
				"VMName  Name          SnapshotType CreationTime         ParentSnapshotName\r\n" +
				"------  ----          ------------ ------------         ------------------\r\n" +
				"TEST-DB before-schema Standard     1/22/2025 4:10:37 PM\r\n\r\n" +
				"Export-VMSnapshot : An error occurred while attempting to export the data from checkpoint 'before-schema'.\r\n" +
				"At line:1 char:1\r\n+ Export-VMSnapshot -VMName TEST-DB -Name before-schema -Path E:\\Export\r\n" +
				"    + CategoryInfo          : NotSpecified: (:) [Export-VMSnapshot], VirtualizationException\r\n" +
				"    + FullyQualifiedErrorId : OperationFailed,Microsoft.HyperV.PowerShell.Commands.ExportVMSnapshot\r\n"
			return fixture.Files{"ticket.txt": fixture.ASCII(text)}
		},
		want: firing().with("upgraded-after-checkpoint", "restore-failed-after-upgrade")},
	{name: "upgraded, restore fails", cause: "upgrade-with-unmerged-checkpoints", build: upgradeFiles(fixture.Build2022, nil),
		want: fires(rules.High).conf(0.78, 0.80).citing(
			"EventLogs/System.evtx record 81003 upgraded-after-checkpoint",
			"EventLogs/Microsoft-Windows-Hyper-V-Worker-Admin.evtx record 77 restore-failed-after-upgrade"),
		also: func(t *testing.T, b *bundleResult) {
			_, snaps := upgradeBundle(fixture.Build2022)
			f := b.finding("upgrade-with-unmerged-checkpoints")
			boot := citedAt(t, f, "EventLogs/System.evtx", evidence.AtRecord(81003), "upgraded-after-checkpoint")
			assert.Equal(t, "20348", boot.Attrs["data.BuildVersion"])
			citedAt(t, f, "snapshots.txt", lineOf(t, snaps, "VMName"), "upgraded-after-checkpoint")
			assert.Contains(t, commands(f), `Stop-VM -Name 'SQL01'`)
			assert.Contains(t, commands(f), `Update-VMVersion -Name 'SQL01'`)
		}},
	// After the upgrade, exporting the checkpoint taken on the old build
	// fails with the identifier mismatch.
	{name: "upgraded, export of the old checkpoint fails", cause: "upgrade-with-unmerged-checkpoints",
		build: upgradeFiles(fixture.Build2022, func(files fixture.Files) {
			files["EventLogs/Microsoft-Windows-Hyper-V-VMMS-Admin.evtx"] = fixture.EVTX([]evtxwrite.Record{hv01.VMMS(18014, fixture.LevelError, fixture.At(9, 30, 0), "SQL01", sql01ID,
				fixture.F("ErrorMessage", "Failed to export checkpoint 'Before SQL CU' of virtual machine 'SQL01'"), fixture.F("HResult", "0xC03A000E"))}, 401)
			delete(files, "EventLogs/Microsoft-Windows-Hyper-V-Worker-Admin.evtx")
		}),
		want: fires(rules.High).citing("EventLogs/Microsoft-Windows-Hyper-V-VMMS-Admin.evtx record 401 restore-failed-after-upgrade")},
	// After the upgrade, a new production checkpoint of SQL01 cannot be
	// created because the guest's VSS writer failed. The upgrade is still a
	// risk for the old checkpoint, but this failure is not a use of it: it
	// is not cited, and the cause stays at the weight of the upgrade alone,
	// asking for nothing it already has.
	{name: "upgraded, a new checkpoint fails", cause: "upgrade-with-unmerged-checkpoints",
		build: upgradeFiles(fixture.Build2022, func(files fixture.Files) {
			delete(files, "EventLogs/Microsoft-Windows-Hyper-V-Worker-Admin.evtx")
			files["EventLogs/Microsoft-Windows-Hyper-V-VMMS-Admin.evtx"] = fixture.EVTX([]evtxwrite.Record{hv01.VMMS(18016, fixture.LevelError, fixture.At(9, 14, 3), "SQL01", sql01ID,
				fixture.F("ErrorMessage", "Could not create the production checkpoint for 'SQL01': the guest's Volume Shadow Copy writer failed. Checkpoint creation cannot continue."),
				fixture.F("HResult", "0x80042308"))}, 77)
		}),
		want: firing().exactly("upgraded-after-checkpoint").maxConfidence(rules.DecidedThreshold - 0.01).needsNothing(),
		also: func(t *testing.T, b *bundleResult) {
			f := b.finding("upgrade-with-unmerged-checkpoints")
			for _, c := range f.Evidence {
				assert.NotEqual(t, "EventLogs/Microsoft-Windows-Hyper-V-VMMS-Admin.evtx", c.Source, "cited: %v", cited(f))
			}
		}},
	// Between the checkpoint and the failure the host only installed a
	// cumulative update (same build, new QFE). That is not an upgrade, and
	// it does not explain the failure.
	{name: "monthly update only", cause: "upgrade-with-unmerged-checkpoints",
		build: func(t *testing.T) fixture.Files {
			patched := fixture.Build2019
			patched.QFE += 120
			return upgradeFiles(patched, nil)(t)
		},
		want: missingInput("vmms-admin-log")},
	// The checkpoint was taken on the new OS; the upgrade cannot have
	// stranded it.
	{name: "checkpoint taken after the upgrade", cause: "upgrade-with-unmerged-checkpoints",
		build: upgradeFiles(fixture.Build2022, func(files fixture.Files) {
			files["snapshots.txt"] = fixture.UTF16(fixture.VMSnapshotsList([]fixture.Checkpoint{
				{VMName: "SQL01", Name: "After upgrade", Type: "Standard", Created: fixture.Day(2024, time.March, 13, 10, 12), VMID: sql01ID},
			}))
		}),
		want: missingInput("vmms-admin-log")},
	{name: "disk not listed, checkpoint Missing", cause: "checkpoint-missing-files",
		build: func(*testing.T) fixture.Files {
			listing := fixture.DirListing([]fixture.ListedDir{{Path: app01Dir, Files: []fixture.ListedFile{
				{Name: "APP01.vhdx", Size: 60 << 30, Modified: fixture.At(1, 10, 0)},
				{Name: "APP01_1C7E9B34-0D5A-4F62-A8B3-5E2C7D9F1A06.avhdx", Size: 2 << 30, Modified: fixture.At(9, 0, 0)},
			}}})
			return fixture.Files{"snapshots.txt": fixture.UTF16(missingFilesSnapshots()), "listing.txt": fixture.ASCII(listing)}
		},
		want: fires(rules.High),
		also: func(t *testing.T, b *bundleResult) {
			snaps := missingFilesSnapshots()
			f := b.finding("checkpoint-missing-files")
			c := citedAt(t, f, "snapshots.txt", lineAbove(lineOf(t, snaps, "Name                  : After CU")), "disk-not-in-listing")
			assert.Equal(t, "After CU", c.Attrs["name"])
			citedAt(t, f, "snapshots.txt", lineAbove(lineOf(t, snaps, "Name                  : Test")), "snapshot-type-missing")
			assert.Len(t, f.Evidence, 2, "the checkpoint whose disk is listed is not cited")
		}},
	// The checkpoint's disk lives in a folder the listing does not cover;
	// absence from the listing says nothing.
	{name: "disk in a folder not listed", cause: "checkpoint-missing-files",
		build: func(*testing.T) fixture.Files {
			snaps := fixture.VMSnapshotsList([]fixture.Checkpoint{
				{VMName: "APP01", Name: "Before CU", Type: "Standard", Created: fixture.At(1, 10, 0), VMID: app01ID,
					HardDrives: []string{`F:\Data\APP01\APP01-data.vhdx`}},
			})
			listing := fixture.DirListing([]fixture.ListedDir{{Path: app01Dir, Files: []fixture.ListedFile{
				{Name: "APP01.vhdx", Size: 60 << 30, Modified: fixture.At(1, 10, 0)},
			}}})
			return fixture.Files{"snapshots.txt": fixture.UTF16(snaps), "listing.txt": fixture.ASCII(listing)}
		},
		want: ruledOut("every checkpoint's disk files are present in the listing")},
	// A Standard checkpoint from late January is still there on 14 March
	// (the newest event of the bundle); yesterday's checkpoint is not old.
	{name: "six weeks old", cause: "checkpoint-long-lived",
		build: func(*testing.T) fixture.Files {
			vmms := vmmsLog(hv01.VMMS(18500, fixture.LevelInfo, fixture.At(9, 0, 0), "APP01", app01ID))
			return fixture.Files{"snapshots.txt": fixture.UTF16(longLivedSnapshots()), "EventLogs/VMMS.evtx": vmms}
		},
		want: fires(rules.Medium),
		also: func(t *testing.T, b *bundleResult) {
			f := b.finding("checkpoint-long-lived")
			c := citedAt(t, f, "snapshots.txt", lineOf(t, longLivedSnapshots(), "Before SQL CU"), "older-than-week")
			assert.Contains(t, c.Signal, "older-than-month")
			assert.Len(t, f.Evidence, 1, "yesterday's checkpoint is not old")
			assert.Contains(t, commands(f), `Remove-VMSnapshot -VMName 'APP01' -Name 'Before SQL CU'`)
		}},
	// The only old checkpoint is a backup product's Recovery checkpoint
	// (another cause), and the user checkpoint is two days old.
	{name: "only a Recovery checkpoint is old", cause: "checkpoint-long-lived",
		build: func(*testing.T) fixture.Files {
			snaps := fixture.VMSnapshotsTable([]fixture.Checkpoint{
				{VMName: "APP01", Name: "APP01 - Backup - (1/14/2024 - 1:00:00 AM)", Type: "Recovery", Created: fixture.Day(2024, time.January, 14, 1, 0)},
				{VMName: "APP01", Name: "Before patch", Type: "Standard", Created: fixture.Day(2024, time.March, 12, 18, 0)},
			})
			vmms := vmmsLog(hv01.VMMS(18500, fixture.LevelInfo, fixture.At(9, 0, 0), "APP01", app01ID))
			return fixture.Files{"snapshots.txt": fixture.UTF16(snaps), "EventLogs/VMMS.evtx": vmms}
		},
		want: ruledOut("no Standard or Planned checkpoint is older than a week")},
	// A VM run on eight stacked checkpoints walks nine files on every
	// read: the eight links are cited, from the leaf down.
	{name: "eight stacked checkpoints", cause: "checkpoint-long-lived", build: stackedChain(8),
		want: firing(),
		also: func(t *testing.T, b *bundleResult) {
			f := b.finding("checkpoint-long-lived")
			assert.Len(t, f.Evidence, 8, "the eight links of the chain are cited")
			assert.Contains(t, f.Evidence[0].Source, "00000008", "from the leaf down")
		}},
	{name: "two stacked checkpoints", cause: "checkpoint-long-lived", build: stackedChain(2),
		want: missingInput("vm-snapshots")},
	// A standard checkpoint (its saved state sits beside its
	// configuration) of a Windows Server 2008 R2 domain controller:
	// applying it would roll AD back without the DC knowing. High, citing
	// the checkpoint, the NTDS writer and the guest's build.
	{name: "standard checkpoint of a 2008 R2 DC", cause: "checkpoint-on-domain-controller", build: dcFiles("Standard", "saved", "7601"),
		want: fires(rules.High).citing("guests/DC01/System.evtx record 300 standard-on-dc"),
		also: func(t *testing.T, b *bundleResult) {
			_, snaps, guest := dcBundle("Standard", "saved", "7601")
			f := b.finding("checkpoint-on-domain-controller")
			citedAt(t, f, "snapshots.txt", lineOf(t, snaps, "VMName                : DC01"), "standard-on-dc")
			w := citedAt(t, f, "guests/DC01/writers.txt", lineOf(t, guest, "'NTDS'"), "standard-on-dc")
			assert.Equal(t, "NTDS", w.Attrs["name"])
			assert.Contains(t, commands(f), `Set-VM -Name 'DC01' -CheckpointType ProductionOnly`)
		}},
	// The same standard checkpoint on builds with VM-Generation ID: the DC
	// notices a revert, so the finding stays low and says why.
	{name: "standard checkpoint of a DC with generation ID", cause: "checkpoint-on-domain-controller", build: dcFiles("Standard", "saved", "20348"),
		want: fires(rules.Low).exactly("standard-on-dc-genid"),
		also: func(t *testing.T, b *bundleResult) {
			assert.Contains(t, b.finding("checkpoint-on-domain-controller").Signals[0].Says, "resets its invocation ID instead of rolling back silently")
		}},
	// A production checkpoint (listed as Standard, no saved state beside
	// it) is the supported kind.
	{name: "production checkpoint of a DC", cause: "checkpoint-on-domain-controller", build: dcFiles("Standard", "none", "7601"),
		want: ruledOut("no checkpoint holding saved state (a standard one, not production)")},
	// Without a listing the report asks for it, as the listing is what
	// tells the two apart.
	{name: "DC checkpoint, no listing", cause: "checkpoint-on-domain-controller", build: dcFiles("Standard", "", ""),
		want: missingInput("vm-file-listing")},
	// A "Planned" checkpoint is no user checkpoint at all.
	{name: "Planned checkpoint of a DC", cause: "checkpoint-on-domain-controller", build: dcFiles("Planned", "saved", "7601"),
		want: ruledOut("no checkpoint holding saved state")},
	// A Standard checkpoint on a VM that is merely named like a DC: a weak
	// hint, low.
	{name: "VM named like a DC", cause: "checkpoint-on-domain-controller",
		build: func(*testing.T) fixture.Files {
			return fixture.Files{"snapshots.txt": fixture.UTF16(fixture.VMSnapshotsTable([]fixture.Checkpoint{
				{VMName: "CONTOSO-DC2", Name: "Before schema", Type: "Standard", Created: fixture.Day(2024, time.March, 13, 16, 40)},
			}))}
		},
		want: firing().atMost(rules.Low).maxConfidence(0.34)},
	// The VMMS export shows APP01 being reverted to a checkpoint; the
	// finding is context with modest confidence.
	{name: "reverted to a checkpoint", cause: "revert-discarded-changes",
		build: vmmsXML(fixture.RenderedEvent{RecordID: 5120, ID: 18600, Level: fixture.LevelInfo, Time: fixture.At(11, 2, 0),
			VM: "APP01", VMID: app01ID, Message: "'APP01' was reverted to checkpoint 'Before CU'. (Virtual machine ID " + app01ID + ")"}),
		want: fires(rules.Low).conf(0.349, 0.351).citing("vmms-admin.xml record 5120 checkpoint-applied"),
		also: func(t *testing.T, b *bundleResult) {
			assert.Contains(t, commands(b.finding("revert-discarded-changes")), `Enable-VMIntegrationService -VMName 'APP01' -Name 'Time Synchronization'`)
		}},
	// An apply that failed left the VM as it was; the failure's own code
	// routes it (here to the permissions).
	{name: "apply failed", cause: "revert-discarded-changes",
		build: vmmsXML(fixture.RenderedEvent{RecordID: 5130, ID: 18012, Level: fixture.LevelError, Time: fixture.At(11, 2, 0),
			VM: "APP01", VMID: app01ID, Message: "'APP01' failed to apply checkpoint 'Before CU': General access denied error (0x80070005). (Virtual machine ID " + app01ID + ")"}),
		want:   ruledOut("no checkpoint being applied"),
		others: []string{"permission-acl"}},
	// Creating and deleting checkpoints is not applying one.
	{name: "checkpoints created and deleted", cause: "revert-discarded-changes",
		build: vmmsXML(
			fixture.RenderedEvent{RecordID: 5121, ID: 18590, Level: fixture.LevelInfo, Time: fixture.At(11, 2, 0), VM: "APP01", VMID: app01ID,
				Message: "Checkpoint 'Before CU' of 'APP01' was created successfully."},
			fixture.RenderedEvent{RecordID: 5122, ID: 18592, Level: fixture.LevelInfo, Time: fixture.At(11, 30, 0), VM: "APP01", VMID: app01ID,
				Message: "Checkpoint 'Before CU' of 'APP01' was deleted; its changes are being merged."},
		),
		want: ruledOut("no checkpoint being applied or reverted")},
	// APP02 had checkpoints disabled by a template; the checkpoint a
	// change window needed was refused.
	{name: "checkpoints disabled", cause: "checkpoint-type-blocks",
		build: func(*testing.T) fixture.Files {
			vmms := hv01.VMMS(16000, fixture.LevelError, fixture.At(22, 0, 0), "APP02", app02ID,
				fixture.F("ErrorMessage", "Checkpoint operation for 'APP02' failed. Checkpoints have been disabled for 'APP02'."))
			vms := fixture.VMList([]fixture.VM{
				{Name: "APP02", ID: app02ID, State: "Running", Version: "10.0", Path: `D:\Hyper-V\APP02`, CheckpointType: "Disabled"},
				{Name: "WEB01", ID: "3C9A7E21-5B04-4D8F-A1C6-8E2F0B7D4A93", State: "Running", Version: "10.0", Path: `D:\Hyper-V\WEB01`, CheckpointType: "Production"},
			})
			return fixture.Files{"VMMS-Admin.evtx": vmmsLog(vmms), "vms.txt": fixture.UTF16(vms)}
		},
		want: fires(rules.Medium).exactly("checkpoints-disabled-message", "disabled-with-failure", "checkpoint-type-disabled").forVMs("APP02"),
		also: func(t *testing.T, b *bundleResult) {
			assert.Contains(t, commands(b.finding("checkpoint-type-blocks")), "Set-VM -Name 'APP02' -CheckpointType Production")
		}},
	// SQL09 is ProductionOnly and its VSS integration service does not
	// answer: no checkpoint can be made at all. The guest side is a finding
	// of its own.
	{name: "ProductionOnly, VSS not answering", cause: "checkpoint-type-blocks",
		build: func(*testing.T) fixture.Files {
			vms := fixture.VMList([]fixture.VM{{Name: "SQL09", ID: "9D8C7B6A-5E4F-4031-8B2A-1C0D9E8F7A6B", State: "Running", Version: "10.0", Path: `E:\VMs\SQL09`, CheckpointType: "ProductionOnly"}})
			ics := fixture.IntegrationServices([]fixture.IntegrationRow{{VM: "SQL09", Name: "VSS", Enabled: "True", Primary: "Lost Communication"}})
			return fixture.Files{"vms.txt": fixture.UTF16(vms), "integration_services.txt": fixture.UTF16(ics)}
		},
		want:   firing().exactly("production-only-with-failure"),
		others: []string{"guest-integration-vss-unavailable"},
		also: func(t *testing.T, b *bundleResult) {
			// The guest that cannot take part is why the setting blocks:
			// it ranks first, and explains the setting's finding.
			assert.Equal(t, "guest-integration-vss-unavailable", b.res.Outcome.Findings[0].Cause.ID)
			assert.Contains(t, strings.Join(citedAgainst(b.finding("checkpoint-type-blocks")), "\n"), "explained-by-guest-integration-vss-unavailable")
		}},
	// Every VM allows checkpoints (Production, Standard) and the VMMS log
	// holds no checkpoint failure.
	{name: "every VM allows checkpoints", cause: "checkpoint-type-blocks",
		build: func(*testing.T) fixture.Files {
			vms := fixture.VMList([]fixture.VM{
				{Name: "APP02", ID: app02ID, State: "Running", Version: "10.0", Path: `D:\Hyper-V\APP02`, CheckpointType: "Production"},
				{Name: "LAB01", ID: "2C3D4E5F-6071-4829-A3B4-C5D6E7F8091A", State: "Off", Version: "10.0", Path: `D:\Hyper-V\LAB01`, CheckpointType: "Standard"},
			})
			ok := hv01.VMMS(18500, fixture.LevelInfo, fixture.At(22, 0, 0), "APP02", app02ID)
			return fixture.Files{"VMMS-Admin.evtx": vmmsLog(ok), "vms.txt": fixture.UTF16(vms)}
		},
		want: ruledOut("no VM has checkpoints disabled")},
}
