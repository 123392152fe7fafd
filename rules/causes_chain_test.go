package rules_test

import (
	"os"
	"strings"
	"testing"

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

// Helpers and fixtures of the chain, checkpoint, config and cluster rows.

// disk builds a VHDX header image and its parsed form.
func disk(t *testing.T, o vhdxtest.Options) ([]byte, *vhdx.File) {
	t.Helper()
	b, err := vhdxtest.VHDX(o)
	require.NoError(t, err)
	f, err := vhdx.Open(readerAt(b), int64(len(b)))
	require.NoError(t, err)
	return b, f
}

type readerAt []byte

func (b readerAt) ReadAt(p []byte, off int64) (int, error) {
	if off >= int64(len(b)) {
		return 0, os.ErrClosed
	}
	return copy(p, b[off:]), nil
}

// linkageOffset is where the chain stage cites a child's parent linkage.
func linkageOffset(t *testing.T, res *analyze.Result, child string) evidence.Locator {
	t.Helper()
	for _, l := range res.Chains.Links {
		if l.Child == child {
			return evidence.AtOffset(l.LinkageOffset)
		}
	}
	t.Fatalf("no link for %s", child)
	return evidence.Locator{}
}

const (
	app01ID   = "6F0D2C41-9A3B-4E7C-8B15-2D4F6A9C0E73"
	app01Dir  = `D:\Hyper-V\APP01\Virtual Hard Disks`
	app01Base = app01Dir + `\APP01.vhdx`
	app01CP1  = app01Dir + `\APP01_1C7E9B34-0D5A-4F62-A8B3-5E2C7D9F1A06.avhdx`
	app01CP2  = app01Dir + `\APP01_E4A07B19-6C3D-42F8-9D51-8B0E3F6A2C74.avhdx`
	bundleVHD = "disks/"
)

var hv01 = fixture.Host{Computer: "HV01.contoso.local"}

func vmmsLog(recs ...evtxwrite.Record) []byte   { return fixture.EVTX(recs, 2201) }
func systemLog(recs ...evtxwrite.Record) []byte { return fixture.EVTX(recs, 81001) }

const app01CP1File = bundleVHD + "APP01_1C7E9B34-0D5A-4F62-A8B3-5E2C7D9F1A06.avhdx"

// parentModified: APP01's base disk was mounted read-write on the host
// after the checkpoint; its DataWriteGuid changed and the Worker refuses
// the chain with 0xC03A000E.
func parentModified(t *testing.T) fixture.Files {
	_, original := disk(t, vhdxtest.Options{Seed: "app01-base"})
	child, _ := disk(t, vhdxtest.ChildOf("app01-cp1", original, `.\APP01.vhdx`, app01Base, ""))
	parent, _ := disk(t, vhdxtest.Options{Seed: "app01-base", DataWriteGUID: vhdxtest.GUID("app01-base", "mounted"), Sequence: 9})
	drives := fixture.VMHardDiskDrives([]fixture.Drive{{VMName: "APP01", ControllerType: "SCSI", Path: app01CP1}})
	worker := fixture.EVTX([]evtxwrite.Record{hv01.Worker(12140, fixture.LevelError, fixture.At(8, 1, 2), "APP01", app01ID,
		fixture.F("Path", app01CP1),
		fixture.F("ErrorMessage", "The chain of virtual hard disks is corrupted. There is a mismatch in the identifiers of the parent virtual hard disk and differencing disk."),
		fixture.F("Error", "0xC03A000E"))}, 301)
	return fixture.Files{
		bundleVHD + "APP01.vhdx": parent,
		app01CP1File:             child,
		"harddrives.txt":         fixture.UTF16(drives),
		"EventLogs/Microsoft-Windows-Hyper-V-Worker-Admin.evtx": worker,
	}
}

// parentOpenedReadOnly: the parent was opened (its FileWriteGuid
// changed) but no data was written, so its DataWriteGuid is the one the
// child recorded. Hyper-V accepts that chain.
func parentOpenedReadOnly(t *testing.T) fixture.Files {
	_, original := disk(t, vhdxtest.Options{Seed: "app01-base"})
	child, _ := disk(t, vhdxtest.ChildOf("app01-cp1", original, `.\APP01.vhdx`, app01Base, ""))
	parent, _ := disk(t, vhdxtest.Options{Seed: "app01-base", FileWriteGUID: vhdxtest.GUID("app01-base", "opened"), Sequence: 4})
	return fixture.Files{bundleVHD + "APP01.vhdx": parent, app01CP1File: child}
}

// linkOK asserts the chain stage found the one link intact.
func linkOK(t *testing.T, b *bundleResult) {
	require.Len(t, b.res.Chains.Links, 1)
	assert.Equal(t, vhdx.LinkOK, b.res.Chains.Links[0].Status)
}

// parentOnlyListed: the parent exists on the host (the listing shows it)
// but the engineer did not copy its header. That is a gap in the bundle,
// not a broken chain.
func parentOnlyListed(t *testing.T) fixture.Files {
	_, base := disk(t, vhdxtest.Options{Seed: "app01-base"})
	child, _ := disk(t, vhdxtest.ChildOf("app01-cp1", base, `.\APP01.vhdx`, app01Base, ""))
	listing := fixture.DirListing([]fixture.ListedDir{{Path: app01Dir, Files: []fixture.ListedFile{
		{Name: "APP01.vhdx", Size: 60 << 30, Modified: fixture.Day(2024, 3, 1, 10, 12)},
		{Name: "APP01_1C7E9B34-0D5A-4F62-A8B3-5E2C7D9F1A06.avhdx", Size: 4 << 30, Modified: fixture.At(7, 58, 0)},
	}}})
	return fixture.Files{app01CP1File: child, "listing.txt": fixture.ASCII(listing)}
}

const app01Orphan = "APP01_9A4D2E61-7B3C-4F58-A0E2-6C1D8B5F3E97.avhdx"

// orphanInListing: APP01 runs on its second checkpoint disk; the
// checkpoints name the base and the first checkpoint disk. A third AVHDX,
// left by a backup whose merge failed (19100), is in the folder and
// nothing names it.
func orphanInListing() (fixture.Files, string) {
	drives := fixture.VMHardDiskDrives([]fixture.Drive{{VMName: "APP01", ControllerType: "SCSI", Path: app01CP2}})
	snaps := fixture.VMSnapshotsList([]fixture.Checkpoint{
		{VMName: "APP01", Name: "Before CU", Type: "Standard", Created: fixture.At(1, 10, 0), VMID: app01ID,
			ID: "0c4b9e27-5d13-4a86-b3f0-7e21d9a5c648", Path: `D:\Hyper-V\APP01`, HardDrives: []string{app01Base}},
		{VMName: "APP01", Name: "After CU", Type: "Standard", Created: fixture.At(3, 40, 0), VMID: app01ID, Parent: "Before CU",
			ID: "7e3f1a2b-4c5d-4e6f-8a9b-0c1d2e3f4a5b", Path: `D:\Hyper-V\APP01`, HardDrives: []string{app01CP1}},
	})
	listing := fixture.DirListing([]fixture.ListedDir{{Path: app01Dir, Files: []fixture.ListedFile{
		{Name: "APP01.vhdx", Size: 60 << 30, Modified: fixture.At(1, 10, 0)},
		{Name: "APP01_1C7E9B34-0D5A-4F62-A8B3-5E2C7D9F1A06.avhdx", Size: 2 << 30, Modified: fixture.At(3, 40, 0)},
		{Name: "APP01_E4A07B19-6C3D-42F8-9D51-8B0E3F6A2C74.avhdx", Size: 1 << 30, Modified: fixture.At(9, 2, 0)},
		{Name: app01Orphan, Size: 9 << 30, Modified: fixture.At(2, 31, 0)},
	}}})
	vmms := vmmsLog(hv01.VMMS(19100, fixture.LevelError, fixture.At(2, 31, 5), "APP01", app01ID,
		fixture.F("ErrorMessage", "The process cannot access the file because it is being used by another process."),
		fixture.F("Error", "0x80070020")))
	return fixture.Files{
		"harddrives.txt": fixture.UTF16(drives),
		"snapshots.txt":  fixture.UTF16(snaps),
		"listing.txt":    fixture.ASCII(listing),
		"EventLogs/Microsoft-Windows-Hyper-V-VMMS-Admin.evtx": vmms,
	}, listing
}

// unmergedBackupBasic: SDP basic info shows SQL01 running on an AVHDX
// with no snapshot at all, and a week-old Recovery checkpoint of APP01
// still present: two backups that never cleaned up.
func unmergedBackupBasic() string {
	return "Virtual Machine Settings\n----------------------------------------\n" +
		"<<<<<<<<<< SQL01 >>>>>>>>>>\nBasic information:\n    GUID: 1B9C4E72-8D3A-4F60-B5E1-2C7D9A0F3E84\n    PID: 5120\n    Version: 10.0\n" +
		"Virtual hard disks:\n        - E:\\VMs\\SQL01\\SQL01-OS_3F2A1B0C-9D8E-4F7A-B6C5-D4E3F2A1B0C9.avhdx\n            VhdType: Differencing\n" +
		"Snapshot:\n    No snapshots in this VM.\n" + strings.Repeat("=", 80) + "\n" +
		"<<<<<<<<<< APP01 >>>>>>>>>>\nBasic information:\n    GUID: " + app01ID + "\n    PID: 4242\n    Version: 10.0\n" +
		"Virtual hard disks:\n        - " + app01CP1 + "\n            VhdType: Differencing\n" +
		"Snapshot:\n    Name         : APP01 - Backup - (3/7/2024 - 1:00:12 AM)\n    Type         : Recovery\n" +
		"    Creation Time: 3/7/2024 1:00:12 AM\n    Parent       :\n    File List    : " + app01Base + "\n\n" +
		strings.Repeat("=", 80) + "\n"
}

const fs01Dir = `D:\Hyper-V\FS01\Virtual Hard Disks`

func fs01Snapshots() []byte {
	return fixture.UTF16(fixture.VMSnapshotsList([]fixture.Checkpoint{{VMName: "FS01", Name: "Before migration", Type: "Standard",
		Created: fixture.At(6, 25, 0), VMID: "3B8E5D27-C1A4-4F09-9E6B-72D0A5C8F413", HardDrives: []string{fs01Dir + `\FS01.vhdx`}}}))
}

const fs01Stray = "FS01/FS01_0A1B2C3D-4E5F-4607-8192-A3B4C5D6E7F8.avhdx"

var chainCases = []causeCase{
	// A German worker log pasted as Format-List, the UTF-8 shown as cp1252
	// on its way: the disk could not be opened, the file is corrupted and
	// unreadable (the localized text of 0x80070570). Shape: a fixed VHDX
	// whose header was damaged by a power loss (held-out f, hv6_21).
	{name: "worker event: disk corrupted and unreadable", cause: "chain-broken",
		build: func(*testing.T) fixture.Files {
			text := "TimeCreated      : 03.02.2026 07:41:12\r\n" +
				"ProviderName     : Microsoft-Windows-Hyper-V-SynthStor\r\n" +
				"Id               : 12140\r\n" +
				"LevelDisplayName : Fehler\r\n" +
				"Message          : \"LAGER-3\": Die Anlage \"F:\\VMs\\LAGER-3\\lager-3-data.vhdx\" konnte nicht geÃ¶ffnet werden:\r\n" +
				"                   \"Die Datei oder das Verzeichnis ist beschÃ¤digt und nicht lesbar.\"\r\n"
			return fixture.Files{"worker.txt": fixture.ASCII(text)}
		},
		want: firing().with("disk-unreadable-event")},
	// Get-VHD cannot read a disk's own structures (a header lost to a
	// power cut): the file is corrupted and unreadable. Names are our own.
	{name: "Get-VHD finds the disk unreadable", cause: "chain-broken",
		build: func(*testing.T) fixture.Files {
			return fixture.Files{"getvhd.txt": fixture.ASCII(getVHDError("0x80070570", "The file or directory is corrupted and unreadable."))}
		},
		want: firing().exactly("vhd-cmdlet-disk-unreadable")},
	// The same cmdlet denied access to the disk says nothing about its
	// structures.
	{name: "Get-VHD denied access to the disk", cause: "chain-broken",
		build: func(*testing.T) fixture.Files {
			return fixture.Files{"getvhd.txt": fixture.ASCII(getVHDError("0x80070005", "General access denied error."))}
		},
		want: ruledOut("no collected header is damaged")},
	// A German Mount-VHD record names neither code nor disk in its message:
	// the code is its localized text, the disk its invocation line.
	{name: "Mount-VHD in German, disk unreadable", cause: "chain-broken",
		build: func(*testing.T) fixture.Files {
			return fixture.Files{"mount.txt": fixture.UTF16(psError("Mount-VHD", `Mount-VHD -Path 'K:\Daten\LAGER2\lager2-db.vhdx' -ReadOnly`, "VirtualizationException",
				"Fehler beim Anfügen des virtuellen Datenträgers.",
				"Die Datei oder das Verzeichnis ist beschädigt und nicht lesbar."))}
		},
		want: firing().exactly("vhd-cmdlet-disk-unreadable")},
	// The same text about an ISO image is no virtual hard disk.
	{name: "Mount-DiskImage of a damaged ISO", cause: "chain-broken",
		build: func(*testing.T) fixture.Files {
			return fixture.Files{"mount.txt": fixture.UTF16(psError("Mount-DiskImage", `Mount-DiskImage -ImagePath 'K:\ISO\tools-2024.iso'`, "CimException",
				"Die Datei oder das Verzeichnis ist beschädigt und nicht lesbar."))}
		},
		want: missingInput("disk-headers-or-get-vhd")},
	{name: "parent written after the checkpoint", cause: "chain-parent-modified", build: parentModified,
		want:      fires(rules.Critical).minConfidence(0.9).citing("EventLogs/Microsoft-Windows-Hyper-V-Worker-Admin.evtx record 301 id-mismatch-code"),
		notOthers: []string{"chain-broken"}, // the parent is there: misaligned, not broken
		also: func(t *testing.T, b *bundleResult) {
			f := b.finding("chain-parent-modified")
			c := citedAt(t, f, app01CP1File, linkageOffset(t, b.res, app01CP1File), "linkage-mismatch")
			assert.Equal(t, vhdxtest.GUID("app01-base", "mounted").String(), c.Attrs["parent_guid"])
			cmds := commands(f)
			assert.Contains(t, cmds, `Stop-VM -Name 'APP01'`)
			assert.Contains(t, cmds, `-ParentPath '`+app01Base+`' -IgnoreIdMismatch`)
		}},
	{name: "parent opened read-only", cause: "chain-parent-modified", build: parentOpenedReadOnly,
		want: missingInput("vmms-admin-log"), also: linkOK},
	{name: "parent opened read-only", cause: "chain-broken", build: parentOpenedReadOnly,
		want: ruledOut("every differencing disk's parent is where its child points")},
	// The base disk was moved to another volume; the child still names
	// D:\…\APP01.vhdx, nothing in the bundle has it, and VMMS logs
	// 0xC03A000D when the VM starts.
	{name: "parent missing", cause: "chain-broken",
		build: func(t *testing.T) fixture.Files {
			_, gone := disk(t, vhdxtest.Options{Seed: "app01-base"})
			child, _ := disk(t, vhdxtest.ChildOf("app01-cp1", gone, `.\APP01.vhdx`, app01Base, ""))
			listing := fixture.DirListing([]fixture.ListedDir{{Path: app01Dir, Files: []fixture.ListedFile{
				{Name: "APP01_1C7E9B34-0D5A-4F62-A8B3-5E2C7D9F1A06.avhdx", Size: 4 << 30, Modified: fixture.At(7, 58, 0)},
			}}})
			vmms := vmmsLog(hv01.VMMS(15500, fixture.LevelError, fixture.At(8, 0, 5), "APP01", app01ID,
				fixture.F("ErrorMessage", "The chain of virtual hard disks is broken. The system cannot locate the parent virtual hard disk for the differencing disk."),
				fixture.F("Error", "0xC03A000D")))
			return fixture.Files{app01CP1File: child, "listing.txt": fixture.ASCII(listing), "EventLogs/Microsoft-Windows-Hyper-V-VMMS-Admin.evtx": vmms}
		},
		want:      fires(rules.Critical).citing("EventLogs/Microsoft-Windows-Hyper-V-VMMS-Admin.evtx record 2201 chain-codes"),
		notOthers: []string{"chain-parent-modified"},
		also: func(t *testing.T, b *bundleResult) {
			c := citedAt(t, b.finding("chain-broken"), app01CP1File, linkageOffset(t, b.res, app01CP1File), "parent-missing")
			assert.Contains(t, c.Summary, "APP01.vhdx")
		}},
	{name: "parent listed, not collected", cause: "chain-broken", build: parentOnlyListed,
		want: ruledOut("a listing, shows the file), and no collected header is damaged")},
	{name: "parent listed, not collected", cause: "chain-parent-modified", build: parentOnlyListed,
		want: missingInput("vmms-admin-log")},
	// The leftover is real, but the lock on APP01 at the same time explains
	// it: it is cited against, and the orphan stays low. The failed merge
	// quotes a sharing violation: that event is the lock's evidence, not a
	// second witness of the orphan.
	{name: "orphan in the listing beside a lock", cause: "checkpoint-orphaned",
		build:  func(*testing.T) fixture.Files { f, _ := orphanInListing(); return f },
		want:   fires(rules.Low).without("merge-failed-19100"),
		others: []string{"stale-file-lock"},
		also: func(t *testing.T, b *bundleResult) {
			_, listing := orphanInListing()
			f := b.finding("checkpoint-orphaned")
			assert.Contains(t, citedAgainst(f), "EventLogs/Microsoft-Windows-Hyper-V-VMMS-Admin.evtx record 2201 explained-by-stale-file-lock")
			c := citedAt(t, f, "listing.txt", lineOf(t, listing, app01Orphan), "orphan-in-listing")
			assert.Equal(t, app01Dir+`\`+app01Orphan, c.Attrs["path"])
			citedAt(t, b.finding("stale-file-lock"), "EventLogs/Microsoft-Windows-Hyper-V-VMMS-Admin.evtx", evidence.AtRecord(2201), "sharing-violation")
			for _, e := range f.Evidence {
				assert.NotContains(t, e.Summary, "E4A07B19", "the disk the VM runs on is not an orphan")
				assert.NotContains(t, e.Summary, "1C7E9B34", "the disk a checkpoint uses is not an orphan")
			}
			assert.Contains(t, commands(f), `Mount-VHD -Path '`+app01Dir+`\`+app01Orphan+`' -ReadOnly`)
		}},
	{name: "two backups never cleaned up", cause: "checkpoint-orphaned",
		build: func(*testing.T) fixture.Files {
			vmms := vmmsLog(hv01.VMMS(18500, fixture.LevelInfo, fixture.At(9, 0, 0), "SQL01", "1B9C4E72-8D3A-4F60-B5E1-2C7D9A0F3E84"))
			return fixture.Files{"HV01_Hyper-VBasicInfo.txt": fixture.UTF8BOM(unmergedBackupBasic()), "EventLogs/Microsoft-Windows-Hyper-V-VMMS-Admin.evtx": vmms}
		},
		want: fires(rules.Medium),
		also: func(t *testing.T, b *bundleResult) {
			basic := unmergedBackupBasic()
			f := b.finding("checkpoint-orphaned")
			c := citedAt(t, f, "HV01_Hyper-VBasicInfo.txt", lineOf(t, basic, "SQL01-OS_3F2A1B0C"), "vm-on-avhdx-without-checkpoint")
			assert.Equal(t, "SQL01", c.VM())
			citedAt(t, f, "HV01_Hyper-VBasicInfo.txt", lineOf(t, basic, "Name         : APP01 - Backup"), "stale-recovery-checkpoint")
			for _, e := range f.Evidence {
				assert.NotEqual(t, "APP01", e.VM()+e.Attrs["snapshot_type"], "APP01's disk is explained by its checkpoint")
				if e.Kind == evidence.KindVMDisk || e.Kind == evidence.KindVM {
					assert.Equal(t, "SQL01", e.VM(), "APP01 runs on an AVHDX that its Recovery checkpoint explains")
				}
			}
		}},
	// Nothing is orphaned although it looks like it. VDI01 is built on a
	// differencing .vhdx from a golden image on purpose, and WEB01's
	// checkpoints were listed as a table without their disks, so its
	// intermediate AVHDX belongs to a checkpoint the bundle cannot show. A
	// fresh Recovery checkpoint of a backup in progress is normal.
	{name: "golden image, checkpoints without disks, fresh Recovery", cause: "checkpoint-orphaned",
		build: func(*testing.T) fixture.Files {
			const web = `E:\VMs\WEB01`
			vms := fixture.VMList([]fixture.VM{
				{Name: "VDI01", ID: "2A3B4C5D-6E7F-4081-92A3-B4C5D6E7F809", State: "Running", Version: "10.0", Path: `E:\VDI\VDI01`,
					HardDrives: []string{`E:\VDI\VDI01\VDI01-diff.vhdx`}},
				{Name: "WEB01", ID: "3B4C5D6E-7F80-4192-A3B4-C5D6E7F8091A", State: "Running", Version: "10.0", Path: web,
					HardDrives: []string{web + `\WEB01_5D6E7F80-9A1B-4C2D-8E3F-405162738495.avhdx`}},
			})
			snaps := fixture.VMSnapshotsTable([]fixture.Checkpoint{
				{VMName: "WEB01", Name: "Before IIS", Type: "Standard", Created: fixture.At(4, 0, 0)},
				{VMName: "WEB01", Name: "After IIS", Type: "Standard", Created: fixture.At(5, 0, 0), Parent: "Before IIS"},
				{VMName: "WEB01", Name: "WEB01 - Backup - (3/14/2024 - 8:55:02 AM)", Type: "Recovery", Created: fixture.At(8, 55, 2), Parent: "After IIS"},
			})
			listing := fixture.DirListing([]fixture.ListedDir{
				{Path: web, Files: []fixture.ListedFile{
					{Name: "WEB01.vhdx", Size: 40 << 30, Modified: fixture.At(4, 0, 0)},
					{Name: "WEB01_1A2B3C4D-5E6F-4708-91A2-B3C4D5E6F708.avhdx", Size: 1 << 30, Modified: fixture.At(5, 0, 0)},
					{Name: "WEB01_5D6E7F80-9A1B-4C2D-8E3F-405162738495.avhdx", Size: 1 << 29, Modified: fixture.At(9, 0, 0)},
				}},
				{Path: `E:\VDI\VDI01`, Files: []fixture.ListedFile{
					{Name: "VDI01-diff.vhdx", Size: 3 << 30, Modified: fixture.At(9, 0, 0)},
				}},
			})
			return fixture.Files{"vms.txt": fixture.UTF16(vms), "snapshots.txt": fixture.UTF16(snaps), "listing.txt": fixture.ASCII(listing)}
		},
		want: ruledOut("every differencing disk seen in the bundle is used by a VM or a checkpoint")},
	// The bundle has the headers of FS01's base and of the AVHDX it runs
	// on, and Get-VMSnapshot naming the base, but nothing says which disk
	// the VM uses now. The AVHDX is referenced by nobody in the bundle, yet
	// it is the VM's current disk.
	{name: "current disk unknown", cause: "checkpoint-orphaned",
		build: func(t *testing.T) fixture.Files {
			baseB, base := disk(t, vhdxtest.Options{Seed: "fs01-base"})
			child, _ := disk(t, vhdxtest.ChildOf("fs01-cp", base, `.\FS01.vhdx`, fs01Dir+`\FS01.vhdx`, ""))
			listing := fixture.DirListing([]fixture.ListedDir{{Path: fs01Dir, Files: []fixture.ListedFile{
				{Name: "FS01.vhdx", Size: 60 << 30, Modified: fixture.At(6, 25, 0)},
				{Name: "FS01_9D4A7E13-2B6C-4F85-A0D1-3E7F9C2B5A68.avhdx", Size: 2 << 30, Modified: fixture.At(9, 0, 0)},
			}}})
			return fixture.Files{
				"FS01/FS01.vhdx": baseB,
				"FS01/FS01_9D4A7E13-2B6C-4F85-A0D1-3E7F9C2B5A68.avhdx": child,
				"snapshots.txt": fs01Snapshots(),
				"listing.txt":   fixture.ASCII(listing),
			}
		},
		want: ruledOut("every differencing disk seen in the bundle is used by a VM or a checkpoint")},
	// With the VM's current disk known (Get-VM), an AVHDX header that
	// nothing reaches is an orphan, cited at its header.
	{name: "header nothing reaches", cause: "checkpoint-orphaned",
		build: func(t *testing.T) fixture.Files {
			baseB, base := disk(t, vhdxtest.Options{Seed: "fs01-base"})
			used, _ := disk(t, vhdxtest.ChildOf("fs01-cp", base, `.\FS01.vhdx`, fs01Dir+`\FS01.vhdx`, ""))
			stray, _ := disk(t, vhdxtest.ChildOf("fs01-stray", base, `.\FS01.vhdx`, fs01Dir+`\FS01.vhdx`, ""))
			vms := fixture.VMList([]fixture.VM{{Name: "FS01", ID: "3B8E5D27-C1A4-4F09-9E6B-72D0A5C8F413", State: "Running", Version: "10.0",
				Path: `D:\Hyper-V\FS01`, HardDrives: []string{fs01Dir + `\FS01_9D4A7E13-2B6C-4F85-A0D1-3E7F9C2B5A68.avhdx`}}})
			return fixture.Files{
				"FS01/FS01.vhdx": baseB,
				"FS01/FS01_9D4A7E13-2B6C-4F85-A0D1-3E7F9C2B5A68.avhdx": used,
				fs01Stray:       stray,
				"vms.txt":       fixture.UTF16(vms),
				"snapshots.txt": fs01Snapshots(),
			}
		},
		want: fires(rules.Medium),
		also: func(t *testing.T, b *bundleResult) {
			f := b.finding("checkpoint-orphaned")
			require.Len(t, f.Evidence, 1)
			assert.Equal(t, fs01Stray, f.Evidence[0].Source)
			assert.Equal(t, evidence.UnitOffset, f.Evidence[0].At.Unit)
			assert.Equal(t, "orphan-disk", f.Evidence[0].Signal)
		}},
	// A backup crashed mid-job and left AutoRecovery.avhdx beside WEB01's
	// disks; the next backup checkpoint fails with "The file exists".
	{name: "AutoRecovery.avhdx left over", cause: "checkpoint-orphaned",
		build: func(*testing.T) fixture.Files {
			vmms := hv01.VMMS(18012, fixture.LevelError, fixture.At(1, 0, 0), "WEB01", "3C9A7E21-5B04-4D8F-A1C6-8E2F0B7D4A93",
				fixture.F("ErrorMessage", "'WEB01' could not initiate a checkpoint operation: The file exists. (0x80070050)."))
			listing := fixture.DirListing([]fixture.ListedDir{{Path: autoRecoveryDir, Files: []fixture.ListedFile{
				{Name: "AutoRecovery.avhdx", Size: 4194304, Modified: fixture.Day(2024, 3, 12, 1, 5)},
				{Name: "WEB01.vhdx", Size: 42949672960, Modified: fixture.At(1, 0, 0)},
			}}})
			return fixture.Files{"VMMS-Admin.evtx": vmmsLog(vmms), "listing.txt": fixture.ASCII(listing)}
		},
		want: firing().with("autorecovery-file-exists", "autorecovery-in-listing"),
		also: func(t *testing.T, b *bundleResult) {
			cmds := commands(b.finding("checkpoint-orphaned"))
			assert.Contains(t, cmds, `robocopy (Split-Path -Path '`+autoRecoveryDir+`\AutoRecovery.avhdx')`)
			assert.Contains(t, cmds, `Move-Item -LiteralPath '`+autoRecoveryDir+`\AutoRecovery.avhdx'`)
			assert.Less(t, strings.Index(cmds, "robocopy (Split-Path"), strings.Index(cmds, "Move-Item"), "the copy comes before the move")
		}},
}

const autoRecoveryDir = `D:\Hyper-V\WEB01\Virtual Hard Disks`

// getVHDError is a Get-VHD error record on a disk of ours, with the given
// code and message.
func getVHDError(code, msg string) string {
	const path = `T:\Guests\VAULT-3\Virtual Hard Disks\vault-3-data.vhdx`
	return "PS C:\\> Get-VHD '" + path + "'\n" +
		"Get-VHD : Getting the mounted storage instance for the path '" + path + "' failed.\n" +
		msg + " (" + code + ")\n" +
		"At line:1 char:1\n" +
		"+ Get-VHD '" + path + "'\n" +
		"+ ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n" +
		"    + CategoryInfo          : ReadError: (:) [Get-VHD], VirtualizationException\n" +
		"    + FullyQualifiedErrorId : InvalidArgument,Microsoft.Vhd.PowerShell.Cmdlets.GetVHD\n"
}
