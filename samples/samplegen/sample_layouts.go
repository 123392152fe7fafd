package samplegen

import (
	"fmt"
	"strings"
	"time"

	"github.com/hvtriage/hvtriage/internal/evtxwrite"
	. "github.com/hvtriage/hvtriage/internal/fixture"
	"github.com/hvtriage/hvtriage/vhdx/vhdxtest"
)

// Samples about the bundle rather than one cause: a healthy host, a host
// where one VM of four is broken, the TSS and SDP layouts, and a bundle
// full of damaged files.

type hostVM struct {
	Name, ID string
}

// vmDiskDir is where the samples' hosts keep a VM's disks.
func vmDiskDir(vol, vm string) string { return vol + `\Hyper-V\` + vm + `\Virtual Hard Disks` }

// cleanHost: every input present, nothing wrong.
func cleanHost() Sample {
	h := Host{Computer: "HV30.contoso.local"}
	vms := []hostVM{{"WEB10", "0C3E7A52-9B1D-4F86-A4E2-D7B5C9F13A60"}, {"SQL10", "7A5D2E91-C4B8-4F03-9E6A-1B3F8D2C5E47"}, {"APP10", "E9B1F4C6-2D7A-4E58-B3C0-6A8D5F2E9B13"}}
	sqlDir := vmDiskDir("D:", "SQL10")
	baseBytes, base := disk(vhdxtest.Options{Seed: "sql10-base", VirtualSize: 200 << 30})
	childBytes, _ := disk(vhdxtest.ChildOf("sql10-cp1", base, `.\SQL10.vhdx`, sqlDir+`\SQL10.vhdx`, ""))

	var list []VM
	var drives []Drive
	var acls []ACL
	var dirs []ListedDir
	var workerLog []evtxwrite.Record
	for i, v := range vms {
		dir := vmDiskDir("D:", v.Name)
		current := dir + `\` + v.Name + `.vhdx`
		files := []ListedFile{{Name: v.Name + ".vhdx", Size: int64(40+10*i) << 30, Modified: At(8, 59, 0)}}
		vm := VM{Name: v.Name, ID: v.ID, State: "Running", Version: "10.0", Generation: 2, Path: `D:\Hyper-V\` + v.Name,
			SnapshotLocation: `D:\Hyper-V\` + v.Name, CheckpointType: "Production"}
		if v.Name == "SQL10" {
			current = dir + `\SQL10_` + v.ID + `.avhdx`
			vm.ParentSnapshot = "Before SQL CU (3/13/2024 - 6:02:11 PM)"
			files[0].Modified = Day(2024, 3, 13, 18, 2)
			files = append(files, ListedFile{Name: "SQL10_" + v.ID + ".avhdx", Size: 1342177280, Modified: At(8, 59, 0)})
		}
		vm.HardDrives = []string{current}
		list = append(list, vm)
		drives = append(drives, Drive{VMName: v.Name, ControllerType: "SCSI", Path: current})
		acls = append(acls, ACL{Path: current, ACEs: VMDiskACEs(v.ID)})
		dirs = append(dirs, ListedDir{Path: dir, Files: files})
		workerLog = append(workerLog, worker(h, 18500, LevelInfo, Day(2024, 3, 10, 5, 3+i), v.Name, v.ID))
	}
	snaps := VMSnapshotsList([]Checkpoint{{VMName: "SQL10", Name: "Before SQL CU (3/13/2024 - 6:02:11 PM)", Type: "Production",
		Created: Day(2024, 3, 13, 18, 2), ID: "3F8A1C6E-5D27-4B94-A0E3-C9B2D7F4E158", VMID: vms[1].ID, Path: `D:\Hyper-V\SQL10`,
		HardDrives: []string{sqlDir + `\SQL10.vhdx`}}})
	system := bootSequence(h, Day(2024, 3, 10, 5, 1), Build2022)
	system = append(system,
		h.Classic(ChanSystem, "Service Control Manager", 7036, QualInfo, LevelInfo, Day(2024, 3, 13, 1, 0), "Volume Shadow Copy", "running"),
		h.Classic(ChanSystem, "Service Control Manager", 7036, QualInfo, LevelInfo, Day(2024, 3, 13, 1, 12), "Volume Shadow Copy", "stopped"),
		h.Classic(ChanSystem, "Service Control Manager", 7036, QualInfo, LevelInfo, At(1, 0, 2), "Volume Shadow Copy", "running"),
		h.Classic(ChanSystem, "Service Control Manager", 7036, QualInfo, LevelInfo, At(1, 11, 40), "Volume Shadow Copy", "stopped"),
	)
	app := []evtxwrite.Record{
		h.Classic("Application", "VSS", 8224, 0, LevelInfo, Day(2024, 3, 13, 1, 12)),
		h.Classic("Application", "VSS", 8224, 0, LevelInfo, At(1, 11, 40)),
	}
	vmmsLog := []evtxwrite.Record{
		vmms(h, 18016, LevelInfo, Day(2024, 3, 13, 18, 2), "SQL10", vms[1].ID, F("ErrorMessage", "Checkpoint for 'SQL10' was created successfully.")),
	}
	return Sample{
		Name:   "clean-healthy-host",
		Bundle: "HV30_healthcheck.zip",
		Zip:    true,
		Story: `HV30 is a healthy Windows Server 2022 host with three VMs, collected for a routine health
check. Every input is there: logs, vssadmin, Get-VM, Get-VMSnapshot, listings, ACLs,
user rights, filters and the disk headers of SQL10, which has a production checkpoint
taken the evening before for a SQL update. Nightly backups succeed. The report must stay
quiet: nothing above low.`,
		Files: Files{
			"HV30/EventLogs/System.evtx":                                 EVTX(system, 20411),
			"HV30/EventLogs/Application.evtx":                            EVTX(app, 6120),
			"HV30/EventLogs/Microsoft-Windows-Hyper-V-VMMS-Admin.evtx":   EVTX(vmmsLog, 402),
			"HV30/EventLogs/Microsoft-Windows-Hyper-V-Worker-Admin.evtx": EVTX(workerLog, 1877),
			"HV30/vssadmin_list_writers.txt":                             UTF16(VSSAdminWriters(HealthyWriters())),
			"HV30/vssadmin_list_providers.txt":                           UTF16(VSSAdminProviders([]VSSProvider{ProviderFileShare, ProviderSoftware})),
			"HV30/vssadmin_list_shadows.txt":                             UTF16(VSSAdminShadows(nil)),
			"HV30/Get-VM.txt":                                            UTF16(VMList(list)),
			"HV30/Get-VMSnapshot.txt":                                    UTF16(snaps),
			"HV30/Get-VMHardDiskDrive.txt":                               UTF16(VMHardDiskDrives(drives)),
			"HV30/dir_s_D_HyperV.txt":                                    OEM850(DirListing(dirs)),
			"HV30/icacls_vm_disks.txt":                                   OEM850(Icacls(acls)),
			"HV30/secedit_user_rights.txt":                               UTF16(Secedit(HyperVHostRights())),
			"HV30/fltmc.txt":                                             OEM850(Fltmc(InboxFilters)),
			"HV30/Disks/SQL10.vhdx":                                      baseBytes,
			"HV30/Disks/SQL10_" + vms[1].ID + ".avhdx":                   childBytes,
		},
		Expected: Expected{
			MustFind: []string{},
			MustNot: []string{"vss-writer-failed", "chain-broken", "chain-parent-modified", "checkpoint-orphaned",
				"checkpoint-missing-files", "storage-connectivity", "filesystem-corruption", "permission-acl",
				"permission-logon-as-service", "antivirus-interference", "backup-overlapping-jobs"},
			Cites:       []string{},
			MaxSeverity: "low",
		},
	}
}

// multiVMOneAffected: four VMs with checkpoints on one host; only SQL31's
// base disk was written after its checkpoint.
func multiVMOneAffected() Sample {
	h := Host{Computer: "HV31.contoso.local"}
	vms := []hostVM{{"APP31", "1B6E3F94-A7C2-4D58-9E01-C5D8B2F7A436"}, {"SQL31", "D4A9C2E7-3F61-4B85-A0D2-8E7C1B5F9A63"},
		{"WEB31", "5F2C8A13-E6D4-4B97-8A30-B1E9D7C3F254"}, {"FS31", "9C7E1D48-B2A5-4F63-9D80-3A6F5C1E7B92"}}
	files := Files{}
	var list []VM
	var snaps []Checkpoint
	var bad string
	for i, v := range vms {
		dir := vmDiskDir("E:", v.Name)
		seed := strings.ToLower(v.Name)
		_, original := disk(vhdxtest.Options{Seed: seed + "-base", VirtualSize: uint64(60+20*i) << 30})
		childBytes, _ := disk(vhdxtest.ChildOf(seed+"-cp1", original, `.\`+v.Name+`.vhdx`, dir+`\`+v.Name+`.vhdx`, ""))
		parentOpt := vhdxtest.Options{Seed: seed + "-base", VirtualSize: uint64(60+20*i) << 30}
		if v.Name == "SQL31" {
			// Attached to the host by a DBA and written after the checkpoint.
			parentOpt.DataWriteGUID, parentOpt.Sequence = vhdxtest.GUID(seed+"-base", "attached-on-host"), 19
		}
		parentBytes, _ := disk(parentOpt)
		child := v.Name + "_" + v.ID + ".avhdx"
		files["Disks/"+v.Name+"/"+v.Name+".vhdx"] = parentBytes
		files["Disks/"+v.Name+"/"+child] = childBytes
		if v.Name == "SQL31" {
			bad = "Disks/" + v.Name + "/" + child
		}
		cp := fmt.Sprintf("%s - (3/%d/2024 - 10:%02d:00 PM)", v.Name, 12+i%2, 10+i)
		list = append(list, VM{Name: v.Name, ID: v.ID, State: "Running", Version: "10.0", Generation: 2, Path: `E:\Hyper-V\` + v.Name,
			SnapshotLocation: `E:\Hyper-V\` + v.Name, CheckpointType: "Production", ParentSnapshot: cp, HardDrives: []string{dir + `\` + child}})
		snaps = append(snaps, Checkpoint{VMName: v.Name, Name: cp, Type: "Production", Created: Day(2024, 3, 12+i%2, 22, 10+i),
			ID: strings.ToUpper(fmt.Sprintf("%08X-0000-4000-8000-%012X", 0x51A0+i, 0x31+i)), VMID: v.ID, Path: `E:\Hyper-V\` + v.Name,
			HardDrives: []string{dir + `\` + v.Name + `.vhdx`}})
	}
	sql := vms[1]
	workerLog := []evtxwrite.Record{
		worker(h, 18500, LevelInfo, Day(2024, 3, 13, 6, 0), vms[0].Name, vms[0].ID),
		worker(h, 18504, LevelInfo, At(2, 30, 0), sql.Name, sql.ID, F("Reason", "The virtual machine was shut down by the Shutdown integration component.")),
		worker(h, 12030, LevelError, At(7, 5, 33), sql.Name, sql.ID,
			F("ErrorMessage", "'SQL31' Synthetic SCSI Controller (Instance ID 6D1A9E34-C7B2-4F85-A3E0-2B8F5D1C7E96): Failed to Power on with Error '"+vhdxMismatch+"' (0xC03A000E)."),
			F("ErrorCode", "0xC03A000E")),
		worker(h, 3040, LevelError, At(7, 5, 34), sql.Name, sql.ID),
	}
	files["Get-VM.txt"] = UTF16(VMList(list))
	files["Get-VMSnapshot.txt"] = UTF16(VMSnapshotsList(snaps))
	files["Microsoft-Windows-Hyper-V-Worker-Admin.evtx"] = EVTX(workerLog, 71020)
	return Sample{
		Name:   "multi-vm-one-affected",
		Bundle: "HV31_four_vms.zip",
		Zip:    true,
		Story: `HV31 hosts four VMs, each with a production checkpoint taken for the March patch run. In
the night a DBA shut SQL31 down and attached its base disk on the host to copy a database
file in, which changed the base disk's identity. APP31, WEB31 and FS31 have intact chains
and run; SQL31 no longer starts (0xC03A000E). The report must name SQL31 and only SQL31.`,
		Files: files,
		Expected: Expected{
			TopCause: "chain-parent-modified",
			MustFind: []string{"chain-parent-modified"},
			MustNot:  []string{"chain-broken", "checkpoint-orphaned", "checkpoint-missing-files"},
			Cites: []string{
				"chain-parent-modified " + bad + " offset 0x210088",
				"chain-parent-modified Microsoft-Windows-Hyper-V-Worker-Admin.evtx record 71022",
			},
		},
	}
}

// tssLayout: a TSS SHA_HypHost collection, zipped by TSS and zipped again
// by the customer for upload.
func tssLayout() Sample {
	h := Host{Computer: "HV32.contoso.local"}
	const (
		vm, vmID = "EXCH02", "B9D4E1A6-2C7F-4B38-A5E0-D3C8F6B2A917"
		prefix   = "HV32_240314-090000_"
		root     = "TSS_HV32_240314-090000_SHA_HypHost/"
		basic    = root + "BasicLog-2024-03-14.0900.00/"
	)
	writers := HealthyWriters()
	for i := range writers {
		if writers[i].ID == WriterHyperV {
			writers[i].State, writers[i].LastError = 11, "Non-retryable error"
		}
	}
	banner := "vssadmin 1.1 - Volume Shadow Copy Service administrative command-line tool\n(C) Copyright 2001-2013 Microsoft Corp.\n\n"
	volumes := banner + "Volume path: C:\\\n    Volume name: \\\\?\\Volume{1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b}\\\nVolume path: E:\\\n    Volume name: \\\\?\\Volume{7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d}\\\n"
	vssTxt := volumes + VSSAdminWriters(writers) + VSSAdminProviders([]VSSProvider{ProviderFileShare, ProviderSoftware}) + VSSAdminShadows(nil)
	app := []evtxwrite.Record{
		h.Classic("Application", "VSS", 8229, 0, LevelWarning, At(2, 14, 8), "0x800423f4, The writer experienced a non-transient error.  If the backup process is retried,\nthe error is likely to reoccur.\n", "",
			"\n\nOperation:\n   PostSnapshot Event\n\nContext:\n   Execution Context: Writer\n   Writer Class Id: {66841cd4-6ded-4f4b-8f17-fd23f8ddc3de}\n   Writer Name: Microsoft Hyper-V VSS Writer\n   Writer Instance ID: {a9d35e10-4c7b-4f2a-8e61-3b0d9c2f7e58}\n   Command Line: C:\\Windows\\system32\\vmms.exe\n   Process ID: 3104"),
	}
	vmmsLog := []evtxwrite.Record{
		vmms(h, 18012, LevelError, At(2, 14, 9), vm, vmID,
			F("ErrorMessage", "Could not create backup checkpoint for virtual machine 'EXCH02': The writer experienced a non-transient error. (0x800423F4). (Virtual machine ID "+vmID+")"),
			F("ErrorCode", "0x800423F4")),
	}
	workerLog := []evtxwrite.Record{worker(h, 18500, LevelInfo, Day(2024, 3, 11, 4, 40), vm, vmID)}
	system := bootSequence(h, Day(2024, 3, 11, 4, 38), Build2022)
	// wevtutil al writes a locale archive next to each exported log;
	// hvtriage renders from insertion strings and only inventories them.
	mta := func(name string) []byte {
		return append([]byte("MTA\x00\x01\x00\x00\x00"), UTF16(name+" en-US message archive")...)
	}
	inner := Files{
		root + prefix + "Microsoft-Windows-Hyper-V-VMMS-Admin.evtx":                           EVTX(vmmsLog, 9921),
		root + "LocaleMetaData/" + prefix + "Microsoft-Windows-Hyper-V-VMMS-Admin_1033.MTA":   mta("Microsoft-Windows-Hyper-V-VMMS-Admin"),
		root + prefix + "Microsoft-Windows-Hyper-V-Worker-Admin.evtx":                         EVTX(workerLog, 30117),
		root + "LocaleMetaData/" + prefix + "Microsoft-Windows-Hyper-V-Worker-Admin_1033.MTA": mta("Microsoft-Windows-Hyper-V-Worker-Admin"),
		basic + "EventLogs/System.evtx":                                                       EVTX(system, 66012),
		basic + "EventLogs/Application.evtx":                                                  EVTX(app, 40233),
		basic + "EventLogs/LocaleMetaData/Application_1033.MTA":                               mta("Application"),
		basic + prefix + "Storage_VSSAdmin.txt":                                               UTF16(vssTxt),
		basic + prefix + "Storage_fltmc.txt":                                                  UTF16(Fltmc(InboxFilters)),
		basic + prefix + "Policy_secedit.txt":                                                 UTF16(Secedit(HyperVHostRights())),
	}
	innerZip := must(inner.Zip(true))
	return Sample{
		Name:   "tss-layout",
		Bundle: "Case2403140007_HV32.zip",
		Zip:    true,
		Story: `The customer ran TSS with the SHA_HypHost scenario on HV32 after the nightly backup of
EXCH02 failed, and uploaded TSS's zip inside a zip of their own. The Hyper-V writer
failed after the snapshot with a non-retryable error (VSS 8229, 0x800423F4) and is
still in state [11] in TSS's Storage_VSSAdmin.txt; VMMS logged the failed backup
checkpoint. Logs come with their LocaleMetaData archives; text outputs are UTF-16.`,
		Files: Files{
			"TSS_HV32_240314-090000_SHA_HypHost.zip": innerZip,
			"upload_note.txt":                        ASCII("Backup of EXCH02 failed again last night, TSS attached. -- J. Smith, Contoso IT\n"),
		},
		Expected: Expected{
			TopCause: "vss-writer-failed",
			MustFind: []string{"vss-writer-failed"},
			MustNot:  []string{"storage-connectivity", "permission-logon-as-service", "antivirus-interference"},
			Cites: []string{
				"vss-writer-failed TSS_HV32_240314-090000_SHA_HypHost.zip/" + basic + prefix + "Storage_VSSAdmin.txt line 29",
				"vss-writer-failed TSS_HV32_240314-090000_SHA_HypHost.zip/" + basic + "EventLogs/Application.evtx record 40233",
			},
		},
	}
}

// utf16Tail is UTF-16LE text without a BOM, as PowerShell appends it to a
// file that already has one.
func utf16Tail(s string) []byte { return UTF16(s)[2:] }

// sdpLayout: a psSDP Hyper-V collection: SDP file names, a UTF-8 BasicInfo
// report and the mixed-encoding VSSAdmin file.
func sdpLayout() Sample {
	h := Host{Computer: "HV33.contoso.local"}
	const (
		vm, vmID = "CAD01", "4D9B7E25-A1C3-4F68-8E02-C6F3B9D1A574"
		vm2, id2 = "CAD02", "E2A8C5F1-7B3D-4964-A0E7-1D5B9C3F6E82"
		dir      = `D:\Hyper-V\CAD01\Virtual Hard Disks`
		gone     = dir + `\CAD01_A6C1E9D3-4B72-4F05-9E38-2D7B5F1C8A64.avhdx`
	)
	basicInfo := sdpBasicInfo(`D:\Hyper-V`, []BasicInfoVM{
		{Name: vm, ID: vmID, Version: "10.0", PID: 5120, Disks: []BasicInfoDisk{{Path: dir + `\CAD01_` + vmID + `.avhdx`, Type: "Differencing", ID: "8E3B1F6A-2C94-4D57-B0A1-E5D7C3F9B248"}},
			Snapshots: []BasicInfoSnapshot{
				{Name: "Before CAD 2024 install", Type: "Standard", Created: Day(2024, 2, 26, 17, 45), Files: []string{dir + `\CAD01.vhdx`}},
				{Name: "Before plugin update", Type: "Standard", Created: Day(2024, 3, 8, 12, 20), Parent: "Before CAD 2024 install",
					Files: []string{gone}, MissingFile: gone},
			}},
		{Name: vm2, ID: id2, Version: "10.0", PID: 5388, Disks: []BasicInfoDisk{{Path: `D:\Hyper-V\CAD02\Virtual Hard Disks\CAD02.vhdx`, Type: "Dynamic", ID: "1C7F4A92-B6E3-4D05-8A19-F2D6C8E3B571"}}},
	})
	rule := strings.Repeat("-", 60) + "\n"
	caption := func(cmd string) []byte { return utf16Tail(rule + "VSSAdmin.exe " + cmd + "\n" + rule + "\n") }
	banner := "vssadmin 1.1 - Volume Shadow Copy Service administrative command-line tool\n(C) Copyright 2001-2013 Microsoft Corp.\n\n"
	var vss []byte
	vss = append(vss, 0xFF, 0xFE)
	vss = append(vss, caption("list writers")...)
	vss = append(vss, OEM850(VSSAdminWriters(HealthyWriters()))...)
	vss = append(vss, caption("list providers")...)
	vss = append(vss, OEM850(VSSAdminProviders([]VSSProvider{ProviderFileShare, ProviderSoftware}))...)
	vss = append(vss, caption("list shadowstorage")...)
	vss = append(vss, OEM850(banner+"Shadow Copy Storage association\n   For volume: (D:)\\\\?\\Volume{5a0e3c71-2b9d-4f6e-8c1a-7d3f0e9b2c45}\\\n   Shadow Copy Storage volume: (D:)\\\\?\\Volume{5a0e3c71-2b9d-4f6e-8c1a-7d3f0e9b2c45}\\\n   Used Shadow Copy Storage space: 0 bytes (0%)\n   Allocated Shadow Copy Storage space: 0 bytes (0%)\n   Maximum Shadow Copy Storage space: 186 GB (10%)\n\n")...)
	vmmsLog := []evtxwrite.Record{
		vmms(h, 18012, LevelError, At(10, 40, 2), vm, vmID,
			F("ErrorMessage", "Checkpoint operation for 'CAD01' failed. 'CAD01' could not open '"+gone+"': The system cannot find the file specified. (0x80070002). (Virtual machine ID "+vmID+")"),
			F("ErrorCode", "0x80070002")),
	}
	system := bootSequence(h, Day(2024, 3, 4, 6, 12), Build2022)
	return Sample{
		Name:   "sdp-layout",
		Bundle: "SDP_HyperV_HV33.zip",
		Zip:    true,
		Story: `HV33 was collected with the Hyper-V SDP. CAD01 has two standard checkpoints; the AVHDX
of the second one ("Before plugin update") was deleted by hand when someone freed space
on D:, and the next checkpoint operation fails with 0x80070002. The SDP's Hyper-VBasicInfo
report flags the missing file under the checkpoint's File List. Files use SDP names:
HV33_evt_*.evtx, a UTF-8 BasicInfo and the mixed UTF-16/OEM HV33_VSSAdmin.TXT.`,
		Files: Files{
			"SDP_HyperV/HV33_evt_HyperVVMMS-Admin.evtx": EVTX(vmmsLog, 12044),
			"SDP_HyperV/HV33_evt_System.evtx":           EVTX(system, 80512),
			"SDP_HyperV/HV33_Hyper-VBasicInfo.txt":      UTF8BOM(basicInfo),
			"SDP_HyperV/HV33_VSSAdmin.TXT":              vss,
		},
		Expected: Expected{
			TopCause: "checkpoint-missing-files",
			MustFind: []string{"checkpoint-missing-files"},
			MustNot:  []string{"vss-writer-failed", "checkpoint-orphaned"},
			Cites:    []string{},
		},
	}
}

// damagedFiles: the analysis still finds its cause when many files of the
// bundle are damaged, and lists every damaged file.
func damagedFiles() Sample {
	h := Host{Computer: "HV34.contoso.local"}
	// System log of two chunks: the Ntfs corruption report sits in the
	// first chunk, service chatter fills the second, which is damaged.
	system := bootSequence(h, Day(2024, 3, 12, 4, 0), Build2019)
	system = append(system,
		h.Manifest(ChanSystem, "Ntfs", "{DD70BC80-EF44-421B-8AC3-CD31DA613A4E}", 55, LevelError, Day(2024, 3, 12, 22, 41),
			F("DriveName", "D:"), F("DeviceName", `\Device\HarddiskVolume5`), F("CorruptionState", "0x1"),
			F("HeaderFlags", "0x922"), F("Severity", "Critical"), F("Origin", "File System Driver"), F("Verb", "Corruption Detected"),
			F("Description", "The Master File Table (MFT) contains a corrupted file record.  The file reference number is 0x9000000001a2f.  The name of the file is \"\\Hyper-V\\OPS01\\Virtual Hard Disks\\OPS01.vhdx\"."),
			F("Signature", "0x6d53f1a2"), F("Outcome", "Pseudo-Verb Scan Needed")))
	t := Day(2024, 3, 12, 23, 0)
	for i := 0; len(system) < 700; i++ {
		state := []string{"running", "stopped"}[i%2]
		svc := []string{"Windows Modules Installer", "WinHTTP Web Proxy Auto-Discovery Service", "Volume Shadow Copy", "Windows Update"}[i/2%4]
		system = append(system, h.Classic(ChanSystem, "Service Control Manager", 7036, QualInfo, LevelInfo, t, svc, state))
		t = t.Add(97 * time.Second)
	}
	sysFile := must(evtxwrite.Damaged(EVTX(system, 90001), evtxwrite.ChunkHeaderChecksum, 1))
	app := []evtxwrite.Record{
		h.Classic("Application", "VSS", 8224, 0, LevelInfo, Day(2024, 3, 13, 1, 12)),
		h.Classic("Application", "VSS", 8224, 0, LevelInfo, Day(2024, 3, 13, 13, 12)),
		h.Classic("Application", "VSS", 8224, 0, LevelInfo, At(1, 12, 0)),
		h.Classic("Application", "VSS", 8224, 0, LevelInfo, At(5, 12, 0)),
	}
	appFile := must(evtxwrite.Damaged(EVTX(app, 512), evtxwrite.TruncatedChunk, 0))
	baseBytes, _ := disk(vhdxtest.Options{Seed: "ops01-base", VirtualSize: 80 << 30, Sequence: 8})
	garbage := make([]byte, 3000)
	x := uint32(2463534242)
	for i := range garbage {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		garbage[i] = byte(x)
	}
	return Sample{
		Name:   "damaged-files",
		Bundle: "HV34_partial_upload.zip",
		Zip:    true,
		Story: `HV34's logs were copied off a failing volume and the upload was interrupted twice. The
System log has one damaged chunk, Application.evtx is truncated, header 2 of OPS01.vhdx
was torn, the Get-VM output is binary garbage and the "cluster logs" zip is the web
page of a failed download. The first chunk of the System log survives and still shows
NTFS reporting a corrupted MFT record for OPS01.vhdx (Ntfs 55). Every damaged file must
appear in the inventory with its problem.`,
		Files: Files{
			"HV34/System.evtx":           sysFile,
			"HV34/Application.evtx":      appFile,
			"HV34/OPS01/OPS01.vhdx":      corruptHeader2(baseBytes),
			"HV34/HV34_Get-VM.txt":       garbage,
			"HV34/HV34_cluster_logs.zip": ASCII("<html><head><title>Download failed</title></head><body>The file transfer session expired. Please upload again.</body></html>\n"),
		},
		Expected: Expected{
			TopCause: "filesystem-corruption",
			MustFind: []string{"filesystem-corruption"},
			MustNot:  []string{"storage-connectivity"},
			Cites:    []string{"filesystem-corruption HV34/System.evtx record 90005"},
			Damaged: []string{"HV34/System.evtx", "HV34/Application.evtx", "HV34/OPS01/OPS01.vhdx", "HV34/HV34_Get-VM.txt",
				"HV34/HV34_cluster_logs.zip"},
		},
	}
}
