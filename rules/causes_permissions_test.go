package rules_test

import (
	"time"

	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvtriage/hvtriage/internal/evtxwrite"
	. "github.com/hvtriage/hvtriage/internal/fixture"
	"github.com/hvtriage/hvtriage/rules"
	"github.com/hvtriage/hvtriage/wintext"
)

func rightsWithout(right, sid string) []Right {
	rs := HyperVHostRights()
	for i := range rs {
		if rs[i].Name == right {
			var keep []string
			for _, a := range rs[i].Accounts {
				if a != sid {
					keep = append(keep, a)
				}
			}
			rs[i].Accounts = keep
		}
	}
	return rs
}

func web01VMList() string {
	return VMList([]VM{{Name: "WEB01", ID: web01ID, State: "Off", Version: "10.0", Path: `D:\Hyper-V\WEB01`,
		HardDrives: []string{web01Disks + `\WEB01.vhdx`}}})
}

func mergeLocked(t int) evtxwrite.Record {
	return hv02.VMMS(19100, LevelError, At(3, t, 0), "WEB01", web01ID,
		F("ErrorMessage", "'WEB01' background disk merge failed to complete: The process cannot access the file because it is being used by another process. (0x80070020)"))
}

// securityEvent is a Security-Auditing event of HV02's Security log.
func securityEvent(id uint16, at time.Time, fields ...evtxwrite.Field) evtxwrite.Record {
	return hv02.Manifest("Security", "Microsoft-Windows-Security-Auditing", "{54849625-5478-4994-A5BA-3E3B0328C30D}", id, LevelInfo, at, fields...)
}

// logonRight is 4704 (assigned) or 4705 (removed) for one SID.
func logonRight(id uint16, at time.Time, sid string) evtxwrite.Record {
	return securityEvent(id, at, F("SubjectUserName", "admin"), F("SubjectDomainName", "CONTOSO"), F("TargetSid", sid),
		F("PrivilegeList", "SeServiceLogonRight"))
}

const logonDenied = "'WEB01' failed to start worker process: Logon failure: the user has not been granted the requested logon type at this computer. (0x80070569)"

func logonDeniedWorker() []byte {
	return EVTX([]evtxwrite.Record{hv02.Worker(3040, LevelError, At(7, 0, 0), "WEB01", web01ID, F("ErrorMessage", logonDenied))}, 50)
}

func accessDeniedWorker() []byte {
	return EVTX([]evtxwrite.Record{hv02.Worker(12030, LevelError, At(7, 0, 0), "WEB01", web01ID,
		F("ErrorMessage", "'WEB01': Account does not have sufficient privilege to open attachment '"+web01Disks+`\WEB01.vhdx`+"'. Error: 'General access denied error' (0x80070005)."))}, 90)
}

func quietVMMS() []byte {
	return EVTX([]evtxwrite.Record{hv02.VMMS(13002, LevelInfo, At(0, 30, 0), "WEB01", web01ID)}, 1)
}

func defenderOnly() string {
	return Fltmc(WithFilters(Filter{Name: "WdFilter", Instances: 6, Altitude: "328010"}))
}

const lockedAVHDX = `D:\Hyper-V\WEB01\Virtual Hard Disks\WEB01_9C2B7E15-3D48-4A6F-B1E0-5F7A2C8D4E91.avhdx`

// handleHeldBy is Handle.exe output: WEB01's worker holds its disk and
// process holds the AVHDX.
func handleHeldBy(process string) func(*testing.T) Files {
	return func(*testing.T) Files {
		return Files{"handles.txt": UTF16(HandleOutput([]OpenHandle{
			{Process: "vmwp.exe", PID: 5120, ID: "5A4", Path: `D:\Hyper-V\WEB01\Virtual Hard Disks\WEB01.vhdx`},
			{Process: process, PID: 2980, ID: "1F0", Path: lockedAVHDX},
		}))}
	}
}

func permissionsChanged(path string) evtxwrite.Record {
	return securityEvent(4670, At(6, 50, 0), F("ObjectServer", "Security"), F("ObjectType", "File"), F("ObjectName", path),
		F("ProcessName", `C:\Windows\System32\icacls.exe`))
}

var permissionCases = []causeCase{
	// A GPO replaced "Log on as a service" without the Virtual Machines
	// group and WEB01 fails to start with 0x80070569.
	{name: "GPO dropped the VM group", cause: "permission-logon-as-service",
		build: func(*testing.T) Files {
			return Files{"secedit.txt": UTF16(Secedit(rightsWithout("SeServiceLogonRight", "S-1-5-83-0"))), "Worker-Admin.evtx": logonDeniedWorker()}
		},
		want: fires(rules.High).citingOnly("secedit.txt line 5 right-lacks-vm-group", "Worker-Admin.evtx record 50 logon-type-denied"),
		also: func(t *testing.T, b *bundleResult) {
			assert.Contains(t, commands(b.finding("permission-logon-as-service")), `Start-VM -Name 'WEB01'`)
		}},
	// The logon right is fine; only the symbolic-link privilege lacks the
	// group, and whoami /priv never shows logon rights.
	{name: "only another privilege lacks the group", cause: "permission-logon-as-service",
		build: func(*testing.T) Files {
			return Files{"secedit.txt": UTF16(Secedit(rightsWithout("SeCreateSymbolicLinkPrivilege", "S-1-5-83-0"))), "VMMS-Admin.evtx": quietVMMS()}
		},
		want: ruledOut(`let NT VIRTUAL MACHINE\Virtual Machines log on as a service`)},
	// At 06:40 someone removed "Log on as a service" from the Virtual
	// Machines group; at 07:00 WEB01 cannot start with 0x80070569. The
	// Security log says who and when, beside the worker's error.
	{name: "right removed in the Security log", cause: "permission-logon-as-service",
		build: func(*testing.T) Files {
			logon := securityEvent(4624, At(6, 39, 0), F("TargetUserName", "admin"))
			return Files{
				"Security.evtx":     EVTX([]evtxwrite.Record{logon, logonRight(4705, At(6, 40, 0), "S-1-5-83-0"), logon}, 700),
				"Worker-Admin.evtx": logonDeniedWorker(),
			}
		},
		want: fires(rules.High).unopposed().citingOnly("Security.evtx record 701 vm-group-logon-right-removed", "Worker-Admin.evtx record 50 logon-type-denied")},
	// The right was removed from another account, then from the Virtual
	// Machines group and given back a minute later (4704): the other
	// account's removal counts for nothing, and the right given back is
	// cited against the removal, which is left a low finding that asks for
	// the exported rights.
	{name: "right removed and given back", cause: "permission-logon-as-service",
		build: func(*testing.T) Files {
			return Files{"Security.evtx": EVTX([]evtxwrite.Record{
				logonRight(4705, At(6, 30, 0), "S-1-5-21-1004336348-1177238915-682003330-1105"),
				logonRight(4705, At(6, 40, 0), "S-1-5-83-0"),
				logonRight(4704, At(6, 41, 0), "S-1-5-83-0"),
			}, 710)}
		},
		want: fires(rules.Low).citingOnly("Security.evtx record 711 vm-group-logon-right-removed").
			opposedBy("Security.evtx record 712 vm-group-logon-right-given-back").needs("user-rights")},
	// WEB01.vhdx was restored by hand: its ACL names a VM that no longer
	// exists but not WEB01, and WEB01 cannot open it.
	{name: "ACL lacks the VM's SID", cause: "permission-acl",
		build: func(t *testing.T) Files {
			otherSID, err := wintext.VMSID(sql02ID)
			require.NoError(t, err)
			icacls := Icacls([]ACL{{Path: web01Disks + `\WEB01.vhdx`, ACEs: []string{otherSID + ":(R,W)", `NT AUTHORITY\SYSTEM:(I)(F)`, `BUILTIN\Administrators:(I)(F)`}}})
			return Files{"icacls.txt": UTF16(icacls), "vms.txt": UTF16(web01VMList()), "Worker-Admin.evtx": accessDeniedWorker()}
		},
		want: fires(rules.High).citingOnly("icacls.txt line 1 acl-lacks-vm-sid", "Worker-Admin.evtx record 90 access-denied-code"),
		also: func(t *testing.T, b *bundleResult) {
			assert.Contains(t, commands(b.finding("permission-acl")), `icacls '`+web01Disks+`\WEB01.vhdx' /grant`)
		}},
	// WEB01's account appears as a raw SID (icacls could not resolve it
	// where it ran): the grant is there.
	{name: "ACL grants the VM as a raw SID", cause: "permission-acl",
		build: func(t *testing.T) Files {
			sid, err := wintext.VMSID(web01ID)
			require.NoError(t, err)
			icacls := Icacls([]ACL{{Path: web01Disks + `\WEB01.vhdx`, ACEs: []string{sid + ":(R,W)", `NT AUTHORITY\SYSTEM:(I)(F)`}}})
			return Files{"icacls.txt": UTF16(icacls), "vms.txt": UTF16(web01VMList()), "VMMS-Admin.evtx": quietVMMS()}
		},
		want: ruledOut("every collected ACL of a VM file grants access to its VM")},
	// Someone changed the permissions of WEB01.vhdx (4670) before WEB01
	// failed with access denied.
	{name: "permissions changed in the Security log", cause: "permission-acl",
		build: func(*testing.T) Files {
			return Files{
				"Security.evtx":     EVTX([]evtxwrite.Record{permissionsChanged(web01Disks + `\WEB01.vhdx`)}, 720),
				"Worker-Admin.evtx": accessDeniedWorker(),
			}
		},
		want: firing().citing("Security.evtx record 720 vm-file-permissions-changed")},
	// A 4670 on a log file says nothing about VMs.
	{name: "permissions changed on a log file", cause: "permission-acl",
		build: func(*testing.T) Files {
			return Files{"Security.evtx": EVTX([]evtxwrite.Record{permissionsChanged(`C:\inetpub\logs\u_ex240314.log`)}, 730)}
		},
		want: missingInput("vm-acls", "vmms-admin-log")},
	// A third-party scanner's filter is loaded and merges of WEB01 fail on
	// locked files; the lock itself is reported too.
	{name: "third-party filter and locked merges", cause: "antivirus-interference",
		build: func(*testing.T) Files {
			fl := Fltmc(WithFilters(Filter{Name: "SRTSP", Instances: 6, Altitude: "329000"}))
			return Files{"fltmc.txt": OEM850(fl), "VMMS-Admin.evtx": EVTX([]evtxwrite.Record{mergeLocked(10)}, 400)}
		},
		want:   fires(rules.High).citing("VMMS-Admin.evtx record 400 av-filter-with-locks"),
		others: []string{"stale-file-lock"},
		also: func(t *testing.T, b *bundleResult) {
			f := b.finding("antivirus-interference")
			assert.Contains(t, strings.Join(cited(f), "\n"), "fltmc.txt line")
			assert.NotContains(t, commands(f), "Add-MpPreference", "Defender's exclusions are not the fix for another product")
			// The scanner explains the lock it causes: the lock ranks after.
			assert.Equal(t, "antivirus-interference", b.res.Outcome.Findings[0].Cause.ID)
			assert.Contains(t, citedAgainst(b.finding("stale-file-lock")), "VMMS-Admin.evtx record 400 explained-by-antivirus-interference")
		}},
	// The sharing violation was copied from Hyper-V Manager's dialog (a
	// command error, no event) on a host with a third-party scanner's
	// filter: the pairing holds wherever the failure was copied from.
	{name: "third-party filter and a dialog's sharing violation", cause: "antivirus-interference",
		build: func(*testing.T) Files {
			fl := Fltmc(WithFilters(Filter{Name: "SRTSP", Instances: 6, Altitude: "329000"}))
			dialog := "An error occurred while attempting to apply the checkpoint(s).\r\n\r\n" +
				"'WEB01' could not create auto virtual hard disk D:\\Hyper-V\\WEB01\\Virtual Hard Disks\\WEB01_4C1B.avhdx: " +
				"The process cannot access the file because it is being used by another process. (0x80070020).\r\n"
			return Files{"fltmc.txt": OEM850(fl), "dialog.txt": ASCII(dialog)}
		},
		want:   firing().with("av-filter-with-locks"),
		others: []string{"stale-file-lock"},
		also: func(t *testing.T, b *bundleResult) {
			assert.Equal(t, "antivirus-interference", b.res.Outcome.Findings[0].Cause.ID)
		}},
	// An EDR's filter and a start that failed because another process had
	// the disk mapped (0x800704C8, a user-mapped section open): scanners
	// map what they read. Shape: held-out i, hv9_17.
	{name: "third-party filter and a mapped disk", cause: "antivirus-interference",
		build: func(*testing.T) Files {
			fl := Fltmc(WithFilters(Filter{Name: "SRTSP", Instances: 6, Altitude: "329000"}))
			dialog := "'WEB01' failed to start.\r\n\r\n'WEB01': Failed to open attachment 'D:\\Hyper-V\\WEB01\\Virtual Hard Disks\\WEB01.vhdx'. " +
				"Error: 'The requested operation cannot be performed on a file with a user-mapped section open.' (0x800704C8).\r\n"
			return Files{"fltmc.txt": OEM850(fl), "dialog.txt": ASCII(dialog)}
		},
		want: firing().with("av-filter-with-locks")},
	// A consumer suite's filter in the anti-virus band and a VM whose
	// worker process did not start. Shape: Docker for Windows with a
	// third-party suite (held-out k, hv11_07).
	{name: "third-party filter and a worker that did not start", cause: "antivirus-interference",
		build: func(*testing.T) Files {
			fl := Fltmc(WithFilters(Filter{Name: "SRTSP", Instances: 6, Altitude: "329000"}))
			text := "'WEB01' failed to start.\r\n\r\n'WEB01' failed to start worker process: An invalid HANDLE was specified. (0xC0000008). (Virtual machine ID 3E2D779E-26D0-4E37-936E-365D9CAD60AF)\r\n"
			return Files{"fltmc.txt": OEM850(fl), "error.txt": ASCII(text)}
		},
		want: firing().with("av-filter-with-worker-start-failure")},
	// Microsoft Defender's filter (on every Windows Server, and excluding
	// Hyper-V's files by itself) plus one sharing violation is a lock, not
	// antivirus interference; the lock is still reported.
	{name: "Defender's filter and one lock", cause: "antivirus-interference",
		build: func(*testing.T) Files {
			return Files{"fltmc.txt": OEM850(defenderOnly()), "VMMS-Admin.evtx": EVTX([]evtxwrite.Record{mergeLocked(10)}, 400)}
		},
		want:   ruledOut("Defender excludes Hyper-V's files by itself"),
		others: []string{"stale-file-lock"}},
	// Controlled folder access blocked the worker process writing a VM's
	// files under Documents (1123): every start fails with no detail.
	// Shape: held-out o, hv15_07.
	{name: "Controlled folder access blocked vmwp.exe", cause: "antivirus-interference",
		build: func(*testing.T) Files {
			blk := hv02.Manifest("Microsoft-Windows-Windows Defender/Operational", "Microsoft-Windows-Windows Defender", "{11CD958A-C507-4EF3-B3F2-5FD9DFBD2C78}",
				1123, LevelWarning, At(3, 0, 0), F("Path", `C:\Users\dev\Documents\Hyper-V\WEB01\Virtual Machines\5A1C.vmgs`), F("Process Name", `C:\Windows\System32\vmwp.exe`))
			return Files{"fltmc.txt": OEM850(defenderOnly()), "Defender.evtx": EVTX([]evtxwrite.Record{blk}, 70)}
		},
		want: firing().citingOnly("Defender.evtx record 70 defender-blocked-hyperv-process"),
		also: func(t *testing.T, b *bundleResult) {
			assert.Contains(t, commands(b.finding("antivirus-interference")), "ControlledFolderAccessAllowedApplications")
		}},
	// Defender itself reports acting on a VM's disk: that implicates it.
	{name: "Defender acted on a VM disk", cause: "antivirus-interference",
		build: func(*testing.T) Files {
			det := hv02.Manifest("Microsoft-Windows-Windows Defender/Operational", "Microsoft-Windows-Windows Defender", "{11CD958A-C507-4EF3-B3F2-5FD9DFBD2C78}",
				1117, LevelInfo, At(3, 0, 0), F("Threat Name", "Trojan:Win32/Example"), F("Path", `file:_D:\Hyper-V\WEB01\Virtual Hard Disks\WEB01.vhdx`), F("Action Name", "Quarantine"))
			return Files{"fltmc.txt": OEM850(defenderOnly()), "Defender.evtx": EVTX([]evtxwrite.Record{det}, 50)}
		},
		want: firing().citingOnly("Defender.evtx record 50 defender-detection-on-vm-file"),
		also: func(t *testing.T, b *bundleResult) {
			assert.Contains(t, commands(b.finding("antivirus-interference")), "Get-MpPreference | Select-Object DisableAutoExclusions")
		}},
	// Defender loaded on a host where nothing is locked.
	{name: "Defender loaded, nothing locked", cause: "antivirus-interference",
		build: func(*testing.T) Files {
			return Files{"fltmc.txt": OEM850(defenderOnly()), "VMMS-Admin.evtx": quietVMMS()}
		},
		want: ruledOut("no third-party antivirus filter is loaded")},
	// Handle.exe names the holder: the antivirus scanning service keeps
	// the AVHDX open; the lock itself is reported too.
	{name: "scanner holds the AVHDX", cause: "antivirus-interference", build: handleHeldBy("MsMpEng.exe"),
		want: firing(), others: []string{"stale-file-lock"}},
	// Hyper-V's own worker holding the disk is no lock.
	{name: "the VM's worker holds its disk", cause: "antivirus-interference", build: handleHeldBy("vmwp.exe"),
		want: missingInput("filter-drivers")},
	// A lock with no scanner loaded: stale-file-lock, not antivirus.
	{name: "locked merges, inbox filters only", cause: "stale-file-lock",
		build: func(*testing.T) Files {
			return Files{"fltmc.txt": OEM850(Fltmc(InboxFilters)), "VMMS-Admin.evtx": EVTX([]evtxwrite.Record{mergeLocked(10), mergeLocked(40)}, 400)}
		},
		want:      fires(rules.High).citingOnly("VMMS-Admin.evtx record 400 sharing-violation", "VMMS-Admin.evtx record 401 sharing-violation"),
		notOthers: []string{"antivirus-interference"}},
	// Access denied is a permission problem, not a lock.
	{name: "access denied is no lock", cause: "stale-file-lock",
		build: func(*testing.T) Files {
			vmms := []evtxwrite.Record{hv02.VMMS(19100, LevelError, At(3, 0, 0), "WEB01", web01ID,
				F("ErrorMessage", "'WEB01' background disk merge failed to complete: General access denied error (0x80070005)"))}
			handles := HandleOutput([]OpenHandle{{Process: "vmwp.exe", PID: 5120, ID: "5A4", Path: `D:\Hyper-V\WEB01\Virtual Hard Disks\WEB01.vhdx`}})
			return Files{"VMMS-Admin.evtx": EVTX(vmms, 1), "handles.txt": UTF16(handles)}
		},
		want: ruledOut("no Hyper-V event or cmdlet output reports a VM file in use")},
	// Handle.exe names the holder: a backup agent keeps the AVHDX open.
	{name: "backup agent holds the AVHDX", cause: "stale-file-lock", build: handleHeldBy("BackupAgent.exe"),
		want:      firing().citingOnly("handles.txt line 7 handle-held-by-other-process"),
		notOthers: []string{"antivirus-interference"},
		also: func(t *testing.T, b *bundleResult) {
			cmds := commands(b.finding("stale-file-lock"))
			assert.Contains(t, cmds, "Stop-Process -Id '2980' -Confirm")
			assert.Contains(t, cmds, `handle64.exe' -accepteula -nobanner -a '`+lockedAVHDX+`'`)
		}},
	{name: "the VM's worker holds its disk", cause: "stale-file-lock", build: handleHeldBy("vmwp.exe"),
		want: missingInput("vmms-admin-log")},
}
