package samplegen

import (
	"github.com/hvtriage/hvtriage/internal/evtxwrite"
	. "github.com/hvtriage/hvtriage/internal/fixture"
)

// Backup samples: two products fighting over VSS, a vendor leaving its
// recovery checkpoints behind, and a backup refusing a VM with a user
// checkpoint.

// backupOverlappingJobs: a new backup product was installed next to the
// old one and both run at 01:00.
func backupOverlappingJobs() Sample {
	h := Host{Computer: "HV11.contoso.local"}
	const vm1, vm1ID = "EXCH01", "4A8C2F61-D7E3-4B95-A0C6-1E5B9D3F7A82"
	sanProvider := VSSProvider{Name: "Contoso SAN VSS Hardware Provider", Type: "Hardware", ID: "0f3c9a52-7d1e-4b88-a6c4-2e9d51b7f803", Version: "4.2.0.118"}
	fabProvider := VSSProvider{Name: "Fabrikam Backup VSS Provider", Type: "Software", ID: "7b2e4d91-3c5a-4f68-8e1d-a9c0f6b3d254", Version: "11.0.3.27"}
	providers := VSSAdminProviders([]VSSProvider{ProviderFileShare, ProviderSoftware, sanProvider, fabProvider})
	shadows := VSSAdminShadows([]VSSShadow{
		{SetID: "3e7b1a90-6c2d-4f85-9b1e-0d4c8a7f2e61", ID: "c81f0d2a-97e4-4b3c-a0d5-6e2b9f4c1a87", Created: "3/14/2024 1:00:41 AM",
			Drive: "D:", VolumeGUID: "5a0e3c71-2b9d-4f6e-8c1a-7d3f0e9b2c45", Index: 211, Machine: h.Computer, Provider: sanProvider.Name,
			Type: "ApplicationRollback", Attributes: "Persistent, No auto release, Transportable, Hardware, Differential"},
		{SetID: "8d5c2e14-7f3a-4b69-a1e0-c4b7d9f2e386", ID: "f24a6b19-0d8e-4c73-9b52-e6a1c3d8f705", Created: "3/14/2024 1:01:03 AM",
			Drive: "D:", VolumeGUID: "5a0e3c71-2b9d-4f6e-8c1a-7d3f0e9b2c45", Index: 212, Machine: h.Computer, Provider: fabProvider.Name,
			Type: "ApplicationRollback", Attributes: "Persistent, No auto release, Differential"},
	})
	filters := Fltmc(WithFilters(Filter{Name: "VeeamFCT", Instances: 3, Altitude: "404920"}, Filter{Name: "CVCBT", Instances: 3, Altitude: "388770"}))
	app := []evtxwrite.Record{
		h.Classic("Application", "VSS", 12293, 0, LevelError, At(1, 1, 4),
			"{7b2e4d91-3c5a-4f68-8e1d-a9c0f6b3d254}", "BeginPrepareSnapshot({5a0e3c71-2b9d-4f6e-8c1a-7d3f0e9b2c45},\\\\?\\Volume{5a0e3c71-2b9d-4f6e-8c1a-7d3f0e9b2c45}\\)", "0x80042316, Another shadow copy creation is already in progress. Wait a few moments and try again.",
			"\n\nOperation:\n   Add a Volume to a Shadow Copy Set\n\nContext:\n   Execution Context: Coordinator"),
		h.Classic("Application", "VSS", 8193, 0, LevelError, At(1, 31, 20), "CVssCoordinator::StartSnapshotSet",
			"0x80042316, Another shadow copy creation is already in progress. Wait a few moments and try again.",
			"\n\nOperation:\n   Start a shadow copy set\n\nContext:\n   Execution Context: Coordinator"),
	}
	vmmsLog := []evtxwrite.Record{
		vmms(h, 18012, LevelError, At(1, 1, 6), vm1, vm1ID,
			F("ErrorMessage", "Could not create backup checkpoint for virtual machine 'EXCH01': Another shadow copy creation is already in progress. Wait a few moments and try again. (0x80042316). (Virtual machine ID "+vm1ID+")"),
			F("ErrorCode", "0x80042316")),
		vmms(h, 18012, LevelError, At(1, 31, 22), vm1, vm1ID,
			F("ErrorMessage", "Could not create backup checkpoint for virtual machine 'EXCH01': Another shadow copy creation is already in progress. Wait a few moments and try again. (0x80042316). (Virtual machine ID "+vm1ID+")"),
			F("ErrorCode", "0x80042316")),
	}
	return Sample{
		Name:   "backup-overlapping-jobs",
		Bundle: "HV11_backup_overlap.zip",
		Zip:    true,
		Story: `HV11 is being moved from one backup product to another and, for a transition month, both
protect the host at 01:00: the old one through a SAN hardware provider, the new one with its
own software provider and change-tracking filter. Every night one of them wins the VSS
snapshot set and the other fails with 0x80042316 ("another shadow copy creation is already
in progress"); EXCH01's backup checkpoint fails twice and two products' shadows remain.`,
		Files: Files{
			"HV11_vssadmin_list_providers.txt":                    UTF16(providers),
			"HV11_vssadmin_list_shadows.txt":                      UTF16(shadows),
			"HV11_vssadmin_list_writers.txt":                      UTF16(VSSAdminWriters(HealthyWriters())),
			"HV11_fltmc.txt":                                      OEM850(filters),
			"EventLogs/Application.evtx":                          EVTX(app, 77120),
			"EventLogs/Microsoft-Windows-Hyper-V-VMMS-Admin.evtx": EVTX(vmmsLog, 15002),
		},
		Expected: Expected{
			TopCause: "backup-overlapping-jobs",
			MustFind: []string{"backup-overlapping-jobs"},
			MustNot:  []string{"storage-connectivity"},
			Cites: []string{
				"backup-overlapping-jobs EventLogs/Microsoft-Windows-Hyper-V-VMMS-Admin.evtx record 15002",
			},
		},
	}
}

// backupVendorIntegration: the backup agent was upgraded badly; its
// recovery checkpoints and change-tracking files stay behind.
func backupVendorIntegration() Sample {
	h := Host{Computer: "HV12.contoso.local"}
	const (
		vm, vmID = "APP03", "B6D3A915-2E8C-4F47-9A61-C0E7D4B2F839"
		dir      = `D:\Hyper-V\APP03\Virtual Hard Disks`
	)
	vendor := VSSProvider{Name: "Backup Exec VSS Provider", Type: "Software", ID: "2a9e5c71-4d3b-4f80-b6e2-91c8d7a3f045", Version: "22.0.1193.1605"}
	snaps := VMSnapshotsList([]Checkpoint{
		{VMName: vm, Name: "APP03 - Backup - (3/2/2024 - 1:00:12 AM)", Type: "Recovery", Created: Day(2024, 3, 2, 1, 0),
			ID: "7C1E9A43-5B2D-4F86-A0E3-D9B6C2F4A158", VMID: vmID, Path: `D:\Hyper-V\APP03`, HardDrives: []string{dir + `\APP03.vhdx`}},
	})
	vms := VMList([]VM{{Name: vm, ID: vmID, State: "Running", Version: "9.0", Generation: 2, Path: `D:\Hyper-V\APP03`,
		SnapshotLocation: `D:\Hyper-V\APP03`, CheckpointType: "Production", ParentSnapshot: "APP03 - Backup - (3/2/2024 - 1:00:12 AM)",
		HardDrives: []string{dir + `\APP03_` + vmID + `.avhdx`}}})
	listing := DirListing([]ListedDir{{Path: dir, Files: []ListedFile{
		{Name: "APP03.vhdx", Size: 53687091200, Modified: Day(2024, 3, 2, 1, 0)},
		{Name: "APP03.vhdx.mrt", Size: 77824, Modified: Day(2024, 3, 2, 1, 0)},
		{Name: "APP03.vhdx.rct", Size: 3407872, Modified: Day(2024, 3, 2, 1, 0)},
		{Name: "APP03_" + vmID + ".avhdx", Size: 13958643712, Modified: At(8, 30, 0)},
		{Name: "APP03_D04F7B2A-6C91-4E35-8A7D-3F2E1B9C5064.avhdx.mrt", Size: 77824, Modified: Day(2024, 2, 24, 1, 3)},
		{Name: "APP03_D04F7B2A-6C91-4E35-8A7D-3F2E1B9C5064.avhdx.rct", Size: 69632, Modified: Day(2024, 2, 24, 1, 3)},
	}}})
	app := []evtxwrite.Record{
		h.Classic("Application", "Backup Exec", 34113, 0, LevelError, Day(2024, 3, 13, 1, 22),
			"Backup Exec Alert: Job Failed\n(Server: \"HV12\") (Job: \"HV12 Hyper-V Daily-Incremental\") HV12 Hyper-V Daily-Incremental -- The job failed with the following error: The Hyper-V virtual machine has a recovery checkpoint from a previous backup that could not be removed."),
		h.Classic("Application", "Backup Exec", 34113, 0, LevelError, At(1, 21, 9),
			"Backup Exec Alert: Job Failed\n(Server: \"HV12\") (Job: \"HV12 Hyper-V Daily-Incremental\") HV12 Hyper-V Daily-Incremental -- The job failed with the following error: The Hyper-V virtual machine has a recovery checkpoint from a previous backup that could not be removed."),
	}
	vhdmp := []evtxwrite.Record{
		h.Manifest("Microsoft-Windows-VHDMP-Operational", "Microsoft-Windows-VHDMP", GUIDVHDMP, 9, LevelError, Day(2024, 3, 2, 1, 0),
			F("VhdFileName", dir+`\APP03.vhdx`)),
	}
	return Sample{
		Name:   "backup-vendor-integration",
		Bundle: "HV12_APP03_backup.zip",
		Zip:    true,
		Story: `On 2 March the backup agent on HV12 was upgraded while a backup of APP03 ran. The job's
recovery checkpoint was never removed and APP03 has run on its AVHDX since; change-tracking
files of an older, deleted checkpoint also remain. Every nightly job since fails because
the product will not back up a VM holding its own old recovery checkpoint.`,
		Files: Files{
			"HV12/Get-VMSnapshot.txt":                       UTF16(snaps),
			"HV12/Get-VM.txt":                               UTF16(vms),
			"HV12/dir_APP03.txt":                            OEM850(listing),
			"HV12/vssadmin_list_providers.txt":              OEM850(VSSAdminProviders([]VSSProvider{ProviderFileShare, ProviderSoftware, vendor})),
			"HV12/Application.evtx":                         EVTX(app, 230117),
			"HV12/Microsoft-Windows-VHDMP-Operational.evtx": EVTX(vhdmp, 804),
		},
		Expected: Expected{
			TopCause: "backup-vendor-integration",
			MustFind: []string{"backup-vendor-integration"},
			MustNot:  []string{"backup-blocked-by-user-checkpoint", "vss-writer-failed"},
			Cites: []string{
				"backup-vendor-integration HV12/Get-VMSnapshot.txt line 3",
				"backup-vendor-integration HV12/Application.evtx record 230117",
			},
		},
	}
}

// backupBlockedByUserCheckpoint: the backup product refuses a VM with a
// user checkpoint.
func backupBlockedByUserCheckpoint() Sample {
	h := Host{Computer: "HV13.contoso.local"}
	const (
		vm, vmID   = "SQL05", "0D7B4E92-A6C1-4F38-9E25-B8F3C1D6A047"
		vm2, vm2ID = "SQL06", "F5C2A8D1-3E69-4B07-A4D8-6C1E9B3F2A75"
	)
	snaps := VMSnapshotsList([]Checkpoint{
		{VMName: vm, Name: "Before SQL 2022 CU12", Type: "Standard", Created: Day(2024, 3, 11, 20, 5),
			ID: "A3E6C1B8-4D27-4F95-B0A2-E7D9C5F1B384", VMID: vmID, Path: `D:\Hyper-V\SQL05`,
			HardDrives: []string{`D:\Hyper-V\SQL05\Virtual Hard Disks\SQL05.vhdx`}},
	})
	app := []evtxwrite.Record{
		h.Classic("Application", "NetWorker", 1, 0, LevelError, At(0, 42, 10),
			"NMM backup of Hyper-V saveset failed on HV13: Saveset contains VM with checkpoint: SQL05 ("+vmID+"). RCT-based backup cannot proceed."),
	}
	vmmsLog := []evtxwrite.Record{
		vmms(h, 18016, LevelInfo, At(0, 40, 2), vm2, vm2ID, F("ErrorMessage", "Checkpoint for 'SQL06' was created successfully.")),
	}
	return Sample{
		Name:   "backup-blocked-by-user-checkpoint",
		Bundle: "HV13_networker.zip",
		Zip:    true,
		Story: `The DBA took a standard checkpoint of SQL05 on HV13 before a SQL cumulative update on
11 March and kept it "just in case". The NetWorker module protects the host with RCT-based
backups and refuses a VM holding a user checkpoint: the 00:40 job on 14 March fails with
"Saveset contains VM with checkpoint" for SQL05, while SQL06 is backed up normally.`,
		Files: Files{
			"Get-VMSnapshot.txt":                        UTF16(snaps),
			"Application.evtx":                          EVTX(app, 510332),
			"Microsoft-Windows-Hyper-V-VMMS-Admin.evtx": EVTX(vmmsLog, 2260),
			"vssadmin_list_writers.txt":                 OEM850(VSSAdminWriters(HealthyWriters())),
		},
		Expected: Expected{
			TopCause: "backup-blocked-by-user-checkpoint",
			MustFind: []string{"backup-blocked-by-user-checkpoint"},
			MustNot:  []string{"vss-writer-failed", "backup-overlapping-jobs"},
			Cites:    []string{},
		},
	}
}
