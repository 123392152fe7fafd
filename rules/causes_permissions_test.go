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

// A GPO replaced "Log on as a service" without the Virtual Machines group
// and WEB01 fails to start with 0x80070569.
func TestPermissionLogonAsService(t *testing.T) {
	worker := []evtxwrite.Record{hv02.Worker(3040, LevelError, At(7, 0, 0), "WEB01", web01ID,
		F("ErrorMessage", "'WEB01' failed to start worker process: Logon failure: the user has not been granted the requested logon type at this computer. (0x80070569)"))}
	b := analyzeFiles(t, Files{
		"secedit.txt":       UTF16(Secedit(rightsWithout("SeServiceLogonRight", "S-1-5-83-0"))),
		"Worker-Admin.evtx": EVTX(worker, 50),
	})
	f := b.finding("permission-logon-as-service")
	assert.Equal(t, rules.High, f.Severity)
	assert.ElementsMatch(t, []string{"secedit.txt line 5 right-lacks-vm-group", "Worker-Admin.evtx record 50 logon-type-denied"}, cited(f))
	assert.Contains(t, commands(f), `Start-VM -Name 'WEB01'`)
}

// Near-miss: the logon right is fine; only the symbolic-link privilege
// lacks the group, and whoami /priv never shows logon rights.
func TestPermissionLogonRightPresent(t *testing.T) {
	vmms := []evtxwrite.Record{hv02.VMMS(13002, LevelInfo, At(0, 30, 0), "WEB01", web01ID)}
	b := analyzeFiles(t, Files{
		"secedit.txt":     UTF16(Secedit(rightsWithout("SeCreateSymbolicLinkPrivilege", "S-1-5-83-0"))),
		"VMMS-Admin.evtx": EVTX(vmms, 1),
	})
	assert.False(t, b.has("permission-logon-as-service"), "findings: %v", b.causes())
	assert.True(t, b.ruledOut("permission-logon-as-service"))
}

func web01VMList() string {
	return VMList([]VM{{Name: "WEB01", ID: web01ID, State: "Off", Version: "10.0", Path: `D:\Hyper-V\WEB01`,
		HardDrives: []string{web01Disks + `\WEB01.vhdx`}}})
}

// WEB01.vhdx was restored by hand: its ACL names a VM that no longer
// exists but not WEB01, and WEB01 cannot open it.
func TestPermissionACLMissingVMSID(t *testing.T) {
	otherSID, err := wintext.VMSID(sql02ID)
	require.NoError(t, err)
	icacls := Icacls([]ACL{{Path: web01Disks + `\WEB01.vhdx`, ACEs: []string{otherSID + ":(R,W)", `NT AUTHORITY\SYSTEM:(I)(F)`, `BUILTIN\Administrators:(I)(F)`}}})
	worker := []evtxwrite.Record{hv02.Worker(12030, LevelError, At(7, 0, 0), "WEB01", web01ID,
		F("ErrorMessage", "'WEB01': Account does not have sufficient privilege to open attachment '"+web01Disks+`\WEB01.vhdx`+"'. Error: 'General access denied error' (0x80070005)."))}
	b := analyzeFiles(t, Files{
		"icacls.txt":        UTF16(icacls),
		"vms.txt":           UTF16(web01VMList()),
		"Worker-Admin.evtx": EVTX(worker, 90),
	})
	f := b.finding("permission-acl")
	assert.Equal(t, rules.High, f.Severity)
	assert.ElementsMatch(t, []string{"icacls.txt line 1 acl-lacks-vm-sid", "Worker-Admin.evtx record 90 access-denied-code"}, cited(f))
	assert.Contains(t, commands(f), `icacls '`+web01Disks+`\WEB01.vhdx' /grant`)
}

// Near-miss: WEB01's account appears as a raw SID (icacls could not
// resolve it where it ran): the grant is there.
func TestPermissionACLWithRawVMSID(t *testing.T) {
	sid, err := wintext.VMSID(web01ID)
	require.NoError(t, err)
	icacls := Icacls([]ACL{{Path: web01Disks + `\WEB01.vhdx`, ACEs: []string{sid + ":(R,W)", `NT AUTHORITY\SYSTEM:(I)(F)`}}})
	vmms := []evtxwrite.Record{hv02.VMMS(13002, LevelInfo, At(0, 30, 0), "WEB01", web01ID)}
	b := analyzeFiles(t, Files{"icacls.txt": UTF16(icacls), "vms.txt": UTF16(web01VMList()), "VMMS-Admin.evtx": EVTX(vmms, 1)})
	assert.False(t, b.has("permission-acl"), "findings: %v", b.causes())
	assert.True(t, b.ruledOut("permission-acl"))
}

func mergeLocked(t int) evtxwrite.Record {
	return hv02.VMMS(19100, LevelError, At(3, t, 0), "WEB01", web01ID,
		F("ErrorMessage", "'WEB01' background disk merge failed to complete: The process cannot access the file because it is being used by another process. (0x80070020)"))
}

// A third-party scanner's filter is loaded and merges of WEB01 fail on
// locked files.
func TestAntivirusInterference(t *testing.T) {
	fl := Fltmc(WithFilters(Filter{Name: "SRTSP", Instances: 6, Altitude: "329000"}))
	b := analyzeFiles(t, Files{"fltmc.txt": OEM850(fl), "VMMS-Admin.evtx": EVTX([]evtxwrite.Record{mergeLocked(10)}, 400)})
	f := b.finding("antivirus-interference")
	assert.Equal(t, rules.High, f.Severity)
	assert.Subset(t, cited(f), []string{"VMMS-Admin.evtx record 400 av-filter-with-locks"})
	assert.Contains(t, strings.Join(cited(f), "\n"), "fltmc.txt line")
	assert.NotContains(t, commands(f), "Add-MpPreference", "Defender's exclusions are not the fix for another product")
	assert.True(t, b.has("stale-file-lock"), "the lock itself is reported too")
}

// Near-miss: Microsoft Defender's filter (on every Windows Server, and
// excluding Hyper-V's files by itself) plus one sharing violation is a
// lock, not antivirus interference: the cause is ruled out, saying why.
func TestDefenderFilterAloneIsNoAntivirusInterference(t *testing.T) {
	fl := Fltmc(WithFilters(Filter{Name: "WdFilter", Instances: 6, Altitude: "328010"}))
	b := analyzeFiles(t, Files{"fltmc.txt": OEM850(fl), "VMMS-Admin.evtx": EVTX([]evtxwrite.Record{mergeLocked(10)}, 400)})
	assert.False(t, b.has("antivirus-interference"), "findings: %v", b.causes())
	require.True(t, b.ruledOut("antivirus-interference"))
	for _, r := range b.res.Outcome.RuledOut {
		if r.Cause == "antivirus-interference" {
			assert.Contains(t, r.Why, "Defender excludes Hyper-V's files by itself")
		}
	}
	assert.True(t, b.has("stale-file-lock"), "the lock is still reported")
}

// Defender itself reports acting on a VM's disk: that implicates it.
func TestDefenderDetectionOnVMFile(t *testing.T) {
	fl := Fltmc(WithFilters(Filter{Name: "WdFilter", Instances: 6, Altitude: "328010"}))
	det := hv02.Manifest("Microsoft-Windows-Windows Defender/Operational", "Microsoft-Windows-Windows Defender", "{11CD958A-C507-4EF3-B3F2-5FD9DFBD2C78}",
		1117, LevelInfo, At(3, 0, 0), F("Threat Name", "Trojan:Win32/Example"), F("Path", `file:_D:\Hyper-V\WEB01\Virtual Hard Disks\WEB01.vhdx`), F("Action Name", "Quarantine"))
	b := analyzeFiles(t, Files{"fltmc.txt": OEM850(fl), "Defender.evtx": EVTX([]evtxwrite.Record{det}, 50)})
	f := b.finding("antivirus-interference")
	assert.Equal(t, []string{"Defender.evtx record 50 defender-detection-on-vm-file"}, cited(f))
	assert.Contains(t, commands(f), "Get-MpPreference | Select-Object DisableAutoExclusions")
}

// Near-miss: Defender loaded on a host where nothing is locked.
func TestAntivirusPresentButQuiet(t *testing.T) {
	fl := Fltmc(WithFilters(Filter{Name: "WdFilter", Instances: 6, Altitude: "328010"}))
	vmms := []evtxwrite.Record{hv02.VMMS(13002, LevelInfo, At(0, 30, 0), "WEB01", web01ID)}
	b := analyzeFiles(t, Files{"fltmc.txt": OEM850(fl), "VMMS-Admin.evtx": EVTX(vmms, 1)})
	assert.False(t, b.has("antivirus-interference"), "findings: %v", b.causes())
	assert.True(t, b.ruledOut("antivirus-interference"))
}

// A lock with no scanner loaded: stale-file-lock, not antivirus.
func TestStaleFileLock(t *testing.T) {
	fl := Fltmc(InboxFilters)
	b := analyzeFiles(t, Files{"fltmc.txt": OEM850(fl), "VMMS-Admin.evtx": EVTX([]evtxwrite.Record{mergeLocked(10), mergeLocked(40)}, 400)})
	f := b.finding("stale-file-lock")
	assert.Equal(t, rules.High, f.Severity)
	assert.ElementsMatch(t, []string{"VMMS-Admin.evtx record 400 sharing-violation", "VMMS-Admin.evtx record 401 sharing-violation"}, cited(f))
	assert.False(t, b.has("antivirus-interference"))
}

// Near-miss: access denied is a permission problem, not a lock.
func TestStaleFileLockNotForAccessDenied(t *testing.T) {
	vmms := []evtxwrite.Record{hv02.VMMS(19100, LevelError, At(3, 0, 0), "WEB01", web01ID,
		F("ErrorMessage", "'WEB01' background disk merge failed to complete: General access denied error (0x80070005)"))}
	handles := HandleOutput([]OpenHandle{{Process: "vmwp.exe", PID: 5120, ID: "5A4", Path: `D:\Hyper-V\WEB01\Virtual Hard Disks\WEB01.vhdx`}})
	b := analyzeFiles(t, Files{"VMMS-Admin.evtx": EVTX(vmms, 1), "handles.txt": UTF16(handles)})
	assert.False(t, b.has("stale-file-lock"), "findings: %v", b.causes())
	assert.True(t, b.ruledOut("stale-file-lock"))
}

// Handle.exe names the holder: a backup agent keeps the AVHDX open (the
// lock), or the antivirus scanning service does (the antivirus cause).
// Hyper-V's own worker holding the disk is the near-miss.
func TestLockHolderFromHandleOutput(t *testing.T) {
	const disk = `D:\Hyper-V\WEB01\Virtual Hard Disks\WEB01_9C2B7E15-3D48-4A6F-B1E0-5F7A2C8D4E91.avhdx`
	run := func(process string) *bundleResult {
		return analyzeFiles(t, Files{"handles.txt": UTF16(HandleOutput([]OpenHandle{
			{Process: "vmwp.exe", PID: 5120, ID: "5A4", Path: `D:\Hyper-V\WEB01\Virtual Hard Disks\WEB01.vhdx`},
			{Process: process, PID: 2980, ID: "1F0", Path: disk},
		}))})
	}
	agent := run("BackupAgent.exe")
	f := agent.finding("stale-file-lock")
	assert.Equal(t, []string{"handles.txt line 7 handle-held-by-other-process"}, cited(f))
	assert.Contains(t, commands(f), "Stop-Process -Id '2980' -Confirm")
	assert.Contains(t, commands(f), `handle64.exe' -accepteula -nobanner -a '`+disk+`'`)
	assert.False(t, agent.has("antivirus-interference"))

	av := run("MsMpEng.exe")
	assert.True(t, av.has("antivirus-interference"), "findings: %v", av.causes())
	assert.True(t, av.has("stale-file-lock"), "the lock itself is reported too")

	own := run("vmwp.exe")
	assert.False(t, own.has("stale-file-lock"))
	assert.False(t, own.has("antivirus-interference"))
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

// At 06:40 someone removed "Log on as a service" from the Virtual Machines
// group; at 07:00 WEB01 cannot start with 0x80070569. The Security log
// says who and when, beside the worker's error.
func TestPermissionLogonRightRemovedInSecurityLog(t *testing.T) {
	worker := []evtxwrite.Record{hv02.Worker(3040, LevelError, At(7, 0, 0), "WEB01", web01ID,
		F("ErrorMessage", "'WEB01' failed to start worker process: Logon failure: the user has not been granted the requested logon type at this computer. (0x80070569)"))}
	logon := securityEvent(4624, At(6, 39, 0), F("TargetUserName", "admin"))
	b := analyzeFiles(t, Files{
		"Security.evtx":     EVTX([]evtxwrite.Record{logon, logonRight(4705, At(6, 40, 0), "S-1-5-83-0"), logon}, 700),
		"Worker-Admin.evtx": EVTX(worker, 50),
	})
	f := b.finding("permission-logon-as-service")
	assert.Equal(t, rules.High, f.Severity)
	assert.ElementsMatch(t, []string{"Security.evtx record 701 vm-group-logon-right-removed", "Worker-Admin.evtx record 50 logon-type-denied"}, cited(f))
	assert.Empty(t, f.Against)
}

// Near-miss: the right was removed from another account, then from the
// Virtual Machines group and given back a minute later (4704): the other
// account's removal counts for nothing, and the right given back is cited
// against the removal, which is left a low finding that asks for the
// exported rights.
func TestPermissionLogonRightGivenBack(t *testing.T) {
	b := analyzeFiles(t, Files{"Security.evtx": EVTX([]evtxwrite.Record{
		logonRight(4705, At(6, 30, 0), "S-1-5-21-1004336348-1177238915-682003330-1105"),
		logonRight(4705, At(6, 40, 0), "S-1-5-83-0"),
		logonRight(4704, At(6, 41, 0), "S-1-5-83-0"),
	}, 710)})
	f := b.finding("permission-logon-as-service")
	assert.Equal(t, rules.Low, f.Severity, "the removal alone, weakened by the right given back")
	assert.Equal(t, []string{"Security.evtx record 711 vm-group-logon-right-removed"}, cited(f))
	assert.Equal(t, []string{"Security.evtx record 712 vm-group-logon-right-given-back"}, citedAgainst(f))
	assert.Contains(t, b.missingFor("permission-logon-as-service"), "user-rights", "the export of the rights would decide it")
}

// Someone changed the permissions of WEB01.vhdx (4670) before WEB01 failed
// with access denied; a 4670 on a log file says nothing about VMs.
func TestPermissionACLChangedInSecurityLog(t *testing.T) {
	changed := func(path string) evtxwrite.Record {
		return securityEvent(4670, At(6, 50, 0), F("ObjectServer", "Security"), F("ObjectType", "File"), F("ObjectName", path),
			F("ProcessName", `C:\Windows\System32\icacls.exe`))
	}
	worker := []evtxwrite.Record{hv02.Worker(12030, LevelError, At(7, 0, 0), "WEB01", web01ID,
		F("ErrorMessage", "'WEB01': Account does not have sufficient privilege to open attachment '"+web01Disks+`\WEB01.vhdx`+"'. Error: 'General access denied error' (0x80070005)."))}
	b := analyzeFiles(t, Files{
		"Security.evtx":     EVTX([]evtxwrite.Record{changed(web01Disks + `\WEB01.vhdx`)}, 720),
		"Worker-Admin.evtx": EVTX(worker, 90),
	})
	f := b.finding("permission-acl")
	assert.Contains(t, cited(f), "Security.evtx record 720 vm-file-permissions-changed")

	b = analyzeFiles(t, Files{"Security.evtx": EVTX([]evtxwrite.Record{changed(`C:\inetpub\logs\u_ex240314.log`)}, 730)})
	assert.False(t, b.has("permission-acl"), "findings: %v", b.causes())
}
