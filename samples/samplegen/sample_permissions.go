package samplegen

import (
	"github.com/hvtriage/hvtriage/internal/evtxwrite"
	. "github.com/hvtriage/hvtriage/internal/fixture"
)

// Permission and lock samples: a GPO that drops the VM logon right, a
// restored disk without the VM's ACE, an antivirus filter locking AVHDX
// files, and a disk left mounted on the host.

// permissionLogonAsService: a hardening GPO rewrote "Log on as a service"
// without NT VIRTUAL MACHINE\Virtual Machines.
func permissionLogonAsService() Sample {
	h := Host{Computer: "HV20.contoso.local"}
	const (
		vm1, vm1ID = "APP04", "7D1E4A93-C6B2-4F58-9E07-2B8D5C3A1F64"
		vm2, vm2ID = "APP05", "B3F9C6E1-8A24-4D70-A5D3-E9C1F7B2A048"
	)
	rights := HyperVHostRights()
	for i := range rights {
		if rights[i].Name == "SeServiceLogonRight" {
			rights[i].Accounts = []string{"S-1-5-80-0", "S-1-5-20", "svc_backup"}
		}
	}
	secedit := Secedit(rights)
	fail := func(t int, vm, vmID string) evtxwrite.Record {
		return vmms(h, 15500, LevelError, At(7, 30, t), vm, vmID,
			F("ErrorMessage", "'"+vm+"' failed to start worker process: Logon failure: the user has not been granted the requested logon type at this computer. (0x80070569). (Virtual machine ID "+vmID+")"),
			F("ErrorCode", "0x80070569"))
	}
	vmmsLog := []evtxwrite.Record{fail(2, vm1, vm1ID), fail(5, vm2, vm2ID)}
	system := []evtxwrite.Record{
		h.Manifest(ChanSystem, "Microsoft-Windows-GroupPolicy", "{AEA1B4FA-97D1-45F2-A64C-4D69FFFD92C9}", 1502, LevelInfo, At(6, 55, 12),
			F("SupportInfo1", "1"), F("SupportInfo2", "5116"), F("ProcessingMode", "0"), F("ProcessingTimeInMilliseconds", "1812"),
			F("NumberOfGroupPolicyObjects", "4"), F("NewGroupPolicyObjects", "1")),
	}
	return Sample{
		Name:   "permission-logon-as-service",
		Bundle: "HV20_logonright.zip",
		Zip:    true,
		Story: `A new server-hardening GPO linked to the Hyper-V hosts' OU on 14 March defines "Log on
as a service" with only the service accounts the security team knew about. HV20 applies it
at 06:55 (GroupPolicy 1502); from then on NT VIRTUAL MACHINE\Virtual Machines (S-1-5-83-0)
is missing from SeServiceLogonRight and VMs cannot start their worker processes: APP04
and APP05 fail with 0x80070569 at 07:30.`,
		Files: Files{
			"HV20_240314-081500_Policy_secedit.txt":     UTF16(secedit),
			"System.evtx":                               EVTX(system, 145301),
			"Microsoft-Windows-Hyper-V-VMMS-Admin.evtx": EVTX(vmmsLog, 10220),
		},
		Expected: Expected{
			TopCause: "permission-logon-as-service",
			MustFind: []string{"permission-logon-as-service"},
			MustNot:  []string{"permission-acl"},
			Cites: []string{
				"permission-logon-as-service Microsoft-Windows-Hyper-V-VMMS-Admin.evtx record 10220",
			},
		},
	}
}

// permissionACL: a VHDX copied back from a file-level backup lost the
// VM's own ACE.
func permissionACL() Sample {
	h := Host{Computer: "HV21.contoso.local"}
	const (
		vm, vmID   = "CRM01", "4E8B2D71-F9A3-4C65-B1D0-6A3E8C5F2B97"
		vm2, vm2ID = "CRM02", "A1C5F8E3-2D7B-4946-8E0A-F3B6D9C2E175"
		dir        = `D:\Hyper-V\CRM01\Virtual Hard Disks`
		dir2       = `D:\Hyper-V\CRM02\Virtual Hard Disks`
	)
	acls := Icacls([]ACL{
		{Path: dir + `\CRM01.vhdx`, ACEs: []string{`NT AUTHORITY\SYSTEM:(I)(F)`, `BUILTIN\Administrators:(I)(F)`, `CONTOSO\svc_restore:(F)`, `BUILTIN\Users:(I)(RX)`}},
		{Path: dir2 + `\CRM02.vhdx`, ACEs: VMDiskACEs(vm2ID)},
	})
	workerLog := []evtxwrite.Record{
		worker(h, 12030, LevelError, At(10, 5, 41), vm, vmID,
			F("ErrorMessage", "'CRM01' Synthetic SCSI Controller (Instance ID 8B2E5D17-4C9A-4F36-A0E1-7D3C6B9F2A58): Failed to Power on with Error 'General access denied error' (0x80070005). Account does not have sufficient privilege to open attachment '"+dir+`\CRM01.vhdx`+"'."),
			F("ErrorCode", "0x80070005")),
		worker(h, 3040, LevelError, At(10, 5, 41), vm, vmID),
		worker(h, 18500, LevelInfo, At(10, 6, 30), vm2, vm2ID),
	}
	return Sample{
		Name:   "permission-acl",
		Bundle: "HV21_CRM01_access.zip",
		Zip:    true,
		Story: `CRM01's disk on HV21 was restored on 14 March by copying CRM01.vhdx back from a
file-level backup with the restore service account. The copy carries only inherited ACEs
and the restore account: the per-VM account NT VIRTUAL MACHINE\4E8B2D71-… has no access,
so CRM01 fails to start with "General access denied error" (0x80070005). CRM02's disk,
never touched, still has its VM's (R,W) entry and starts fine.`,
		Files: Files{
			"icacls_vhdx.txt": OEM850(acls),
			"Microsoft-Windows-Hyper-V-Worker-Admin.evtx": EVTX(workerLog, 3390),
		},
		Expected: Expected{
			TopCause: "permission-acl",
			MustFind: []string{"permission-acl"},
			MustNot:  []string{"permission-logon-as-service", "vm-files-missing"},
			Cites: []string{
				"permission-acl Microsoft-Windows-Hyper-V-Worker-Admin.evtx record 3390",
			},
		},
	}
}

// antivirusInterference: an endpoint protection product without Hyper-V
// exclusions locks AVHDX files during merges and backups.
func antivirusInterference() Sample {
	h := Host{Computer: "HV22.contoso.local"}
	const (
		vm, vmID = "SHARE01", "5C9E3A17-D2B6-4F84-A0C1-E7B4D9F2A653"
		dir      = `D:\Hyper-V\SHARE01\Virtual Hard Disks`
	)
	filters := Fltmc(WithFilters(Filter{Name: "SRTSP", Instances: 6, Altitude: "329000"}, Filter{Name: "SymEFASI", Instances: 6, Altitude: "260600"}))
	vmmsLog := []evtxwrite.Record{
		vmms(h, 19100, LevelError, At(1, 12, 40), vm, vmID,
			F("ErrorMessage", "'SHARE01' background disk merge failed to complete: The process cannot access the file because it is being used by another process. (0x80070020). (Virtual machine ID "+vmID+")"),
			F("ErrorCode", "0x80070020")),
		vmms(h, 18012, LevelError, At(1, 40, 3), vm, vmID,
			F("ErrorMessage", "'SHARE01' could not initiate a checkpoint operation: The process cannot access the file because it is being used by another process. (0x80070020). (Virtual machine ID "+vmID+")"),
			F("ErrorCode", "0x80070020")),
	}
	app := []evtxwrite.Record{
		h.Classic("Application", "VSS", 12298, 0, LevelError, At(1, 40, 1), `\\?\Volume{2d8a6c13-9f4e-4b07-a5d1-e3c7b9f0a264}\`, "0", "1", "1", "0", "0",
			"\n\nOperation:\n   Executing Asynchronous Operation\n\nContext:\n   Current State: DoSnapshotSet"),
	}
	return Sample{
		Name:   "antivirus-interference",
		Bundle: "HV22_av.zip",
		Zip:    true,
		Story: `The security team rolled out an endpoint protection suite to HV22 without the Hyper-V
exclusions (VM folders, .vhdx/.avhdx, vmms.exe, vmwp.exe). Its on-access scanner filter
(SRTSP, altitude 329000) now opens AVHDX files as the host touches them: the background
merge of SHARE01's backup checkpoint fails with a sharing violation (0x80070020) and the
next night's checkpoint and shadow copy fail the same way.`,
		Files: Files{
			"HV22_fltmc_filters.txt":                    OEM850(filters),
			"Microsoft-Windows-Hyper-V-VMMS-Admin.evtx": EVTX(vmmsLog, 8115),
			"Application.evtx":                          EVTX(app, 120400),
		},
		Expected: Expected{
			TopCause: "antivirus-interference",
			MustFind: []string{"antivirus-interference"},
			MustNot:  []string{"permission-acl"},
			Cites: []string{
				"antivirus-interference HV22_fltmc_filters.txt line 6",
			},
		},
	}
}

// staleFileLock: a backup administrator mounted a VM's disk on the host to
// pull a file and left it mounted.
func staleFileLock() Sample {
	h := Host{Computer: "HV23.contoso.local"}
	const (
		vm, vmID = "DOCS01", "8A2D6F41-B9C3-4E57-A1E0-3F7C5B2D9E86"
		disk     = `D:\Hyper-V\DOCS01\Virtual Hard Disks\DOCS01-data.vhdx`
	)
	vhd := getVHDList("HV23", []VHD{{Path: disk, Type: "Dynamic", DiskID: "E5B1C7A3-2F94-4D68-8B0E-A6D3C9F1E275",
		FileSize: 161061273600, Size: 536870912000, Attached: true, DiskNumber: "4"}})
	workerLog := []evtxwrite.Record{
		worker(h, 12030, LevelError, At(9, 3, 15), vm, vmID,
			F("ErrorMessage", "'DOCS01' Synthetic SCSI Controller (Instance ID 2F6B9D13-E4A7-4C80-B5D2-1A9E7C3F6B48): Failed to Power on with Error 'The process cannot access the file because it is being used by another process.' (0x80070020). Attachment '"+disk+"' failed to open."),
			F("ErrorCode", "0x80070020")),
		worker(h, 3040, LevelError, At(9, 3, 15), vm, vmID),
	}
	vhdmp := []evtxwrite.Record{
		h.Manifest("Microsoft-Windows-VHDMP-Operational", "Microsoft-Windows-VHDMP", GUIDVHDMP, 1, LevelInfo, Day(2024, 3, 13, 15, 47),
			F("VhdFileName", disk), evtxwrite.Field{Name: "VhdDiskNumber", Value: "4", Type: evtxwrite.UInt32},
			evtxwrite.Field{Name: "VirtualDisk", Value: "0xffff8d0a5c3e7060", Type: evtxwrite.HexInt64}),
	}
	return Sample{
		Name:   "stale-file-lock",
		Bundle: "HV23_DOCS01.zip",
		Zip:    true,
		Story: `On 13 March at 15:47 a backup administrator mounted DOCS01's data disk on HV23 (VHDMP 1)
to copy a few documents out while the VM was off, and never dismounted it. The next
morning DOCS01 will not start: the data disk is in use by another process (0x80070020).
Get-VHD shows the disk attached to the host as disk 4. No antivirus filter is loaded.`,
		Files: Files{
			"Get-VHD.txt": UTF16(vhd),
			"fltmc.txt":   OEM850(Fltmc(InboxFilters)),
			"Microsoft-Windows-Hyper-V-Worker-Admin.evtx": EVTX(workerLog, 702),
			"Microsoft-Windows-VHDMP-Operational.evtx":    EVTX(vhdmp, 1150),
		},
		Expected: Expected{
			TopCause: "stale-file-lock",
			MustFind: []string{"stale-file-lock"},
			MustNot:  []string{"antivirus-interference"},
			Cites: []string{
				"stale-file-lock Microsoft-Windows-Hyper-V-Worker-Admin.evtx record 702",
			},
		},
	}
}
