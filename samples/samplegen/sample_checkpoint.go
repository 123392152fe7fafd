package samplegen

import (
	"github.com/hvtriage/hvtriage/internal/evtxwrite"
	. "github.com/hvtriage/hvtriage/internal/fixture"
)

// Checkpoint samples: files deleted under a checkpoint, checkpoints kept
// for years, a standard checkpoint applied to a domain controller, and a
// revert that threw away a day of work.

// checkpointMissingFiles: a clean-up script deleted an old-looking AVHDX
// that a checkpoint still uses.
func checkpointMissingFiles() Sample {
	h := Host{Computer: "HV07.contoso.local"}
	const (
		vm      = "APP02"
		vmID    = "8F3D1B62-E5A9-4C07-B2D4-91A6C3E7F058"
		dir     = `E:\VMs\APP02\Virtual Hard Disks`
		base    = dir + `\APP02.vhdx`
		deleted = dir + `\APP02_4B7E2A19-C6D3-4F58-A091-E3D5B8C2F716.avhdx`
		current = dir + `\APP02_` + vmID + `.avhdx`
	)
	snaps := VMSnapshotsList([]Checkpoint{
		{VMName: vm, Name: "Baseline after install", Type: "Standard", Created: Day(2024, 2, 20, 16, 2),
			ID: "0A6C2E84-B1F3-4D97-8E25-C7F9D3A1B640", VMID: vmID, Path: `E:\VMs\APP02`, HardDrives: []string{base}},
		{VMName: vm, Name: "Before app 4.2 upgrade", Type: "Standard", Created: Day(2024, 3, 7, 18, 30),
			Parent: "Baseline after install", ID: "E7B3F519-2C8A-4D60-9F14-A5D2C8E1B397", VMID: vmID, Path: `E:\VMs\APP02`,
			HardDrives: []string{deleted}},
	})
	vms := VMList([]VM{{Name: vm, ID: vmID, State: "Running", Version: "10.0", Generation: 2, Path: `E:\VMs\APP02`,
		SnapshotLocation: `E:\VMs\APP02`, CheckpointType: "Standard", ParentSnapshot: "Before app 4.2 upgrade",
		HardDrives: []string{current}}})
	listing := DirListing([]ListedDir{
		{Path: `E:\VMs\APP02`, Files: []ListedFile{
			{Name: "Snapshots", IsDir: true, Modified: Day(2024, 3, 7, 18, 30)},
			{Name: "Virtual Hard Disks", IsDir: true, Modified: At(3, 0, 12)},
			{Name: "Virtual Machines", IsDir: true, Modified: Day(2024, 3, 7, 18, 30)},
		}},
		{Path: dir, Files: []ListedFile{
			{Name: "APP02.vhdx", Size: 42949672960, Modified: Day(2024, 2, 20, 16, 2)},
			{Name: "APP02_" + vmID + ".avhdx", Size: 2147483648, Modified: At(9, 12, 0)},
		}},
	})
	vmmsLog := []evtxwrite.Record{
		vmms(h, 18012, LevelError, At(9, 20, 31), vm, vmID,
			F("ErrorMessage", "Checkpoint operation for 'APP02' failed. (Virtual machine ID "+vmID+")"), F("ErrorCode", "0x80070002")),
	}
	return Sample{
		Name:   "checkpoint-missing-files",
		Bundle: "HV07_APP02.zip",
		Zip:    true,
		Story: `APP02 on HV07 has two standard checkpoints. A scheduled clean-up script on volume E:
deletes "temporary" files older than five days and at 03:00 on 14 March removed the AVHDX
that holds the state of checkpoint "Before app 4.2 upgrade". Get-VMSnapshot still lists
the checkpoint with that disk, but the folder listing no longer has it, and the next
checkpoint operation fails.`,
		Files: Files{
			"APP02/Get-VMSnapshot.txt":                        UTF16(snaps),
			"APP02/Get-VM.txt":                                UTF16(vms),
			"APP02/dir_s_E_VMs_APP02.txt":                     OEM850(listing),
			"APP02/Microsoft-Windows-Hyper-V-VMMS-Admin.evtx": EVTX(vmmsLog, 4402),
		},
		Expected: Expected{
			TopCause: "checkpoint-missing-files",
			MustFind: []string{"checkpoint-missing-files"},
			MustNot:  []string{"checkpoint-orphaned"},
			Cites:    []string{"checkpoint-missing-files APP02/Get-VMSnapshot.txt line 13"},
		},
	}
}

// checkpointLongLived: a developer VM carries checkpoints from 2022 and
// 2023; nothing fails yet.
func checkpointLongLived() Sample {
	h := Host{Computer: "HV08.contoso.local"}
	const (
		vm   = "DEV01"
		vmID = "2C9A6E13-F7B4-4D85-8A30-E1D6B9C4F527"
		dir  = `C:\Hyper-V\DEV01\Virtual Hard Disks`
		base = dir + `\DEV01.vhdx`
		mid  = dir + `\DEV01_7E4B1D96-3A2C-4F08-B5E7-D9C1A6F3E280.avhdx`
		cur  = dir + `\DEV01_` + vmID + `.avhdx`
	)
	snaps := VMSnapshotsList([]Checkpoint{
		{VMName: vm, Name: "Clean build", Type: "Standard", Created: Day(2022, 6, 2, 16, 40),
			ID: "B8E2C4A1-6D39-4F75-9A0E-3C7B5D1F2E84", VMID: vmID, Path: `C:\Hyper-V\DEV01`, HardDrives: []string{base}},
		{VMName: vm, Name: "Before SQL 2019 CU18", Type: "Standard", Created: Day(2023, 3, 1, 10, 12), Parent: "Clean build",
			ID: "4F1A7C3E-92D6-4B80-B5C1-E6A3D8F0B729", VMID: vmID, Path: `C:\Hyper-V\DEV01`, HardDrives: []string{mid}},
	})
	vms := VMList([]VM{{Name: vm, ID: vmID, State: "Running", Version: "9.0", Generation: 2, Path: `C:\Hyper-V\DEV01`,
		SnapshotLocation: `C:\Hyper-V\DEV01`, CheckpointType: "Standard", ParentSnapshot: "Before SQL 2019 CU18",
		HardDrives: []string{cur}}})
	listing := DirListing([]ListedDir{{Path: dir, Files: []ListedFile{
		{Name: "DEV01.vhdx", Size: 32212254720, Modified: Day(2022, 6, 2, 16, 40)},
		{Name: "DEV01_7E4B1D96-3A2C-4F08-B5E7-D9C1A6F3E280.avhdx", Size: 61203283968, Modified: Day(2023, 3, 1, 10, 12)},
		{Name: "DEV01_" + vmID + ".avhdx", Size: 88046829568, Modified: At(8, 55, 0)},
	}}})
	workerLog := []evtxwrite.Record{
		worker(h, 18500, LevelInfo, Day(2024, 3, 4, 7, 58), vm, vmID),
		worker(h, 18508, LevelInfo, Day(2024, 3, 13, 19, 30), vm, vmID, F("Reason", "The guest operating system initiated a shutdown.")),
		worker(h, 18500, LevelInfo, At(7, 45, 2), vm, vmID),
	}
	return Sample{
		Name:   "checkpoint-long-lived",
		Bundle: "HV08_DEV01.zip",
		Zip:    true,
		Story: `DEV01 on HV08 is a developer VM. Its owner took a standard checkpoint after the first
build in June 2022 and another before a SQL update in March 2023, and never deleted either.
The VM has run on a three-level chain ever since: the current AVHDX is now larger than the
base disk and the engineer was asked why the VM is slow. Nothing has failed yet.`,
		Files: Files{
			"DEV01-snapshots.txt":                         UTF16(snaps),
			"DEV01-vm.txt":                                UTF16(vms),
			"DEV01-disks-dir.txt":                         OEM850(listing),
			"Microsoft-Windows-Hyper-V-Worker-Admin.evtx": EVTX(workerLog, 33015),
		},
		Expected: Expected{
			TopCause: "checkpoint-long-lived",
			MustFind: []string{"checkpoint-long-lived"},
			MustNot:  []string{"checkpoint-orphaned", "checkpoint-missing-files", "chain-broken"},
			Cites:    []string{"checkpoint-long-lived DEV01-snapshots.txt line 3"},
		},
	}
}

// checkpointOnDC: a standard checkpoint of DC01 was applied after a failed
// schema change; the guest logs a USN rollback.
func checkpointOnDC() Sample {
	h := Host{Computer: "HV09.contoso.local"}
	guest := Host{Computer: "DC01.contoso.local"}
	const (
		dc1, dc1ID = "DC01", "6D2F8A47-B3E1-4C96-9D05-A8C7E2F1B364"
		dc2, dc2ID = "FILE02", "91B4E7C2-5A3D-4F86-B0E9-2D7C1A6F8E35"
	)
	snaps := VMSnapshotsTable([]Checkpoint{
		{VMName: dc1, Name: "DC01 - (3/12/2024 - 9:15:40 PM)", Type: "Standard", Created: Day(2024, 3, 12, 21, 15)},
		{VMName: dc2, Name: "Before share migration", Type: "Standard", Created: Day(2024, 3, 13, 17, 2)},
	})
	vms := VMList([]VM{
		{Name: dc1, ID: dc1ID, State: "Running", Version: "10.0", Generation: 2, Path: `D:\Hyper-V\DC01`, SnapshotLocation: `D:\Hyper-V\DC01`,
			CheckpointType: "Standard", ParentSnapshot: "DC01 - (3/12/2024 - 9:15:40 PM)", HardDrives: []string{`D:\Hyper-V\DC01\Virtual Hard Disks\DC01_` + dc1ID + `.avhdx`}},
		{Name: dc2, ID: dc2ID, State: "Running", Version: "10.0", Generation: 2, Path: `D:\Hyper-V\FILE02`, SnapshotLocation: `D:\Hyper-V\FILE02`,
			CheckpointType: "Production", ParentSnapshot: "Before share migration", HardDrives: []string{`D:\Hyper-V\FILE02\Virtual Hard Disks\FILE02_` + dc2ID + `.avhdx`}},
	})
	guestWriters := VSSAdminWriters([]VSSWriter{
		Writer("Task Scheduler Writer", WriterScheduler, "2e8b4d61-0c7a-4f93-b5d2-6a1e9c3f7b08", 1, "No error"),
		Writer("VSS Metadata Store Writer", WriterMetadata, "7d3a9f25-1b6e-4c80-9e47-c2f5a8d1b036", 1, "No error"),
		Writer("NTDS", WriterNTDS, "a4c61e93-5f2b-4d07-8b39-e7d0c2a5f184", 1, "No error"),
		Writer("System Writer", WriterSystem, "c3f0b7a2-9d14-4e68-a5c1-0b8e3d6f2a97", 1, "No error"),
		Writer("Registry Writer", WriterRegistry, "58e2d9c4-7a3f-4b61-8d05-f1c6a9e3b270", 1, "No error"),
	})
	ds := []evtxwrite.Record{
		guest.Manifest("Directory Service", "Microsoft-Windows-ActiveDirectory_DomainService", "{0E8478C5-3605-4E8C-8497-1E730C959516}", 2095, LevelError, At(6, 12, 44),
			F("ServerName", "DC02.contoso.local"), F("PartitionName", "DC=contoso,DC=local"), F("USNReported", "1287451"), F("USNExpected", "1301968")),
		guest.Manifest("Directory Service", "Microsoft-Windows-ActiveDirectory_DomainService", "{0E8478C5-3605-4E8C-8497-1E730C959516}", 2103, LevelError, At(6, 12, 45),
			F("Detail", "The Active Directory Domain Services database was restored by using an unsupported restoration procedure.")),
	}
	vmmsLog := []evtxwrite.Record{
		vmms(h, 18304, LevelInfo, Day(2024, 3, 13, 22, 41), dc1, dc1ID,
			F("ErrorMessage", "'DC01' was reverted to checkpoint 'DC01 - (3/12/2024 - 9:15:40 PM)'. (Virtual machine ID "+dc1ID+")")),
	}
	return Sample{
		Name:   "checkpoint-on-domain-controller",
		Bundle: "HV09_DC01.zip",
		Zip:    true,
		Story: `DC01 runs on HV09 with the checkpoint type left at Standard. An administrator took a
checkpoint before a schema extension on 12 March, the extension went wrong, and on
13 March he applied the checkpoint. The DC came back with an old USN: the next morning
its Directory Service log reports a USN rollback (2095, 2103) and replication stops.
FILE02 on the same host uses production checkpoints and is fine.`,
		Files: Files{
			"HV09/Get-VMSnapshot.txt":                        UTF16(snaps),
			"HV09/Get-VM.txt":                                UTF16(vms),
			"HV09/Microsoft-Windows-Hyper-V-VMMS-Admin.evtx": EVTX(vmmsLog, 1188),
			"DC01/vssadmin_list_writers.txt":                 OEM850(guestWriters),
			"DC01/Directory Service.evtx":                    EVTX(ds, 90215),
		},
		Expected: Expected{
			TopCause: "checkpoint-on-domain-controller",
			MustFind: []string{"checkpoint-on-domain-controller"},
			MustNot:  []string{"vss-writer-failed"},
			Cites: []string{
				"checkpoint-on-domain-controller HV09/Get-VMSnapshot.txt line 4",
				"checkpoint-on-domain-controller DC01/Directory Service.evtx record 90215",
			},
		},
	}
}

// revertDiscardedChanges: a checkpoint was applied in a hurry and a day of
// postings in the guest's database vanished.
func revertDiscardedChanges() Sample {
	h := Host{Computer: "HV10.contoso.local"}
	guest := Host{Computer: "FIN01.contoso.local"}
	const vm, vmID = "FIN01", "E3A71C58-4B9D-4E26-8F0A-D5C2B7E9A614"
	vmmsLog := []evtxwrite.Record{
		vmms(h, 18304, LevelInfo, At(11, 2, 18), vm, vmID,
			F("ErrorMessage", "'FIN01' was reverted to checkpoint 'Before client 7.3 update'. (Virtual machine ID "+vmID+")")),
	}
	workerLog := []evtxwrite.Record{
		worker(h, 18502, LevelInfo, At(11, 1, 55), vm, vmID),
		worker(h, 18500, LevelInfo, At(11, 2, 40), vm, vmID),
	}
	guestSystem := []evtxwrite.Record{
		guest.Manifest(ChanSystem, ProviderKernelGeneral, GUIDKernelGeneral, 1, LevelInfo, At(11, 20, 3),
			evtxwrite.Field{Name: "NewTime", Value: "2024-03-14T11:20:03Z", Type: evtxwrite.SystemTime},
			evtxwrite.Field{Name: "OldTime", Value: "2024-03-13T08:31:22Z", Type: evtxwrite.SystemTime},
			evtxwrite.Field{Name: "Reason", Value: "2", Type: evtxwrite.UInt32}),
	}
	snaps := VMSnapshotsTable([]Checkpoint{
		{VMName: vm, Name: "Before client 7.3 update", Type: "Standard", Created: Day(2024, 3, 13, 8, 30)},
	})
	return Sample{
		Name:   "revert-discarded-changes",
		Bundle: "HV10_FIN01.zip",
		Zip:    true,
		Story: `An operator took a standard checkpoint of FIN01 on 13 March at 08:30 before updating the
accounting client. The next morning the client misbehaved and the operator chose Revert
(VMMS: FIN01 reverted to the checkpoint) without taking a new checkpoint first. Everything
written in the 26 hours since was discarded; the guest's clock came back at 13 March and
jumped forward only when time synchronisation caught up. Users report missing postings.`,
		Files: Files{
			"VMMS-Admin.evtx":         EVTX(vmmsLog, 6620),
			"Worker-Admin.evtx":       EVTX(workerLog, 14502),
			"Get-VMSnapshot.txt":      UTF16(snaps),
			"FIN01_guest_System.evtx": EVTX(guestSystem, 402117),
		},
		Expected: Expected{
			TopCause: "revert-discarded-changes",
			MustFind: []string{"revert-discarded-changes"},
			MustNot:  []string{"chain-broken", "chain-parent-modified"},
			Cites: []string{
				"revert-discarded-changes VMMS-Admin.evtx record 6620",
			},
		},
	}
}
