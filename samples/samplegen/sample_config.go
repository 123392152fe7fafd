package samplegen

import (
	"github.com/hvtriage/hvtriage/internal/evtxwrite"
	. "github.com/hvtriage/hvtriage/internal/fixture"
)

// Configuration, saved-state and cluster samples.

// vmConfigCorrupt: a power loss while VMMS wrote LOB01's configuration
// left a zero-length .vmcx.
func vmConfigCorrupt() Sample {
	h := Host{Computer: "HV24.contoso.local"}
	const (
		vm, vmID = "LOB01", "F1A6C3E8-7D25-4B94-8E0F-B2D5A9C4E371"
		cfg      = `D:\Hyper-V\LOB01\Virtual Machines`
	)
	system := append([]evtxwrite.Record{h.UnexpectedShutdown(At(6, 12, 40), At(5, 58, 11))}, bootSequence(h, At(6, 12, 1), Build2022)...)
	vmmsLog := []evtxwrite.Record{
		vmms(h, 16310, LevelError, At(6, 13, 30), vm, vmID,
			F("ErrorMessage", "The virtual machine 'LOB01' could not be loaded: the configuration file '"+cfg+`\`+vmID+".vmcx' is corrupted or unreadable. Cannot connect to virtual machine configuration storage. (0x8007000D). (Virtual machine ID "+vmID+")"),
			F("ErrorCode", "0x8007000D")),
	}
	workerLog := []evtxwrite.Record{
		worker(h, 3070, LevelError, At(6, 13, 31), vm, vmID, F("ErrorCodeString", "The data is invalid."), F("ErrorCode", "0x8007000D")),
	}
	vms := VMTable([]VM{
		{Name: vm, State: "Off", Status: "Cannot connect to virtual machine configuration storage", Version: "10.0"},
		{Name: "LOB02", State: "Running", Version: "10.0"},
	})
	listing := DirListing([]ListedDir{{Path: cfg, Files: []ListedFile{
		{Name: vmID, IsDir: true, Modified: Day(2024, 1, 8, 11, 20)},
		{Name: vmID + ".vmcx", Size: 0, Modified: At(5, 58, 0)},
		{Name: vmID + ".vmgs", Size: 4194304, Modified: At(5, 57, 0)},
		{Name: vmID + ".VMRS", Size: 49152, Modified: At(5, 58, 0)},
	}}})
	return Sample{
		Name:   "vm-config-corrupt",
		Bundle: "HV24_LOB01.zip",
		Zip:    true,
		Story: `HV24 lost power at 05:58 on 14 March while VMMS was updating LOB01's configuration
(the UPS batteries had failed). After the reboot (6008) LOB01's .vmcx is zero bytes long:
VMMS cannot load it (0x8007000D), the worker cannot read the configuration (3070), and
Get-VM shows the VM with "Cannot connect to virtual machine configuration storage".
LOB02 on the same host came back normally.`,
		Files: Files{
			"System.evtx":                   EVTX(system, 77310),
			"Hyper-V-VMMS-Admin.evtx":       EVTX(vmmsLog, 4021),
			"Hyper-V-Worker-Admin.evtx":     EVTX(workerLog, 11502),
			"getvm.txt":                     UTF16(vms),
			"dir_LOB01_VirtualMachines.txt": OEM850(listing),
		},
		Expected: Expected{
			TopCause: "vm-config-corrupt",
			MustFind: []string{"vm-config-corrupt"},
			MustNot:  []string{"config-version-unsupported", "chain-broken"},
			Cites: []string{
				"vm-config-corrupt Hyper-V-Worker-Admin.evtx record 11502",
			},
		},
	}
}

// configVersionUnsupported: a VM exported from an old 2012 R2 host is
// imported on a Windows Server 2022 host.
func configVersionUnsupported() Sample {
	h := Host{Computer: "HV25.contoso.local"}
	const vm, vmID = "LEGACY01", "3D8F1B6A-C4E2-4A57-9B03-E6A1D7C5F248"
	system := bootSequence(h, Day(2024, 3, 2, 4, 10), Build2022)
	workerLog := []evtxwrite.Record{
		worker(h, 3074, LevelError, At(14, 20, 7), vm, vmID),
	}
	vmmsLog := []evtxwrite.Record{
		vmms(h, 18304, LevelInfo, At(14, 18, 50), vm, vmID, F("ErrorMessage", "'LEGACY01' was imported successfully. (Virtual machine ID "+vmID+")")),
	}
	vms := VMList([]VM{
		{Name: vm, ID: vmID, State: "Off", Version: "5.0", Generation: 1, Path: `D:\Hyper-V\LEGACY01`, SnapshotLocation: `D:\Hyper-V\LEGACY01`,
			CheckpointType: "Standard", HardDrives: []string{`D:\Hyper-V\LEGACY01\Virtual Hard Disks\LEGACY01.vhdx`}},
		{Name: "WEB07", ID: "0B5D9E27-A3C8-4F61-8D14-C7E2B9F6A305", State: "Running", Version: "10.0", Generation: 2, Path: `D:\Hyper-V\WEB07`,
			SnapshotLocation: `D:\Hyper-V\WEB07`, CheckpointType: "Production", HardDrives: []string{`D:\Hyper-V\WEB07\Virtual Hard Disks\WEB07.vhdx`}},
	})
	return Sample{
		Name:   "config-version-unsupported",
		Bundle: "HV25_LEGACY01.zip",
		Zip:    true,
		Story: `LEGACY01 was exported from a retired Windows Server 2012 R2 host and imported on HV25,
which runs Windows Server 2022 (build 20348, VM versions 8.0 to 10.0). The import itself
succeeded, but the VM's configuration is still version 5.0 and the worker refuses it when
it starts (3074). WEB07, created on HV25, runs version 10.0 without trouble.`,
		Files: Files{
			"HV25/System.evtx": EVTX(system, 52003),
			"HV25/Microsoft-Windows-Hyper-V-Worker-Admin.evtx": EVTX(workerLog, 2290),
			"HV25/Microsoft-Windows-Hyper-V-VMMS-Admin.evtx":   EVTX(vmmsLog, 840),
			"HV25/Get-VM.txt": UTF16(vms),
		},
		Expected: Expected{
			TopCause: "config-version-unsupported",
			MustFind: []string{"config-version-unsupported"},
			MustNot:  []string{"vm-config-corrupt"},
			Cites: []string{
				"config-version-unsupported HV25/Microsoft-Windows-Hyper-V-Worker-Admin.evtx record 2290",
			},
		},
	}
}

// vmPathMisconfigured: WEB05 was copied from another host and registered
// in place; its disk paths still name the old host's F: volume.
func vmPathMisconfigured() Sample {
	h := Host{Computer: "HV18.contoso.local"}
	const (
		vm, vmID = "WEB05", "6E1C4A98-B2D7-4F35-A9E0-D8C3F5B1A726"
		newDir   = `D:\Hyper-V\WEB05\Virtual Hard Disks`
		oldDir   = `F:\VMs\WEB05\Virtual Hard Disks`
	)
	drives := VMHardDiskDrives([]Drive{
		{VMName: vm, ControllerType: "SCSI", Number: 0, Location: 0, Path: oldDir + `\WEB05.vhdx`},
		{VMName: vm, ControllerType: "SCSI", Number: 0, Location: 1, Path: oldDir + `\WEB05-logs.vhdx`},
	})
	vms := VMList([]VM{{Name: vm, ID: vmID, State: "Off", Version: "9.0", Generation: 2, Path: `D:\Hyper-V\WEB05`,
		SnapshotLocation: `D:\Hyper-V\WEB05`, CheckpointType: "Production",
		HardDrives: []string{oldDir + `\WEB05.vhdx`, oldDir + `\WEB05-logs.vhdx`}}})
	listing := DirListing([]ListedDir{{Path: newDir, Files: []ListedFile{
		{Name: "WEB05.vhdx", Size: 45097156608, Modified: Day(2024, 3, 13, 21, 40)},
		{Name: "WEB05-logs.vhdx", Size: 8589934592, Modified: Day(2024, 3, 13, 21, 44)},
	}}})
	workerLog := []evtxwrite.Record{
		worker(h, 12030, LevelError, At(8, 2, 50), vm, vmID,
			F("ErrorMessage", "'WEB05' Synthetic SCSI Controller (Instance ID 9A3F6C21-D4B8-4E07-8B15-E2C7A9D3F640): Failed to Power on with Error 'The system cannot find the path specified.' (0x80070003). Attachment '"+oldDir+`\WEB05.vhdx`+"' failed to open."),
			F("ErrorCode", "0x80070003")),
		worker(h, 3040, LevelError, At(8, 2, 50), vm, vmID),
	}
	return Sample{
		Name:   "vm-path-misconfigured",
		Bundle: "HV18_WEB05.zip",
		Zip:    true,
		Story: `WEB05 was moved from HV02 to HV18 by copying its folder to D:\Hyper-V\WEB05 and
registering the configuration in place, without Move-VM or a Compare-VM fix-up. Its two
disks are on D: (the listing shows them), but the configuration still points at the old
host's F:\VMs\WEB05 volume, which does not exist on HV18, so the start fails with "the
system cannot find the path specified" (0x80070003).`,
		Files: Files{
			"Get-VMHardDiskDrive.txt":                     UTF16(drives),
			"Get-VM.txt":                                  UTF16(vms),
			"dir_D_HyperV_WEB05.txt":                      OEM850(listing),
			"Microsoft-Windows-Hyper-V-Worker-Admin.evtx": EVTX(workerLog, 19020),
		},
		Expected: Expected{
			TopCause: "vm-path-misconfigured",
			MustFind: []string{"vm-path-misconfigured"},
			MustNot:  []string{"chain-broken", "permission-acl"},
			Cites:    []string{},
		},
	}
}

// savedStateStuck: a VM saved before a host update cannot restore its
// saved state afterwards.
func savedStateStuck() Sample {
	h := Host{Computer: "HV26.contoso.local"}
	const (
		vm, vmID = "BI01", "C7E3A159-6D2B-4F80-9A41-B5D8E2C7F036"
		cfg      = `D:\Hyper-V\BI01\Virtual Machines`
	)
	workerLog := []evtxwrite.Record{
		worker(h, 18510, LevelInfo, Day(2024, 3, 9, 22, 4), vm, vmID, F("Reason", "The virtual machine was saved.")),
		worker(h, 3080, LevelError, At(7, 15, 20), vm, vmID, F("MemoryFilePath", cfg+`\`+vmID+`.vmrs`),
			F("ErrorMessage", "'BI01' could not create or access saved state file '"+cfg+`\`+vmID+".vmrs'. The saved state is incompatible with this host. (0x80070057)"),
			F("ErrorCode", "0x80070057")),
		worker(h, 3080, LevelError, At(7, 22, 41), vm, vmID, F("MemoryFilePath", cfg+`\`+vmID+`.vmrs`),
			F("ErrorMessage", "'BI01' could not create or access saved state file '"+cfg+`\`+vmID+".vmrs'. The saved state is incompatible with this host. (0x80070057)"),
			F("ErrorCode", "0x80070057")),
	}
	vms := VMList([]VM{{Name: vm, ID: vmID, State: "Saved", Version: "10.0", Generation: 2, Path: `D:\Hyper-V\BI01`,
		SnapshotLocation: `D:\Hyper-V\BI01`, CheckpointType: "Production",
		HardDrives: []string{`D:\Hyper-V\BI01\Virtual Hard Disks\BI01.vhdx`}}})
	listing := DirListing([]ListedDir{{Path: cfg, Files: []ListedFile{
		{Name: vmID, IsDir: true, Modified: Day(2023, 11, 20, 9, 14)},
		{Name: vmID + ".vmcx", Size: 86016, Modified: Day(2024, 3, 9, 22, 4)},
		{Name: vmID + ".vmgs", Size: 4194304, Modified: Day(2024, 3, 9, 22, 4)},
		{Name: vmID + ".vmrs", Size: 34359832576, Modified: Day(2024, 3, 9, 22, 4)},
	}}})
	return Sample{
		Name:   "saved-state-stuck",
		Bundle: "HV26_BI01.zip",
		Zip:    true,
		Story: `Before patching HV26 on 9 March the administrator saved BI01 instead of shutting it
down. After the update the saved state can no longer be restored: each start attempt on
14 March fails with Worker 3080 on the 32 GB .vmrs file, and Get-VM keeps showing BI01 as
Saved. The disks and configuration are fine; only the saved state has to go.`,
		Files: Files{
			"BI01/Microsoft-Windows-Hyper-V-Worker-Admin.evtx": EVTX(workerLog, 8840),
			"BI01/Get-VM.txt": UTF16(vms),
			"BI01/dir.txt":    OEM850(listing),
		},
		Expected: Expected{
			TopCause: "saved-state-stuck",
			MustFind: []string{"saved-state-stuck"},
			MustNot:  []string{"vm-config-corrupt"},
			Cites: []string{
				"saved-state-stuck BI01/Microsoft-Windows-Hyper-V-Worker-Admin.evtx record 8841",
			},
		},
	}
}

// clusterMetadata: a VM role was removed from the cluster while the VM was
// managed through Hyper-V Manager; the cluster still tries to bring it up.
func clusterMetadata() Sample {
	h := Host{Computer: "HVC1-N2.contoso.local"}
	const vm, vmID = "SQL07", "2A7D5C91-E4B3-4F68-8D02-A9C6F1E3B754"
	system := []evtxwrite.Record{
		h.ResourceFailed(At(9, 12, 4), "Virtual Machine Configuration SQL07", "SQL07", "Virtual Machine Configuration"),
		h.Cluster(1205, LevelError, At(9, 12, 5), F("ResourceGroup", "SQL07"), F("FailedResources", "Virtual Machine Configuration SQL07")),
		h.ResourceFailed(At(9, 27, 4), "Virtual Machine Configuration SQL07", "SQL07", "Virtual Machine Configuration"),
		h.Cluster(1205, LevelError, At(9, 27, 5), F("ResourceGroup", "SQL07"), F("FailedResources", "Virtual Machine Configuration SQL07")),
		h.Cluster(1254, LevelError, At(9, 27, 6), F("ResourceGroup", "SQL07")),
	}
	vms := VMList([]VM{{Name: "APP11", ID: "8C1F3E67-B5A2-4D94-9E70-D3B6A8C2F145", State: "Running", Version: "10.0", Generation: 2,
		Path: `C:\ClusterStorage\Volume1\APP11`, SnapshotLocation: `C:\ClusterStorage\Volume1\APP11`, CheckpointType: "Production",
		IsClustered: true, HardDrives: []string{`C:\ClusterStorage\Volume1\APP11\Virtual Hard Disks\APP11.vhdx`}}})
	listing := DirListing([]ListedDir{{Path: `C:\ClusterStorage\Volume1\SQL07\Virtual Machines`, Files: []ListedFile{
		{Name: vmID, IsDir: true, Modified: Day(2023, 10, 2, 14, 0)},
		{Name: vmID + ".vmcx", Size: 90112, Modified: Day(2024, 3, 13, 17, 20)},
		{Name: vmID + ".vmgs", Size: 4194304, Modified: Day(2024, 3, 13, 17, 20)},
		{Name: vmID + ".vmrs", Size: 49152, Modified: Day(2024, 3, 13, 17, 20)},
	}}})
	return Sample{
		Name:   "cluster-metadata",
		Bundle: "HVC1-N2_cluster.zip",
		Zip:    true,
		Story: `SQL07 is a clustered VM on cluster HVC1. On 13 March an administrator removed and
re-created it from Hyper-V Manager on node N1 instead of Failover Cluster Manager. The
cluster's role still references the old configuration: on node N2 the "Virtual Machine
Configuration SQL07" resource fails (1069), the role cannot come online (1205) and passes
its failover threshold (1254). Get-VM on N2 does not list SQL07 though its files exist.`,
		Files: Files{
			"HVC1-N2/System.evtx":   EVTX(system, 990140),
			"HVC1-N2/Get-VM.txt":    UTF16(vms),
			"HVC1-N2/dir_SQL07.txt": OEM850(listing),
		},
		Expected: Expected{
			TopCause: "cluster-metadata",
			MustFind: []string{"cluster-metadata"},
			MustNot:  []string{"reboot-without-drain"},
			Cites: []string{
				"cluster-metadata HVC1-N2/System.evtx record 990140",
			},
		},
	}
}

// rebootWithoutDrain: Windows Update restarted a cluster node with its
// roles still online.
func rebootWithoutDrain() Sample {
	h := Host{Computer: "HVC2-N1.contoso.local"}
	system := []evtxwrite.Record{
		h.Cluster(1201, LevelInfo, Day(2024, 3, 13, 8, 0), F("ResourceGroup", "APP21")),
		h.Cluster(1201, LevelInfo, Day(2024, 3, 13, 8, 0), F("ResourceGroup", "APP22")),
		h.PlannedRestart(At(3, 1, 12), `C:\Windows\servicing\TrustedInstaller.exe (HVC2-N1)`, `NT AUTHORITY\SYSTEM`),
		h.Classic(ChanSystem, ProviderEventLog, 6006, QualEventLog, LevelInfo, At(3, 1, 58)),
	}
	system = append(system, bootSequence(h, At(3, 6, 30), Build2022)...)
	system = append(system,
		h.ResourceFailed(At(3, 7, 40), "Virtual Machine APP21", "APP21", "Virtual Machine"),
		h.ResourceFailed(At(3, 7, 41), "Virtual Machine APP22", "APP22", "Virtual Machine"),
		h.Cluster(1205, LevelError, At(3, 7, 42), F("ResourceGroup", "APP21"), F("FailedResources", "Virtual Machine APP21")),
	)
	return Sample{
		Name:   "reboot-without-drain",
		Bundle: "HVC2-N1_reboot.zip",
		Zip:    true,
		Story: `Node N1 of cluster HVC2 is patched by Windows Update with automatic restarts. At 03:01
on 14 March the servicing stack restarted it (User32 1074) while the node still owned the
roles APP21 and APP22: nobody paused or drained it first. The VMs were cut off rather
than live-migrated, and after the node came back both VM resources failed (1069) and
APP21 could not be brought online (1205).`,
		Files: Files{
			"HVC2-N1_System.evtx": EVTX(system, 4400112),
		},
		Expected: Expected{
			TopCause: "reboot-without-drain",
			MustFind: []string{"reboot-without-drain"},
			MustNot:  []string{"hardware-driver-instability"},
			Cites: []string{
				"reboot-without-drain HVC2-N1_System.evtx record 4400114",
			},
		},
	}
}
