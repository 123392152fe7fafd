package samplegen

import (
	"github.com/hvtriage/hvtriage/internal/evtxwrite"
	. "github.com/hvtriage/hvtriage/internal/fixture"
	"github.com/hvtriage/hvtriage/vhdx/vhdxtest"
)

// Chain samples: a parent written after its checkpoint, a parent moved
// away, orphaned differencing disks, and an OS upgrade over checkpoints.

const (
	vhdxMismatch = "The chain of virtual hard disks is corrupted. There is a mismatch in the identifiers of the parent virtual hard disk and differencing disk."
	vhdxBroken   = "The chain of virtual hard disks is broken. The system cannot locate the parent virtual hard disk for the differencing disk."
)

// chainParentModified: the base disk of FS01 was mounted on the host and
// written while a checkpoint still pointed at it.
func chainParentModified() Sample {
	h := Host{Computer: "HV03.fabrikam.local"}
	const (
		vm    = "FS01"
		vmID  = "3B8E5D27-C1A4-4F09-9E6B-72D0A5C8F413"
		dir   = `D:\Hyper-V\FS01\Virtual Hard Disks`
		child = dir + `\FS01_` + vmID + `.avhdx`
		base  = dir + `\FS01.vhdx`
	)
	// The base as it was when the checkpoint was taken, and as collected
	// after the host mount wrote to it (new DataWriteGuid, higher sequence).
	_, original := disk(vhdxtest.Options{Seed: "fs01-base", VirtualSize: 200 << 30})
	childBytes, _ := disk(vhdxtest.ChildOf("fs01-cp1", original, `.\FS01.vhdx`, base, ""))
	baseBytes, modified := disk(vhdxtest.Options{Seed: "fs01-base", VirtualSize: 200 << 30,
		DataWriteGUID: vhdxtest.GUID("fs01-base", "host-mount"), Sequence: 41})

	vhdmp := []evtxwrite.Record{
		h.Manifest("Microsoft-Windows-VHDMP-Operational", "Microsoft-Windows-VHDMP", GUIDVHDMP, 1, LevelInfo, Day(2024, 3, 13, 16, 21),
			F("VhdFileName", base), evtxwrite.Field{Name: "VhdDiskNumber", Value: "3", Type: evtxwrite.UInt32},
			evtxwrite.Field{Name: "VirtualDisk", Value: "0xffffb30c4e2a1010", Type: evtxwrite.HexInt64}),
		h.Manifest("Microsoft-Windows-VHDMP-Operational", "Microsoft-Windows-VHDMP", GUIDVHDMP, 2, LevelInfo, Day(2024, 3, 13, 17, 4),
			F("VhdFileName", base), evtxwrite.Field{Name: "VhdDiskNumber", Value: "3", Type: evtxwrite.UInt32},
			evtxwrite.Field{Name: "VirtualDisk", Value: "0xffffb30c4e2a1010", Type: evtxwrite.HexInt64}),
		h.Manifest("Microsoft-Windows-VHDMP-Operational", "Microsoft-Windows-VHDMP", GUIDVHDMP, 7, LevelError, At(7, 58, 12),
			evtxwrite.Field{Name: "ParentLastWriteGUID", Value: modified.DataWriteGUID.String(), Type: evtxwrite.GUID},
			evtxwrite.Field{Name: "ExpectedParentLastWriteGUID1", Value: original.DataWriteGUID.String(), Type: evtxwrite.GUID},
			evtxwrite.Field{Name: "ExpectedParentLastWriteGUID2", Value: "00000000-0000-0000-0000-000000000000", Type: evtxwrite.GUID},
			F("VhdFileName", child)),
	}
	workerLog := []evtxwrite.Record{
		worker(h, 18500, LevelInfo, Day(2024, 3, 11, 6, 30), vm, vmID),
		worker(h, 18508, LevelInfo, Day(2024, 3, 13, 16, 15), vm, vmID, F("Reason", "The guest operating system initiated a shutdown.")),
		worker(h, 12030, LevelError, At(7, 58, 12), vm, vmID,
			F("ErrorMessage", "'FS01' Synthetic SCSI Controller (Instance ID 0E4C21B7-8F3D-4A65-B9C0-1D7E6F2A5834): Failed to Power on with Error '"+vhdxMismatch+"' (0xC03A000E)."),
			F("ErrorCode", "0xC03A000E")),
		worker(h, 3040, LevelError, At(7, 58, 13), vm, vmID),
	}
	vmmsLog := []evtxwrite.Record{
		vmms(h, 12140, LevelError, At(7, 58, 13), vm, vmID,
			F("ErrorMessage", "'FS01' failed to start. (Virtual machine ID "+vmID+")"), F("ErrorCode", "0x80004005")),
	}
	snapshots := VMSnapshotsList([]Checkpoint{{VMName: vm, Name: "Before file server migration", Type: "Standard",
		Created: Day(2024, 3, 11, 6, 25), ID: "9D4A7E13-2B6C-4F85-A0D1-3E7F9C2B5A68", VMID: vmID,
		Path: `D:\Hyper-V\FS01\Snapshots`, HardDrives: []string{base}}})
	vhdOut := getVHDList("HV03", []VHD{{Path: base, Type: "Dynamic", DiskID: "B2E71C4D-58A3-4F96-8D0E-6C1A9F3B7254", FileSize: 74088185856, Size: 214748364800}}) +
		psError("Get-VHD", `Get-VHD -Path '`+child+`'`, "Failed to get the disk information.",
			[]string{"'" + child + "': " + vhdxMismatch + " (0xC03A000E)"}, "ObjectNotFound: (:) [Get-VHD], VirtualizationException", "ObjectNotFound")
	return Sample{
		Name:   "chain-parent-modified",
		Bundle: "HV03_FS01_startfailure.zip",
		Zip:    true,
		Story: `FS01 on HV03 has a standard checkpoint taken on 11 March before a file-server migration.
On 13 March an administrator shut the VM down, mounted its base disk FS01.vhdx on the host
(VHDMP 1/2) and copied folders into it. The base disk's DataWriteGuid changed, so the
checkpoint's AVHDX no longer matches its parent: the next morning FS01 fails to start
with 0xC03A000E, VHDMP 7 reports the identifier mismatch and Get-VHD on the AVHDX fails.`,
		Files: Files{
			"FS01/Virtual Hard Disks/FS01.vhdx":                     baseBytes,
			"FS01/Virtual Hard Disks/FS01_" + vmID + ".avhdx":       childBytes,
			"EventLogs/Microsoft-Windows-VHDMP-Operational.evtx":    EVTX(vhdmp, 2210),
			"EventLogs/Microsoft-Windows-Hyper-V-Worker-Admin.evtx": EVTX(workerLog, 5830),
			"EventLogs/Microsoft-Windows-Hyper-V-VMMS-Admin.evtx":   EVTX(vmmsLog, 3307),
			"Get-VMSnapshot_FS01.txt":                               UTF16(snapshots),
			"Get-VHD_FS01.txt":                                      UTF16(vhdOut),
		},
		Expected: Expected{
			TopCause: "chain-parent-modified",
			MustFind: []string{"chain-parent-modified"},
			MustNot:  []string{"chain-broken", "checkpoint-orphaned"},
			Cites: []string{
				"chain-parent-modified FS01/Virtual Hard Disks/FS01_" + vmID + ".avhdx offset 0x210088",
				"chain-parent-modified EventLogs/Microsoft-Windows-VHDMP-Operational.evtx record 2212",
			},
		},
	}
}

// chainBroken: the base disk of SQL02 was moved to another volume to free
// space; the checkpoint disk still points at the old path.
func chainBroken() Sample {
	h := Host{Computer: "HV04.contoso.local"}
	const (
		vm    = "SQL02"
		vmID  = "A7C2E914-5D3B-4A68-9F01-B6E83D2C4F75"
		dir   = `D:\Hyper-V\SQL02\Virtual Hard Disks`
		child = dir + `\SQL02_` + vmID + `.avhdx`
		base  = dir + `\SQL02.vhdx`
	)
	_, parent := disk(vhdxtest.Options{Seed: "sql02-base", VirtualSize: 300 << 30})
	childBytes, _ := disk(vhdxtest.ChildOf("sql02-cp1", parent, `.\SQL02.vhdx`, base, ""))

	workerLog := []evtxwrite.Record{
		worker(h, 18508, LevelInfo, Day(2024, 3, 13, 19, 2), vm, vmID, F("Reason", "The guest operating system initiated a shutdown.")),
		worker(h, 12030, LevelError, At(8, 14, 40), vm, vmID,
			F("ErrorMessage", "'SQL02' Synthetic SCSI Controller (Instance ID 5A1E7C93-2D4B-4F60-8E17-C3B9A2D0F648): Failed to Power on with Error '"+vhdxBroken+"' (0xC03A000D)."),
			F("ErrorCode", "0xC03A000D")),
		worker(h, 3040, LevelError, At(8, 14, 41), vm, vmID),
	}
	listing := DirListing([]ListedDir{{Path: dir, Files: []ListedFile{
		{Name: "SQL02_" + vmID + ".avhdx", Size: 21474836480, Modified: Day(2024, 3, 13, 19, 2)},
		{Name: "SQL02_" + vmID + ".avhdx.mrt", Size: 77824, Modified: Day(2024, 3, 13, 19, 2)},
		{Name: "SQL02_" + vmID + ".avhdx.rct", Size: 69632, Modified: Day(2024, 3, 13, 19, 2)},
	}}})
	chain := vhdChainTable([]ChainRow{
		{VM: vm, Number: 1, Type: "Differencing", Path: child},
		{VM: vm, Number: 2, Type: "Error", Path: base},
	})
	return Sample{
		Name:   "chain-broken-parent-moved",
		Bundle: "HV04_SQL02.zip",
		Zip:    true,
		Story: `SQL02 on HV04 ran on a checkpoint for weeks. During a clean-up of volume D: on 13 March
a storage administrator moved the large SQL02.vhdx to an archive volume, not knowing the
AVHDX depended on it. The next start fails with 0xC03A000D: the AVHDX's parent locator
still names D:\Hyper-V\SQL02\Virtual Hard Disks\SQL02.vhdx, the folder listing no longer
has it, and Get-VHDChain stops with an Error row on the parent.`,
		Files: Files{
			"SQL02_" + vmID + ".avhdx":                    childBytes,
			"Microsoft-Windows-Hyper-V-Worker-Admin.evtx": EVTX(workerLog, 912),
			"dir_SQL02.txt":                               OEM850(listing),
			"Get-VHDChain.txt":                            UTF16(chain),
		},
		Expected: Expected{
			TopCause: "chain-broken",
			MustFind: []string{"chain-broken"},
			MustNot:  []string{"chain-parent-modified"},
			Cites: []string{
				"chain-broken Microsoft-Windows-Hyper-V-Worker-Admin.evtx record 913",
			},
		},
	}
}

// checkpointOrphaned: a backup job died mid-way and left WEB01 running on
// a recovery AVHDX that no checkpoint owns, plus an older orphan.
func checkpointOrphaned() Sample {
	h := Host{Computer: "HV05.contoso.local"}
	const (
		vm1, vm1ID = "WEB01", "C4F81A36-7B2E-4D95-A0C3-5E9D2B7F1864"
		vm2, vm2ID = "WEB02", "1E6B3D98-A4C7-4F21-8B5E-D0293C7A6F45"
		dir        = `D:\Hyper-V\Virtual Hard Disks`
		current    = dir + `\WEB01_` + vm1ID + `.avhdx`
		older      = dir + `\WEB01_2F9C5A13-6E8D-4B70-91A4-C7D3E0B2F586.avhdx`
		web2cp     = dir + `\WEB02_` + vm2ID + `.avhdx`
	)
	vms := VMList([]VM{
		{Name: vm1, ID: vm1ID, State: "Running", Version: "9.0", Generation: 2, Path: `D:\Hyper-V`, SnapshotLocation: `D:\Hyper-V`,
			CheckpointType: "Production", HardDrives: []string{current}},
		{Name: vm2, ID: vm2ID, State: "Running", Version: "9.0", Generation: 2, Path: `D:\Hyper-V`, SnapshotLocation: `D:\Hyper-V`,
			CheckpointType: "Production", ParentSnapshot: "Before IIS 10 config change", HardDrives: []string{web2cp}},
	})
	snaps := VMSnapshotsList([]Checkpoint{{VMName: vm2, Name: "Before IIS 10 config change", Type: "Standard",
		Created: Day(2024, 3, 12, 14, 3), ID: "6A0D4E29-C3B1-47F8-9D56-E82F1B3A7C90", VMID: vm2ID, Path: `D:\Hyper-V`,
		HardDrives: []string{dir + `\WEB02.vhdx`}}})
	listing := DirListing([]ListedDir{{Path: dir, Files: []ListedFile{
		{Name: "WEB01.vhdx", Size: 48318382080, Modified: Day(2024, 2, 27, 1, 12)},
		{Name: "WEB01_2F9C5A13-6E8D-4B70-91A4-C7D3E0B2F586.avhdx", Size: 6442450944, Modified: Day(2024, 3, 6, 1, 12)},
		{Name: "WEB01_" + vm1ID + ".avhdx", Size: 3221225472, Modified: At(9, 41, 0)},
		{Name: "WEB02.vhdx", Size: 35433480192, Modified: Day(2024, 3, 12, 14, 3)},
		{Name: "WEB02_" + vm2ID + ".avhdx", Size: 1073741824, Modified: At(9, 40, 0)},
	}}})
	vmmsLog := []evtxwrite.Record{
		vmms(h, 19100, LevelError, Day(2024, 3, 6, 1, 13), vm1, vm1ID,
			F("ErrorMessage", "'WEB01' background disk merge failed to complete: Unspecified error (0x80004005). (Virtual machine ID "+vm1ID+")"),
			F("ErrorCode", "0x80004005")),
		vmms(h, 19100, LevelError, Day(2024, 3, 13, 1, 9), vm1, vm1ID,
			F("ErrorMessage", "'WEB01' background disk merge failed to complete: Unspecified error (0x80004005). (Virtual machine ID "+vm1ID+")"),
			F("ErrorCode", "0x80004005")),
	}
	return Sample{
		Name:   "checkpoint-orphaned-after-backup",
		Bundle: "HV05_orphans.zip",
		Zip:    true,
		Story: `A host-level backup job on HV05 crashed twice while backing up WEB01 (6 and 13 March).
Each time the background merge of the recovery checkpoint failed (VMMS 19100), so WEB01
now writes into an AVHDX although Get-VMSnapshot lists no checkpoint for it, and an older
AVHDX from the first failure sits in the folder referenced by nothing. WEB02 on the same
host has a legitimate production checkpoint that must not be reported.`,
		Files: Files{
			"HV05/Get-VM.txt":                                UTF16(vms),
			"HV05/Get-VMSnapshot.txt":                        UTF16(snaps),
			"HV05/dir_VirtualHardDisks.txt":                  OEM850(listing),
			"HV05/Microsoft-Windows-Hyper-V-VMMS-Admin.evtx": EVTX(vmmsLog, 20411),
		},
		Expected: Expected{
			TopCause: "checkpoint-orphaned",
			MustFind: []string{"checkpoint-orphaned"},
			MustNot:  []string{"chain-broken", "chain-parent-modified", "checkpoint-missing-files"},
			Cites: []string{
				"checkpoint-orphaned HV05/Microsoft-Windows-Hyper-V-VMMS-Admin.evtx record 20412",
			},
		},
	}
}

// upgradeUnmergedCheckpoints: HV06 went from Windows Server 2019 to 2022
// in place while ERP01 still had a checkpoint from January.
func upgradeUnmergedCheckpoints() Sample {
	h := Host{Computer: "HV06.contoso.local"}
	const (
		vm   = "ERP01"
		vmID = "5E2A9C71-D84B-4F36-A1E0-7B3C6D9F2A58"
		dir  = `D:\Hyper-V\ERP01\Virtual Hard Disks`
		base = dir + `\ERP01.vhdx`
	)
	parentBytes, parent := disk(vhdxtest.Options{Seed: "erp01-base", VirtualSize: 250 << 30, Creator: "Microsoft Windows 10.0.17763.1"})
	childBytes, _ := disk(vhdxtest.ChildOf("erp01-cp1", parent, `.\ERP01.vhdx`, base, ""))

	system := append(bootSequence(h, Day(2024, 2, 12, 3, 4), Build2019),
		h.PlannedRestart(Day(2024, 3, 9, 22, 15), `C:\$WINDOWS.~BT\Sources\SetupHost.exe (HV06)`, `CONTOSO\admin.jk`))
	system = append(system, bootSequence(h, Day(2024, 3, 9, 23, 41), Build2022)...)
	vmmsLog := []evtxwrite.Record{
		vmms(h, 18350, LevelError, At(10, 22, 5), vm, vmID,
			F("ErrorMessage", "'ERP01' failed to apply checkpoint 'Before year-end close'. An error occurred while attempting to export the data from checkpoint. (0x80070057). (Virtual machine ID "+vmID+")"),
			F("ErrorCode", "0x80070057")),
		vmms(h, 18350, LevelError, At(10, 31, 40), vm, vmID,
			F("ErrorMessage", "'ERP01' failed to apply checkpoint 'Before year-end close'. An error occurred while attempting to export the data from checkpoint. (0x80070057). (Virtual machine ID "+vmID+")"),
			F("ErrorCode", "0x80070057")),
	}
	snaps := VMSnapshotsList([]Checkpoint{{VMName: vm, Name: "Before year-end close", Type: "Standard",
		Created: Day(2024, 1, 15, 18, 40), ID: "D1B7A3E5-9F24-4C68-B0E3-2A5C8F1D7B96", VMID: vmID,
		Path: `D:\Hyper-V\ERP01\Snapshots`, HardDrives: []string{base}}})
	vms := VMList([]VM{{Name: vm, ID: vmID, State: "Off", Version: "9.0", Generation: 2, Path: `D:\Hyper-V\ERP01`,
		SnapshotLocation: `D:\Hyper-V\ERP01\Snapshots`, CheckpointType: "Standard", ParentSnapshot: "Before year-end close",
		HardDrives: []string{dir + `\ERP01_` + vmID + `.avhdx`}}})
	return Sample{
		Name:   "upgrade-with-unmerged-checkpoints",
		Bundle: "HV06_ERP01_restore.zip",
		Zip:    true,
		Story: `ERP01 on HV06 has had a standard checkpoint since 15 January, taken before the
year-end close. On 9 March the host was upgraded in place from Windows Server 2019
(build 17763) to 2022 (build 20348) without merging it. On 14 March the finance team asks
to go back to the checkpoint; applying it fails twice with "An error occurred while
attempting to export the data from checkpoint". The disk chain itself is intact.`,
		Files: Files{
			"ERP01_" + vmID + ".avhdx": childBytes,
			"ERP01.vhdx":               parentBytes,
			"Logs/System.evtx":         EVTX(system, 118200),
			"Logs/Microsoft-Windows-Hyper-V-VMMS-Admin.evtx": EVTX(vmmsLog, 7702),
			"Get-VMSnapshot.txt":                             UTF16(snaps),
			"Get-VM.txt":                                     UTF16(vms),
		},
		Expected: Expected{
			TopCause: "upgrade-with-unmerged-checkpoints",
			MustFind: []string{"upgrade-with-unmerged-checkpoints"},
			MustNot:  []string{"chain-broken", "checkpoint-orphaned"},
			Cites: []string{
				"upgrade-with-unmerged-checkpoints Logs/System.evtx record 118205",
				"upgrade-with-unmerged-checkpoints Logs/Microsoft-Windows-Hyper-V-VMMS-Admin.evtx record 7702",
			},
		},
	}
}
