package samplegen

import (
	"github.com/hvtriage/hvtriage/internal/evtxwrite"
	. "github.com/hvtriage/hvtriage/internal/fixture"
)

// Field samples: the causes escalation engineers meet every week beyond
// the seed documents (causes.md, "Field causes").

// hypervisorNotRunning: the hypervisor was turned off in the boot
// configuration to run another hypervisor; after a restart no VM starts.
func hypervisorNotRunning() Sample {
	h := Host{Computer: "HV41.contoso.local"}
	const vm, vmID = "BUILD07", "4E7A1C92-3B5D-4F08-9A6C-2D1E8F7B0C35"
	workerLog := []evtxwrite.Record{
		worker(h, 3040, LevelError, At(7, 31, 12), vm, vmID,
			F("ErrorMessage", "'BUILD07' failed to start. The virtual machine could not be started because the hypervisor is not running.")),
	}
	system := append(bootSequence(h, At(7, 28, 0), Build2022),
		h.Classic(ChanSystem, "Service Control Manager", 7036, QualInfo, LevelInfo, At(7, 28, 40), "Hyper-V Virtual Machine Management", "running"))
	return Sample{
		Name:   "hypervisor-not-running",
		Bundle: "HV41_start_failure.zip",
		Zip:    true,
		Story: `A developer on HV41 ran bcdedit /set hypervisorlaunchtype off to try another
hypervisor and restarted. The VM management service starts, but BUILD07 does not:
the worker says the hypervisor is not running. bcdedit shows the loader with
hypervisorlaunchtype Off; systeminfo lists the Hyper-V requirements (all met)
instead of saying that a hypervisor runs.`,
		Files: Files{
			"HV41/Microsoft-Windows-Hyper-V-Worker-Admin.evtx": EVTX(workerLog, 5120),
			"HV41/System.evtx":    EVTX(system, 77001),
			"HV41/bcdedit.txt":    UTF16(Bcdedit("Off")),
			"HV41/systeminfo.txt": OEM850(Systeminfo("HV41", false, true)),
		},
		Expected: Expected{
			TopCause: "hypervisor-not-running",
			MustFind: []string{"hypervisor-not-running"},
			MustNot:  []string{"vm-config-corrupt", "permission-logon-as-service"},
			Cites: []string{
				"hypervisor-not-running HV41/bcdedit.txt line 24",
				"hypervisor-not-running HV41/Microsoft-Windows-Hyper-V-Worker-Admin.evtx record 5120",
			},
		},
	}
}

// vhdxCompressed: a disk restored into a compressed folder.
func vhdxCompressed() Sample {
	h := Host{Computer: "HV42.contoso.local"}
	const vm, vmID = "FILE03", "6B2D8E41-7C3A-4F95-B0E1-9A4C2D6F8E13"
	dir := `E:\Restore\FILE03\Virtual Hard Disks`
	workerLog := []evtxwrite.Record{
		worker(h, 3040, LevelError, At(10, 4, 51), vm, vmID,
			F("ErrorMessage", `'FILE03' failed to start. Synthetic SCSI Controller (Instance ID 8F3A1D62-4B7E-4C09-A5D1-3E6F9B2C7A48): Failed to Power on with Error 'The requested operation could not be completed due to a virtual disk system limitation. Virtual hard disk files must be uncompressed and unencrypted and must not be sparse.' (0xC03A001A). Attachment '`+dir+`\FILE03-data.vhdx'.`)),
	}
	return Sample{
		Name:   "vhdx-compressed-or-encrypted",
		Bundle: "HV42_file03",
		Story: `FILE03 was restored from a file-level backup into E:\Restore, a folder someone had
set to compress new files to save space. Its data disk comes back NTFS-compressed and
the VM refuses to start with 0xC03A001A. compact marks the data disk C; the system disk,
copied earlier, is not compressed.`,
		Files: Files{
			"Microsoft-Windows-Hyper-V-Worker-Admin.evtx": EVTX(workerLog, 3311),
			"compact.txt": UTF16(CompactListing(dir, []string{"FILE03-data.vhdx", "FILE03.vhdx"}, map[string]bool{"FILE03-data.vhdx": true})),
		},
		Expected: Expected{
			TopCause: "vhdx-compressed-or-encrypted",
			MustFind: []string{"vhdx-compressed-or-encrypted"},
			MustNot:  []string{"ntfs-file-system-limitation", "chain-broken", "vm-files-missing"},
			Cites: []string{
				"vhdx-compressed-or-encrypted compact.txt line 5",
				"vhdx-compressed-or-encrypted Microsoft-Windows-Hyper-V-Worker-Admin.evtx record 3311",
			},
		},
	}
}

// ntfsFileSystemLimitation: a five-year-old dynamic disk on a busy volume
// cannot grow any more; its checkpoint will not merge.
func ntfsFileSystemLimitation() Sample {
	h := Host{Computer: "HV43.contoso.local"}
	const vm, vmID = "SQL11", "8C4E2A17-9D3B-4F60-B1A5-7E2C9D0F4B86"
	avhdx := `F:\Hyper-V\SQL11\Virtual Hard Disks\SQL11-data_2F7D1B94-6E3C-4A85-9D20-B1C7E4F6A093.avhdx`
	vmmsLog := []evtxwrite.Record{
		vmms(h, 19100, LevelError, At(2, 17, 40), vm, vmID,
			F("ErrorMessage", "'SQL11' background disk merge failed to complete: The requested operation could not be completed due to a file system limitation (0x80070299). (Virtual machine ID 8C4E2A17-9D3B-4F60-B1A5-7E2C9D0F4B86)"),
			F("Path", avhdx)),
		vmms(h, 19100, LevelError, At(3, 17, 42), vm, vmID,
			F("ErrorMessage", "'SQL11' background disk merge failed to complete: The requested operation could not be completed due to a file system limitation (0x80070299). (Virtual machine ID 8C4E2A17-9D3B-4F60-B1A5-7E2C9D0F4B86)"),
			F("Path", avhdx)),
	}
	return Sample{
		Name:   "ntfs-file-system-limitation",
		Bundle: "HV43_merge.zip",
		Zip:    true,
		Story: `SQL11's data disk is a dynamic VHDX that has grown in small steps on F: for five
years. Each night the backup's checkpoint should merge back, but VMMS logs 19100 with
0x80070299: the file is in so many pieces that NTFS cannot extend it. The merge is
not failing because of a leftover checkpoint, a lock or permissions.`,
		Files: Files{
			"HV43/Microsoft-Windows-Hyper-V-VMMS-Admin.evtx": EVTX(vmmsLog, 20441),
		},
		Expected: Expected{
			TopCause: "ntfs-file-system-limitation",
			MustFind: []string{"ntfs-file-system-limitation"},
			MustNot:  []string{"checkpoint-orphaned", "vhdx-compressed-or-encrypted", "permission-acl"},
			Cites: []string{
				"ntfs-file-system-limitation HV43/Microsoft-Windows-Hyper-V-VMMS-Admin.evtx record 20441",
			},
		},
	}
}

// guestVSSUnavailable: one VM's backup service is off, another guest no
// longer answers.
func guestVSSUnavailable() Sample {
	rows := append(HealthyIntegration("APP21"),
		IntegrationRow{VM: "APP22", Name: "Guest Service Interface", Enabled: "False", Primary: "OK"},
		IntegrationRow{VM: "APP22", Name: "Heartbeat", Enabled: "True", Primary: "OK", Secondary: "OK"},
		IntegrationRow{VM: "APP22", Name: "VSS", Enabled: "False", Primary: "OK"},
		IntegrationRow{VM: "LNX05", Name: "Heartbeat", Enabled: "True", Primary: "OK", Secondary: "OK"},
		IntegrationRow{VM: "LNX05", Name: "VSS", Enabled: "True", Primary: "No Contact"},
	)
	return Sample{
		Name:   "guest-integration-vss-unavailable",
		Bundle: "HV44_ics",
		Story: `Backups of APP22 and LNX05 on HV44 are only crash-consistent. APP22's Backup
(volume shadow copy) integration service was switched off during a migration and never
switched back on; LNX05 was rebuilt without the Hyper-V daemons, so its VSS service
shows No Contact. APP21's services are all fine.`,
		Files: Files{
			"integration_services.txt": UTF16(IntegrationServices(rows)),
		},
		Expected: Expected{
			TopCause: "guest-integration-vss-unavailable",
			MustFind: []string{"guest-integration-vss-unavailable"},
			MustNot:  []string{"vss-writer-failed"},
			Cites: []string{
				"guest-integration-vss-unavailable integration_services.txt line 12",
				"guest-integration-vss-unavailable integration_services.txt line 14",
			},
		},
	}
}

// checkpointTypeBlocks: a template left checkpoints disabled.
func checkpointTypeBlocks() Sample {
	h := Host{Computer: "HV45.contoso.local"}
	const vm, vmID = "ERP05", "2A9F6C13-8E4B-4D70-95C2-B1E3D7A0F468"
	vmmsLog := []evtxwrite.Record{
		vmms(h, 16000, LevelError, At(21, 0, 5), vm, vmID,
			F("ErrorMessage", "Checkpoint operation for 'ERP05' failed. (Virtual machine ID 2A9F6C13-8E4B-4D70-95C2-B1E3D7A0F468) Checkpoints have been disabled for 'ERP05'.")),
	}
	vms := VMList([]VM{
		{Name: vm, ID: vmID, State: "Running", Version: "10.0", Path: `D:\Hyper-V\ERP05`, CheckpointType: "Disabled", Generation: 2},
		{Name: "ERP06", ID: "5D1B7E29-4C8A-4F36-A0D9-E2C6B8F1A745", State: "Running", Version: "10.0", Path: `D:\Hyper-V\ERP06`, CheckpointType: "Production", Generation: 2},
	})
	return Sample{
		Name:   "checkpoint-type-blocks",
		Bundle: "HV45_erp.zip",
		Zip:    true,
		Story: `ERP05 was deployed from a template that had checkpoints disabled. Before the
evening upgrade the administrator asks for a checkpoint and Hyper-V refuses it:
"Checkpoints have been disabled". ERP06, from another template, is set to Production.`,
		Files: Files{
			"HV45/Microsoft-Windows-Hyper-V-VMMS-Admin.evtx": EVTX(vmmsLog, 6101),
			"HV45/vms.txt": UTF16(vms),
		},
		Expected: Expected{
			TopCause: "checkpoint-type-blocks",
			MustFind: []string{"checkpoint-type-blocks"},
			MustNot:  []string{"vss-writer-failed", "guest-integration-vss-unavailable"},
			Cites: []string{
				"checkpoint-type-blocks HV45/Microsoft-Windows-Hyper-V-VMMS-Admin.evtx record 6101",
			},
		},
	}
}

// changeTrackingCorrupt: a disk restored by a storage snapshot leaves the
// change tracking stale; incrementals fail.
func changeTrackingCorrupt() Sample {
	h := Host{Computer: "HV46.contoso.local"}
	const vm, vmID = "DB03", "7E3C1A95-2B6D-4F84-A0C7-9D5E1B3F6A28"
	disk := `D:\Hyper-V\DB03\Virtual Hard Disks\DB03-data.vhdx`
	vhdmp := []evtxwrite.Record{
		h.Manifest("Microsoft-Windows-VHDMP-Operational", "Microsoft-Windows-VHDMP", GUIDVHDMP, 9, LevelError, At(0, 40, 2), F("VhdFileName", disk)),
		h.Manifest("Microsoft-Windows-VHDMP-Operational", "Microsoft-Windows-VHDMP", GUIDVHDMP, 8, LevelError, At(1, 5, 31), F("VhdFileName", disk), F("CorruptionReason", "2")),
	}
	vmmsLog := []evtxwrite.Record{
		vmms(h, 19100, LevelError, At(1, 5, 33), vm, vmID,
			F("ErrorMessage", "'DB03' background disk merge failed to complete: The requested change tracking ID is invalid. (0xC03A0029). (Virtual machine ID 7E3C1A95-2B6D-4F84-A0C7-9D5E1B3F6A28)")),
	}
	return Sample{
		Name:   "change-tracking-corrupt",
		Bundle: "HV46_rct.zip",
		Zip:    true,
		Story: `DB03's data disk was rolled back with a SAN snapshot while the VM was off. Hyper-V
did not see the change: VHDMP reports the disk changed offline (9), then its change
tracking file as corrupt (8), and the backup's merge fails with 0xC03A0029 (invalid
change tracking ID). Every incremental backup of DB03 fails since.`,
		Files: Files{
			"HV46/Microsoft-Windows-VHDMP-Operational.evtx":  EVTX(vhdmp, 1401),
			"HV46/Microsoft-Windows-Hyper-V-VMMS-Admin.evtx": EVTX(vmmsLog, 8812),
		},
		Expected: Expected{
			TopCause: "change-tracking-corrupt",
			MustFind: []string{"change-tracking-corrupt"},
			MustNot:  []string{"checkpoint-orphaned", "backup-vendor-integration"},
			Cites: []string{
				"change-tracking-corrupt HV46/Microsoft-Windows-Hyper-V-VMMS-Admin.evtx record 8812",
				"change-tracking-corrupt HV46/Microsoft-Windows-VHDMP-Operational.evtx record 1402",
			},
		},
	}
}

// csvRedirectedAccess: an agent's filter is not CSV-aware on one node.
func csvRedirectedAccess() Sample {
	h := Host{Computer: "HV47.contoso.local"}
	system := []evtxwrite.Record{
		h.Cluster(5121, LevelError, At(6, 12, 9), F("VolumeName", "Volume2"), F("ResourceName", "Cluster Disk 3")),
	}
	states := CSVStateList([]CSVState{
		{Resource: "Cluster Disk 3", Volume: `C:\ClusterStorage\Volume2\`, Node: "HV47", State: "FileSystemRedirected", FSReason: "IncompatibleFileSystemFilter", BlockReason: "NotBlockRedirected"},
		{Resource: "Cluster Disk 3", Volume: `C:\ClusterStorage\Volume2\`, Node: "HV48", State: "Direct", FSReason: "NotFileSystemRedirected", BlockReason: "NotBlockRedirected"},
	})
	return Sample{
		Name:   "csv-redirected-access",
		Bundle: "HV47_csv.zip",
		Zip:    true,
		Story: `An endpoint agent updated on HV47 attached a file-system filter that is not
CSV-aware. From then on, HV47 reaches Volume2 only through HV48 (5121, and
Get-ClusterSharedVolumeState: FileSystemRedirected, IncompatibleFileSystemFilter);
its VMs slow down and their backups time out. HV48 is in direct access.`,
		Files: Files{
			"HV47/System.evtx":   EVTX(system, 190233),
			"HV47/csv_state.txt": UTF16(states),
		},
		Expected: Expected{
			TopCause: "csv-redirected-access",
			MustFind: []string{"csv-redirected-access"},
			MustNot:  []string{"storage-connectivity", "cluster-metadata"},
			Cites: []string{
				"csv-redirected-access HV47/System.evtx record 190233",
				"csv-redirected-access HV47/csv_state.txt line 3",
			},
		},
	}
}
