package rules_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
	c := hvCites(t, f, "EventLogs/Microsoft-Windows-Hyper-V-Worker-Admin.evtx", rules.AtRecord(9001), "worker-3070")
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
	b := hvCites(t, f, "EventLogs/System.evtx", rules.AtRecord(81001), "version-outside-host-range")
	assert.Equal(t, "17763", b.Attrs["data.BuildVersion"])
	hvCites(t, f, "EventLogs/Microsoft-Windows-Hyper-V-Worker-Admin.evtx", rules.AtRecord(9001), "worker-3074")
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
	hvCites(t, f, "EventLogs/Microsoft-Windows-Hyper-V-Worker-Admin.evtx", rules.AtRecord(9001), "path-not-found")
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
	ev := hvCites(t, f, "EventLogs/Microsoft-Windows-Hyper-V-Worker-Admin.evtx", rules.AtRecord(9001), "disk-elsewhere")
	assert.Equal(t, "disk-elsewhere, path-not-found", ev.Signal, "the proof is cited once per signal")
}
