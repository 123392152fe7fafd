package samplegen

import (
	"github.com/hvtriage/hvtriage/internal/evtxwrite"
	. "github.com/hvtriage/hvtriage/internal/fixture"
)

// Storage samples: an iSCSI path flapping, ReFS checksum errors on a VHDX,
// a full volume, deleted VM files, and failing hardware.

// storageConnectivityISCSI: the iSCSI target behind the VM volume drops
// its connection during the morning load.
func storageConnectivityISCSI() Sample {
	h := Host{Computer: "HV14.contoso.local"}
	const vm, vmID = "ERP02", "C8A1E5D3-7B46-4F92-8D0C-3E6B9F2A1D57"
	target := "iqn.2010-06.com.contoso:san02.vmvol01"
	system := []evtxwrite.Record{
		h.Classic(ChanSystem, "iScsiPrt", 20, QualError, LevelError, At(8, 12, 4), "", target),
		h.Classic(ChanSystem, "iScsiPrt", 9, QualError, LevelError, At(8, 12, 34), "", target),
		h.Classic(ChanSystem, "disk", 153, QualWarning, LevelWarning, At(8, 12, 35), `\Device\Harddisk2\DR2`, "0x1c8e2000", "2", `\Device\MPIODisk1`),
		h.Classic(ChanSystem, "iScsiPrt", 39, QualError, LevelError, At(8, 12, 49), "", target),
		h.Classic(ChanSystem, "iScsiPrt", 34, QualInfo, LevelInfo, At(8, 13, 20), "", target),
		h.Classic(ChanSystem, "iScsiPrt", 20, QualError, LevelError, At(8, 41, 7), "", target),
		h.Classic(ChanSystem, "iScsiPrt", 9, QualError, LevelError, At(8, 41, 37), "", target),
		h.Classic(ChanSystem, "disk", 153, QualWarning, LevelWarning, At(8, 41, 38), `\Device\Harddisk2\DR2`, "0x2a41f800", "2", `\Device\MPIODisk1`),
		h.Classic(ChanSystem, "iScsiPrt", 34, QualInfo, LevelInfo, At(8, 42, 10), "", target),
	}
	vsp := []evtxwrite.Record{
		h.Manifest("Microsoft-Windows-Hyper-V-StorageVSP-Admin", "Microsoft-Windows-Hyper-V-StorageVSP", "{10B3D268-9782-49A4-AACC-A93C5482CB6F}", 6, LevelError, At(8, 12, 36),
			F("DeviceName", `E:\VMs\ERP02\Virtual Hard Disks\ERP02-data.vhdx`), evtxwrite.Field{Name: "Status", Value: "0xC00000B5", Type: evtxwrite.HexInt32}),
	}
	workerLog := []evtxwrite.Record{
		worker(h, 12030, LevelError, At(8, 41, 39), vm, vmID,
			F("ErrorMessage", "'ERP02': Hard disk 'E:\\VMs\\ERP02\\Virtual Hard Disks\\ERP02-data.vhdx' reported an I/O error: 'The request failed due to a fatal device hardware error.' The request could not be performed because of an I/O device error. (0x8007045D)."),
			F("ErrorCode", "0x8007045D")),
	}
	return Sample{
		Name:   "storage-connectivity-iscsi",
		Bundle: "HV14_iscsi.zip",
		Zip:    true,
		Story: `HV14 keeps its VM volume E: on an iSCSI LUN. Twice on 14 March (08:12 and 08:41) the
session to the target drops (iScsiPrt 20), requests time out (9), the initiator resets the
target (39) and reconnects (34) half a minute later. Disk I/O is retried (153), the VM's
data disk sees an I/O failure (StorageVSP 6) and ERP02 reports 0x8007045D. The file
system and the VSS writers are fine.`,
		Files: Files{
			"HV14/System.evtx": EVTX(system, 882014),
			"HV14/Microsoft-Windows-Hyper-V-StorageVSP-Admin.evtx": EVTX(vsp, 51),
			"HV14/Microsoft-Windows-Hyper-V-Worker-Admin.evtx":     EVTX(workerLog, 9811),
		},
		Expected: Expected{
			TopCause: "storage-connectivity",
			MustFind: []string{"storage-connectivity"},
			MustNot:  []string{"filesystem-corruption", "vss-writer-failed"},
			Cites: []string{
				"storage-connectivity HV14/System.evtx record 882015",
			},
		},
	}
}

// filesystemCorruptionReFS: ReFS cannot repair a checksum error in a VHDX
// on a non-mirrored volume; CAPI2 513 sits in the Application log as noise.
func filesystemCorruptionReFS() Sample {
	h := Host{Computer: "HV15.contoso.local"}
	const vm, vmID = "LOG01", "9E4C2B71-A5D8-4F63-B1E0-7D3A6C9F2E48"
	disk := `R:\VMs\LOG01\Virtual Hard Disks\LOG01-data.vhdx`
	system := []evtxwrite.Record{
		h.Manifest(ChanSystem, "Microsoft-Windows-ReFS", GUIDReFS, 133, LevelError, At(3, 17, 52),
			evtxwrite.Field{Name: "ObjectNameLength", Value: "94", Type: evtxwrite.UInt16}, F("ObjectName", disk),
			evtxwrite.Field{Name: "FailureReason", Value: "0xC0000476", Type: evtxwrite.HexInt32}),
		h.Manifest(ChanSystem, "Microsoft-Windows-ReFS", GUIDReFS, 133, LevelError, At(3, 18, 6),
			evtxwrite.Field{Name: "ObjectNameLength", Value: "94", Type: evtxwrite.UInt16}, F("ObjectName", disk),
			evtxwrite.Field{Name: "FailureReason", Value: "0xC0000476", Type: evtxwrite.HexInt32}),
	}
	app := []evtxwrite.Record{
		h.Manifest("Application", "Microsoft-Windows-CAPI2", "{5BBCA4A8-B209-48DC-A8C7-B23D3E5216FB}", 513, LevelError, At(2, 0, 14),
			F("Detail", "Cryptographic Services failed while processing the OnIdentity() call in the System Writer Object.\n\nDetails:\nAddLegacyDriverFiles: Unable to back up image of binary Microsoft Link-Layer Discovery Protocol.\n\nSystem Error:\nAccess is denied.")),
	}
	workerLog := []evtxwrite.Record{
		worker(h, 12030, LevelError, At(3, 17, 53), vm, vmID,
			F("ErrorMessage", "'LOG01': Hard disk '"+disk+"' reported an I/O error: 'The file or directory is corrupted and unreadable.' (0x80070570)."),
			F("ErrorCode", "0x80070570")),
	}
	return Sample{
		Name:   "filesystem-corruption-refs",
		Bundle: "HV15_refs.zip",
		Zip:    true,
		Story: `HV15 stores VMs on a single-disk ReFS volume R: with integrity streams on, so ReFS can
detect but not repair a bad block. At 03:17 it finds a checksum error inside LOG01's data
VHDX and cannot correct it (ReFS 133, twice); LOG01 sees "the file or directory is
corrupted" (0x80070570). The CAPI2 513 in the Application log is the usual System Writer
noise and has nothing to do with it.`,
		Files: Files{
			"HV15_evt_System.evtx":             EVTX(system, 301552),
			"HV15_evt_Application.evtx":        EVTX(app, 88410),
			"HV15_evt_HyperVWorker-Admin.evtx": EVTX(workerLog, 6040),
		},
		Expected: Expected{
			TopCause: "filesystem-corruption",
			MustFind: []string{"filesystem-corruption"},
			MustNot:  []string{"storage-connectivity", "vss-writer-failed"},
			Cites: []string{
				"filesystem-corruption HV15_evt_System.evtx record 301552",
			},
		},
	}
}

// storageSpaceExhausted: a forgotten checkpoint grows until the volume is
// full and the VMs on it pause.
func storageSpaceExhausted() Sample {
	h := Host{Computer: "HV16.contoso.local"}
	const (
		vm1, vm1ID = "PRINT01", "6B3E9D14-C2A7-4F58-8E01-A4D7C3B9F265"
		vm2, vm2ID = "UTIL01", "D2F7A381-5E9C-4B06-9A43-1C8E6F2B7D90"
		dir        = `D:\Hyper-V\Virtual Hard Disks`
	)
	system := []evtxwrite.Record{
		h.Classic(ChanSystem, "srv", 2013, 32768, LevelWarning, At(4, 10, 0), `\Device\HarddiskVolume4`, "D:"),
		h.Classic(ChanSystem, "srv", 2013, 32768, LevelWarning, At(5, 10, 0), `\Device\HarddiskVolume4`, "D:"),
	}
	vmmsLog := []evtxwrite.Record{
		vmms(h, 16050, LevelWarning, At(5, 42, 18), vm1, vm1ID,
			F("ErrorMessage", "'PRINT01' has been paused because it has run out of disk space on 'D:\\Hyper-V\\Virtual Hard Disks\\'. (Virtual machine ID "+vm1ID+")")),
		vmms(h, 16050, LevelWarning, At(5, 42, 21), vm2, vm2ID,
			F("ErrorMessage", "'UTIL01' has been paused because it has run out of disk space on 'D:\\Hyper-V\\Virtual Hard Disks\\'. (Virtual machine ID "+vm2ID+")")),
		vmms(h, 18012, LevelError, At(6, 0, 4), vm1, vm1ID,
			F("ErrorMessage", "'PRINT01' cannot create the storage required for the checkpoint using disk D:\\Hyper-V\\Virtual Hard Disks\\PRINT01.vhdx: There is not enough space on the disk. (0x80070070). (Virtual machine ID "+vm1ID+")"),
			F("ErrorCode", "0x80070070")),
	}
	vms := VMTable([]VM{
		{Name: vm1, State: "PausedCritical", Status: "Paused-Critical", Version: "9.0"},
		{Name: vm2, State: "PausedCritical", Status: "Paused-Critical", Version: "9.0"},
	})
	listing := DirListing([]ListedDir{{Path: dir, Files: []ListedFile{
		{Name: "PRINT01.vhdx", Size: 64424509440, Modified: Day(2023, 9, 4, 10, 2)},
		{Name: "PRINT01_" + vm1ID + ".avhdx", Size: 412316860416, Modified: At(5, 42, 0)},
		{Name: "UTIL01.vhdx", Size: 42949672960, Modified: At(5, 42, 0)},
	}}})
	return Sample{
		Name:   "storage-space-exhausted",
		Bundle: "HV16_diskfull.zip",
		Zip:    true,
		Story: `PRINT01 on HV16 has been running on a checkpoint since September 2023 and its AVHDX has
grown to 384 GiB on the 500 GB volume D:. The server service warns that D: is nearly full
(srv 2013) from 04:10; at 05:42 both VMs on the volume pause for lack of space, and a new
checkpoint attempt fails with 0x80070070. Both VMs show Paused-Critical in Get-VM.`,
		Files: Files{
			"EventLogs/System.evtx":                               EVTX(system, 401200),
			"EventLogs/Microsoft-Windows-Hyper-V-VMMS-Admin.evtx": EVTX(vmmsLog, 3315),
			"Get-VM.txt":       UTF16(vms),
			"dir_D_HyperV.txt": OEM850(listing),
		},
		Expected: Expected{
			TopCause: "storage-space-exhausted",
			MustFind: []string{"storage-space-exhausted"},
			MustNot:  []string{"filesystem-corruption"},
			Cites: []string{
				"storage-space-exhausted EventLogs/Microsoft-Windows-Hyper-V-VMMS-Admin.evtx record 3317",
			},
		},
	}
}

// vmFilesMissing: the data disk of RDS01 was deleted by mistake.
func vmFilesMissing() Sample {
	h := Host{Computer: "HV17.contoso.local"}
	const (
		vm, vmID = "RDS01", "1F5A8C2E-B7D4-4E93-A60C-8D2E5B1F7C34"
		dir      = `D:\Hyper-V\RDS01\Virtual Hard Disks`
	)
	drives := VMHardDiskDrives([]Drive{
		{VMName: vm, ControllerType: "SCSI", Number: 0, Location: 0, Path: dir + `\RDS01-OS.vhdx`},
		{VMName: vm, ControllerType: "SCSI", Number: 0, Location: 1, Path: dir + `\RDS01-Profiles.vhdx`},
	})
	listing := DirListing([]ListedDir{{Path: dir, Files: []ListedFile{
		{Name: "RDS01-OS.vhdx", Size: 68719476736, Modified: At(7, 2, 0)},
	}}})
	workerLog := []evtxwrite.Record{
		worker(h, 12030, LevelError, At(7, 2, 11), vm, vmID,
			F("ErrorMessage", "'RDS01' Synthetic SCSI Controller (Instance ID 3C7E1A95-D2B4-4F68-8E03-B5A9C1D7E246): Failed to Power on with Error 'The system cannot find the file specified.' (0x80070002). Attachment '"+dir+`\RDS01-Profiles.vhdx`+"' failed to open."),
			F("ErrorCode", "0x80070002")),
		worker(h, 3040, LevelError, At(7, 2, 11), vm, vmID),
	}
	return Sample{
		Name:   "vm-files-missing",
		Bundle: "HV17_RDS01.zip",
		Zip:    true,
		Story: `On 13 March a helpdesk technician cleaning up old user-profile disks on HV17 deleted
RDS01-Profiles.vhdx, the profile disk of the remote desktop server RDS01, from its VM
folder. At the next start RDS01 fails: the profile disk cannot be found (0x80070002).
Get-VMHardDiskDrive still lists it; the folder listing shows only the OS disk.`,
		Files: Files{
			"RDS01/Get-VMHardDiskDrive.txt":                     UTF16(drives),
			"RDS01/dir.txt":                                     OEM850(listing),
			"RDS01/Microsoft-Windows-Hyper-V-Worker-Admin.evtx": EVTX(workerLog, 27731),
		},
		Expected: Expected{
			TopCause: "vm-files-missing",
			MustFind: []string{"vm-files-missing"},
			MustNot:  []string{"chain-broken", "permission-acl"},
			Cites: []string{
				"vm-files-missing RDS01/Microsoft-Windows-Hyper-V-Worker-Admin.evtx record 27731",
			},
		},
	}
}

// hardwareDriverInstability: a failing PCIe RAID controller and memory
// errors crash the host.
func hardwareDriverInstability() Sample {
	h := Host{Computer: "HV19.contoso.local"}
	const wheaGUID = "{C26C4F3C-3F66-4E99-8F8A-39405CFED220}"
	whea := func(id uint16, level uint8, hh, mm int, fields ...evtxwrite.Field) evtxwrite.Record {
		return h.Manifest(ChanSystem, "Microsoft-Windows-WHEA-Logger", wheaGUID, id, level, At(hh, mm, 0), fields...)
	}
	system := append(bootSequence(h, Day(2024, 3, 10, 5, 2), Build2022),
		whea(17, LevelWarning, 0, 14, F("ErrorSource", "4"), F("ErrorType", "PCI Express Root Port"), F("PrimaryBusName", "0x3b"), F("VendorID", "0x1000"), F("DeviceID", "0x10e2")),
		whea(17, LevelWarning, 0, 51, F("ErrorSource", "4"), F("ErrorType", "PCI Express Root Port"), F("PrimaryBusName", "0x3b"), F("VendorID", "0x1000"), F("DeviceID", "0x10e2")),
		h.Classic(ChanSystem, "megasas2i", 129, QualWarning, LevelWarning, At(1, 3, 12), `\Device\RaidPort1`),
		h.Classic(ChanSystem, "megasas2i", 129, QualWarning, LevelWarning, At(1, 3, 44), `\Device\RaidPort1`),
		whea(47, LevelWarning, 1, 20, F("ErrorSource", "3"), F("ErrorType", "Memory"), F("Location", "CPU 1 DIMM B2")),
		whea(18, LevelError, 1, 22, F("ErrorSource", "0"), F("ApicId", "18"), F("MCABank", "7"), F("ErrorType", "Bus/Interconnect Error")),
		h.Classic(ChanSystem, ProviderEventLog, 6008, QualEventLog, LevelError, At(1, 31, 3), "1:22:04 AM", "3/14/2024", "", "", "", ""),
		h.Manifest(ChanSystem, "Microsoft-Windows-Kernel-Power", "{331C3B3A-2005-44C2-AC5E-77220C37D6B4}", 41, LevelCritical, At(1, 31, 2),
			evtxwrite.Field{Name: "BugcheckCode", Value: "292", Type: evtxwrite.UInt32}, evtxwrite.Field{Name: "BugcheckParameter1", Value: "0x0", Type: evtxwrite.HexInt64},
			evtxwrite.Field{Name: "SleepInProgress", Value: "0", Type: evtxwrite.UInt32}, evtxwrite.Field{Name: "PowerButtonTimestamp", Value: "0", Type: evtxwrite.UInt64}),
		h.Classic(ChanSystem, "Microsoft-Windows-WER-SystemErrorReporting", 1001, 16384, LevelError, At(1, 32, 40),
			"0x00000124 (0x0000000000000000, 0xffffa50c3e9b4028, 0x00000000be000000, 0x00000000800c0174)", `C:\Windows\MEMORY.DMP`, "d4e2b7a1-9c35-4f80-b6e1-3a7c9d2f5e08"),
	)
	return Sample{
		Name:   "hardware-driver-instability",
		Bundle: "HV19_crash.zip",
		Zip:    true,
		Story: `HV19 has been running an old RAID controller firmware. In the night of 14 March the
PCIe root port of the controller reports corrected errors (WHEA 17), the controller
resets twice (megasas2i 129), a corrected memory error follows (WHEA 47), then a fatal
machine check (WHEA 18) bugchecks the host with 0x124 (WER 1001, Kernel-Power 41). All VMs
went down with it. The storage fabric itself is not involved.`,
		Files: Files{
			"HV19_System.evtx": EVTX(system, 610022),
		},
		Expected: Expected{
			TopCause: "hardware-driver-instability",
			MustFind: []string{"hardware-driver-instability"},
			MustNot:  []string{"filesystem-corruption"},
			Cites: []string{
				"hardware-driver-instability HV19_System.evtx record 610031",
				"hardware-driver-instability HV19_System.evtx record 610034",
			},
		},
	}
}
