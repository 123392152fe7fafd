package rules_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvtriage/hvtriage/evidence"
	"github.com/hvtriage/hvtriage/internal/evtxwrite"
	"github.com/hvtriage/hvtriage/internal/fixture"
	"github.com/hvtriage/hvtriage/rules"
)

func workerLog(recs ...evtxwrite.Record) []byte { return fixture.EVTX(recs, 9001) }

// configBundle: APP01 is registered (Get-VM) with its configuration under
// D:\Hyper-V\APP01; the listing shows its "Virtual Machines" folder with
// a .vmcx of the given size, and the worker logged 3070 with hresult.
func configBundle(vmcxSize int64, hresult string) (fixture.Files, string) {
	vms := fixture.VMList([]fixture.VM{{Name: "APP01", ID: app01ID, State: "Off", Version: "10.0", Path: `D:\Hyper-V\APP01`,
		HardDrives: []string{app01Base}}})
	listing := fixture.DirListing([]fixture.ListedDir{
		{Path: `D:\Hyper-V\APP01\Virtual Machines`, Files: []fixture.ListedFile{
			{Name: app01ID + ".vmcx", Size: vmcxSize, Modified: fixture.At(7, 55, 0)},
			{Name: app01ID + ".vmgs", Size: 4 << 20, Modified: fixture.At(7, 55, 0)},
		}},
		{Path: app01Dir, Files: []fixture.ListedFile{{Name: "APP01.vhdx", Size: 60 << 30, Modified: fixture.At(7, 50, 0)}}},
	})
	worker := workerLog(hv01.Worker(3070, fixture.LevelError, fixture.At(8, 0, 1), "APP01", app01ID,
		fixture.F("ErrorCodeString", hresult), fixture.F("ErrorCode", hresult)))
	return fixture.Files{
		"vms.txt":     fixture.UTF16(vms),
		"listing.txt": fixture.ASCII(listing),
		"EventLogs/Microsoft-Windows-Hyper-V-Worker-Admin.evtx": worker,
	}, listing
}

func TestVMConfigCorrupt(t *testing.T) {
	files, listing := configBundle(0, "0x8007000D")
	res := hvRun(t, files)
	f := hvFinding(res, "vm-config-corrupt")
	require.NotNil(t, f, "findings: %v", hvCauses(res))
	assert.Equal(t, rules.High, f.Severity)
	hvCites(t, f, "listing.txt", lineOf(t, listing, ".vmcx"), "vmcx-empty")
	c := hvCites(t, f, "EventLogs/Microsoft-Windows-Hyper-V-Worker-Admin.evtx", evidence.AtRecord(9001), "worker-3070")
	assert.Contains(t, c.Signal, "config-data-invalid")
	assert.Empty(t, f.Against)
	assert.Contains(t, hvCommands(f), `Get-VM -Name 'APP01'`)
}

// TestVMConfigCorruptNearMissAccessDenied: the same 3070, but it quotes
// access denied and the .vmcx is intact: a permissions problem.
func TestVMConfigCorruptNearMissAccessDenied(t *testing.T) {
	files, _ := configBundle(69632, "0x80070005")
	res := hvRun(t, files)
	assert.Nil(t, hvFinding(res, "vm-config-corrupt"), "findings: %v", hvCauses(res))
}

// TestVMConfigMissing: the configuration folder is listed but the VM's
// .vmcx is not in it, while a leftover .vmcx of a VM the host no longer
// lists is.
func TestVMConfigMissing(t *testing.T) {
	const stray = "7A8B9C0D-1E2F-4A3B-8C4D-5E6F7A8B9C0D"
	vms := fixture.VMList([]fixture.VM{{Name: "APP01", ID: app01ID, State: "Off", Version: "10.0", Path: `D:\Hyper-V\APP01`}})
	listing := fixture.DirListing([]fixture.ListedDir{{Path: `D:\Hyper-V\APP01\Virtual Machines`, Files: []fixture.ListedFile{
		{Name: app01ID + ".vmgs", Size: 4 << 20, Modified: fixture.At(7, 55, 0)},
		{Name: stray + ".vmcx", Size: 69632, Modified: fixture.Day(2023, time.December, 1, 9, 0)},
	}}})
	res := hvRun(t, fixture.Files{"vms.txt": fixture.UTF16(vms), "listing.txt": fixture.ASCII(listing)})
	f := hvFinding(res, "vm-config-corrupt")
	require.NotNil(t, f, "findings: %v", hvCauses(res))
	assert.Equal(t, rules.High, f.Severity, "missing configuration and an unregistered one: 0.76")
	hvCites(t, f, "vms.txt", lineOf(t, vms, "Name                  : APP01"), "vmcx-missing")
	hvCites(t, f, "listing.txt", lineOf(t, listing, stray), "unregistered-vm-files")
}

// versionBundle: HV01's boots, a Get-VM table, and worker 3074 for WEB03.
func versionBundle(builds ...fixture.OSBuild) (fixture.Files, string) {
	var boots []evtxwrite.Record
	for i, b := range builds {
		boots = append(boots, hv01.BootKernel(fixture.Day(2024, time.March, 1+i, 3, 0), b))
	}
	vms := fixture.VMTable([]fixture.VM{
		{Name: "APP01", State: "Running", Version: "9.0"},
		{Name: "WEB03", State: "Off", Version: "10.0"},
	})
	return fixture.Files{
		"EventLogs/System.evtx": systemLog(boots...),
		"vms.txt":               fixture.UTF16(vms),
	}, vms
}

// TestConfigVersionUnsupported: WEB03 (version 10.0) was copied from a
// Server 2022 host to HV01, which runs Server 2019 (5.0 to 9.0).
func TestConfigVersionUnsupported(t *testing.T) {
	files, vms := versionBundle(fixture.Build2019)
	files["EventLogs/Microsoft-Windows-Hyper-V-Worker-Admin.evtx"] = workerLog(
		hv01.Worker(3074, fixture.LevelError, fixture.At(8, 10, 0), "WEB03", "5E6F7A8B-9C0D-4E1F-A2B3-C4D5E6F7A8B9"))
	res := hvRun(t, files)
	f := hvFinding(res, "config-version-unsupported")
	require.NotNil(t, f, "findings: %v", hvCauses(res))
	assert.Equal(t, rules.High, f.Severity)
	c := hvCites(t, f, "vms.txt", lineOf(t, vms, "WEB03"), "version-outside-host-range")
	assert.Equal(t, "10.0", c.Attrs["version"])
	b := hvCites(t, f, "EventLogs/System.evtx", evidence.AtRecord(81001), "version-outside-host-range")
	assert.Equal(t, "17763", b.Attrs["data.BuildVersion"])
	hvCites(t, f, "EventLogs/Microsoft-Windows-Hyper-V-Worker-Admin.evtx", evidence.AtRecord(9001), "worker-3074")
	for _, e := range f.Evidence {
		assert.NotEqual(t, "APP01", e.VM(), "9.0 runs on Server 2019")
	}
	assert.Contains(t, hvCommands(f), `Update-VMVersion -Name 'WEB03'`)
}

// TestConfigVersionNearMiss: the host was upgraded to Server 2022 since;
// its current build runs both 9.0 and 10.0. The older boot on 2019 says
// nothing about today.
func TestConfigVersionNearMiss(t *testing.T) {
	files, _ := versionBundle(fixture.Build2019, fixture.Build2022)
	res := hvRun(t, files)
	assert.Nil(t, hvFinding(res, "config-version-unsupported"), "findings: %v", hvCauses(res))

	// An unknown build decides nothing.
	files, _ = versionBundle(fixture.OSBuild{Major: 10, Minor: 0, Build: 19044, QFE: 4046})
	res = hvRun(t, files)
	assert.Nil(t, hvFinding(res, "config-version-unsupported"), "findings: %v", hvCauses(res))
}

// TestVMPathMisconfigured: APP01's drive still points at D:\VMs after its
// disk was moved to E:\Hyper-V; the worker logs path not found.
func TestVMPathMisconfigured(t *testing.T) {
	const oldPath, newDir = `D:\VMs\APP01\APP01.vhdx`, `E:\Hyper-V\APP01\Virtual Hard Disks`
	drives := fixture.VMHardDiskDrives([]fixture.Drive{{VMName: "APP01", ControllerType: "SCSI", Path: oldPath}})
	listing := fixture.DirListing([]fixture.ListedDir{
		{Path: `D:\VMs\APP01`, Files: []fixture.ListedFile{{Name: "notes.txt", Size: 120, Modified: fixture.At(7, 0, 0)}}},
		{Path: newDir, Files: []fixture.ListedFile{{Name: "APP01.vhdx", Size: 60 << 30, Modified: fixture.At(7, 30, 0)}}},
	})
	worker := workerLog(hv01.Worker(12140, fixture.LevelError, fixture.At(8, 0, 1), "APP01", app01ID,
		fixture.F("Path", oldPath), fixture.F("ErrorMessage", "The system cannot find the path specified."), fixture.F("Error", "0x80070003")))
	res := hvRun(t, fixture.Files{
		"harddrives.txt": fixture.UTF16(drives),
		"listing.txt":    fixture.ASCII(listing),
		"EventLogs/Microsoft-Windows-Hyper-V-Worker-Admin.evtx": worker,
	})
	f := hvFinding(res, "vm-path-misconfigured")
	require.NotNil(t, f, "findings: %v", hvCauses(res))
	assert.Equal(t, rules.Medium, f.Severity)
	c := hvCites(t, f, "harddrives.txt", lineOf(t, drives, oldPath), "disk-elsewhere")
	assert.Equal(t, newDir+`\APP01.vhdx`, c.Attrs["found_path"])
	hvCites(t, f, "listing.txt", lineOf(t, listing, "APP01.vhdx"), "disk-elsewhere")
	hvCites(t, f, "EventLogs/Microsoft-Windows-Hyper-V-Worker-Admin.evtx", evidence.AtRecord(9001), "path-not-found")
	assert.True(t, strings.Contains(hvCommands(f), `-Path '`+newDir+`\APP01.vhdx'`), hvCommands(f))
}

// TestVMPathMisconfiguredNearMiss: the disk is where the VM points; a copy
// with the same name in a backup folder is just a copy.
func TestVMPathMisconfiguredNearMiss(t *testing.T) {
	drives := fixture.VMHardDiskDrives([]fixture.Drive{{VMName: "APP01", ControllerType: "SCSI", Path: app01Base}})
	listing := fixture.DirListing([]fixture.ListedDir{
		{Path: app01Dir, Files: []fixture.ListedFile{{Name: "APP01.vhdx", Size: 60 << 30, Modified: fixture.At(7, 30, 0)}}},
		{Path: `E:\Backup\APP01`, Files: []fixture.ListedFile{{Name: "APP01.vhdx", Size: 58 << 30, Modified: fixture.Day(2024, time.March, 1, 1, 0)}}},
	})
	res := hvRun(t, fixture.Files{"harddrives.txt": fixture.UTF16(drives), "listing.txt": fixture.ASCII(listing)})
	assert.Nil(t, hvFinding(res, "vm-path-misconfigured"), "findings: %v", hvCauses(res))
}

// TestVMPathMisconfiguredOldVolumeGone: the VM was copied to D: on a new
// host; its settings still name F:\VMs\WEB05, a volume that does not
// exist here, so no listing can cover it. The worker's "path not found"
// for that folder proves both disks absent, and both are on D:.
func TestVMPathMisconfiguredOldVolumeGone(t *testing.T) {
	const oldDir, newDir = `F:\VMs\WEB05\Virtual Hard Disks`, `D:\Hyper-V\WEB05\Virtual Hard Disks`
	drives := fixture.VMHardDiskDrives([]fixture.Drive{
		{VMName: "WEB05", ControllerType: "SCSI", Path: oldDir + `\WEB05.vhdx`},
		{VMName: "WEB05", ControllerType: "SCSI", Location: 1, Path: oldDir + `\WEB05-logs.vhdx`},
	})
	listing := fixture.DirListing([]fixture.ListedDir{{Path: newDir, Files: []fixture.ListedFile{
		{Name: "WEB05.vhdx", Size: 42 << 30, Modified: fixture.At(7, 30, 0)},
		{Name: "WEB05-logs.vhdx", Size: 8 << 30, Modified: fixture.At(7, 31, 0)},
	}}})
	worker := workerLog(hv01.Worker(12030, fixture.LevelError, fixture.At(8, 2, 50), "WEB05", "6E1C4A98-B2D7-4F35-A9E0-D8C3F5B1A726",
		fixture.F("ErrorMessage", "Failed to Power on with Error 'The system cannot find the path specified.' (0x80070003). Attachment '"+oldDir+`\WEB05.vhdx`+"' failed to open.")))
	res := hvRun(t, fixture.Files{
		"harddrives.txt": fixture.UTF16(drives),
		"listing.txt":    fixture.OEM850(listing),
		"EventLogs/Microsoft-Windows-Hyper-V-Worker-Admin.evtx": worker,
	})
	f := hvFinding(res, "vm-path-misconfigured")
	require.NotNil(t, f, "findings: %v", hvCauses(res))
	assert.Equal(t, rules.Medium, f.Severity)
	hvCites(t, f, "harddrives.txt", lineOf(t, drives, `WEB05.vhdx`), "disk-elsewhere")
	hvCites(t, f, "harddrives.txt", lineOf(t, drives, `WEB05-logs.vhdx`), "disk-elsewhere")
	hvCites(t, f, "listing.txt", lineOf(t, listing, "WEB05-logs.vhdx"), "disk-elsewhere")
	ev := hvCites(t, f, "EventLogs/Microsoft-Windows-Hyper-V-Worker-Admin.evtx", evidence.AtRecord(9001), "disk-elsewhere")
	assert.Equal(t, "disk-elsewhere, path-not-found", ev.Signal, "the proof is cited once per signal")
}

// TestHypervisorNotRunning: someone turned the hypervisor off in the boot
// configuration to run another hypervisor; after the restart APP01 no
// longer starts. systeminfo lists the requirements (all met) instead of
// "A hypervisor has been detected".
func TestHypervisorNotRunning(t *testing.T) {
	worker := hv01.Worker(3040, fixture.LevelError, fixture.At(7, 5, 0), "APP01", "6F0D2C41-9A3B-4E7C-8B15-2D4F6A9C0E73",
		fixture.F("ErrorMessage", "'APP01' failed to start. The virtual machine could not be started because the hypervisor is not running."))
	b := analyzeFiles(t, fixture.Files{
		"EventLogs/Microsoft-Windows-Hyper-V-Worker-Admin.evtx": workerLog(worker),
		"bcdedit.txt":    fixture.UTF16(fixture.Bcdedit("Off")),
		"systeminfo.txt": fixture.ASCII(fixture.Systeminfo("HV01", false, true)),
	})
	f := b.finding("hypervisor-not-running")
	assert.Equal(t, rules.High, f.Severity)
	assert.ElementsMatch(t, []string{"hypervisor-not-running-text", "launch-type-off"}, signalIDs(f))
	assert.Contains(t, cited(f), "bcdedit.txt line 24 launch-type-off")
	cmds := commands(f)
	assert.Contains(t, cmds, "bcdedit.exe /set hypervisorlaunchtype auto")
	assert.Contains(t, cmds, "Start-VM -Name 'APP01'")
	assert.NotContains(t, cmds, "ExposeVirtualizationExtensions", "the processor offers its extensions: no nested-host step")
	assert.False(t, b.has("vm-config-corrupt"), "findings: %v", b.causes())
}

// TestHypervisorFirmwareOff: the boot entry is fine but virtualization is
// off in the firmware; Hyper-V-Hypervisor 41 says the launch failed.
func TestHypervisorFirmwareOff(t *testing.T) {
	h := hv01.Manifest("System", "Microsoft-Windows-Hyper-V-Hypervisor", "{52fc89f8-995e-434c-a91e-199986449890}", 41, fixture.LevelError,
		fixture.At(6, 58, 0), fixture.F("Message", "Hypervisor launch failed; Either VMX not present or not enabled in BIOS."))
	b := analyzeFiles(t, fixture.Files{
		"EventLogs/System.evtx": systemLog(h),
		"bcdedit.txt":           fixture.UTF16(fixture.Bcdedit("Auto")),
		"systeminfo.txt":        fixture.UTF16(fixture.Systeminfo("HV01", false, false)),
	})
	f := b.finding("hypervisor-not-running")
	assert.ElementsMatch(t, []string{"hypervisor-launch-failed", "firmware-virtualization-off"}, signalIDs(f))
	assert.Contains(t, cited(f), "systeminfo.txt line 11 firmware-virtualization-off")
	assert.NotContains(t, commands(f), "bcdedit.exe /set", "the boot entry already launches the hypervisor")
}

// Near-miss: APP01 fails to start for another reason (access denied) on a
// host whose systeminfo says a hypervisor runs and whose boot entry
// launches it: the hypervisor is ruled out, with the reason an engineer
// would give.
func TestHypervisorRunningNearMiss(t *testing.T) {
	worker := hv01.Worker(3040, fixture.LevelError, fixture.At(7, 5, 0), "APP01", "6F0D2C41-9A3B-4E7C-8B15-2D4F6A9C0E73",
		fixture.F("ErrorMessage", "'APP01' failed to start. General access denied error (0x80070005)."))
	b := analyzeFiles(t, fixture.Files{
		"EventLogs/Microsoft-Windows-Hyper-V-Worker-Admin.evtx": workerLog(worker),
		"bcdedit.txt":    fixture.UTF16(fixture.Bcdedit("Auto")),
		"systeminfo.txt": fixture.UTF16(fixture.Systeminfo("HV01", true, true)),
	})
	assert.False(t, b.has("hypervisor-not-running"), "findings: %v", b.causes())
	assert.Contains(t, b.ruledOutWhy("hypervisor-not-running"), "systeminfo shows a running hypervisor")

	// Without systeminfo and bcdedit, nothing decides it: both are asked for.
	b = analyzeFiles(t, fixture.Files{"EventLogs/Microsoft-Windows-Hyper-V-Worker-Admin.evtx": workerLog(worker)})
	assert.ElementsMatch(t, []string{"host-systeminfo", "boot-config"}, b.missingFor("hypervisor-not-running"))
}

// TestConfigVersion5OnNewerHost: DC01 is still at version 5.0 on a 2019
// host: it runs, but production checkpoints and RCT backups fall back, so
// the finding is low, not high.
func TestConfigVersion5OnNewerHost(t *testing.T) {
	vms := fixture.VMTable([]fixture.VM{
		{Name: "APP01", State: "Running", Version: "9.0"},
		{Name: "DC01", State: "Running", Version: "5.0"},
	})
	b := analyzeFiles(t, fixture.Files{
		"EventLogs/System.evtx": systemLog(hv01.BootKernel(fixture.Day(2024, time.March, 1, 3, 0), fixture.Build2019)),
		"vms.txt":               fixture.UTF16(vms),
	})
	f := b.finding("config-version-unsupported")
	assert.Equal(t, rules.Low, f.Severity)
	assert.Equal(t, []string{"version-5-on-newer-host"}, signalIDs(f))
	assert.Contains(t, cited(f), "vms.txt "+lineOf(t, vms, "DC01").String()+" version-5-on-newer-host")
	assert.Contains(t, cited(f), "EventLogs/System.evtx record 81001 version-5-on-newer-host")

	// Near-miss: every VM at 8.0 or later: ruled out, since the worker log
	// is there too and says nothing.
	vms = fixture.VMTable([]fixture.VM{{Name: "APP01", State: "Running", Version: "9.0"}, {Name: "DC01", State: "Running", Version: "8.0"}})
	b = analyzeFiles(t, fixture.Files{
		"EventLogs/System.evtx":                                 systemLog(hv01.BootKernel(fixture.Day(2024, time.March, 1, 3, 0), fixture.Build2019)),
		"EventLogs/Microsoft-Windows-Hyper-V-Worker-Admin.evtx": workerLog(hv01.Worker(18500, fixture.LevelInfo, fixture.At(7, 0, 0), "APP01", "6F0D2C41-9A3B-4E7C-8B15-2D4F6A9C0E73")),
		"vms.txt": fixture.UTF16(vms),
	})
	assert.False(t, b.has("config-version-unsupported"), "findings: %v", b.causes())
	assert.Contains(t, b.ruledOutWhy("config-version-unsupported"), "every VM's configuration version is one the host's OS build supports")
}
