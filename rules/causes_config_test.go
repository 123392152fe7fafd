package rules_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

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

func configFiles(vmcxSize int64, hresult string) func(*testing.T) fixture.Files {
	return func(*testing.T) fixture.Files {
		files, _ := configBundle(vmcxSize, hresult)
		return files
	}
}

func versionFiles(builds ...fixture.OSBuild) func(*testing.T) fixture.Files {
	return func(*testing.T) fixture.Files {
		files, _ := versionBundle(builds...)
		return files
	}
}

const vmConfigStray = "7A8B9C0D-1E2F-4A3B-8C4D-5E6F7A8B9C0D"

// vmConfigMissing: the configuration folder is listed but the VM's .vmcx
// is not in it, while a leftover .vmcx of a VM the host no longer lists
// is.
func vmConfigMissing() (fixture.Files, string, string) {
	vms := fixture.VMList([]fixture.VM{{Name: "APP01", ID: app01ID, State: "Off", Version: "10.0", Path: `D:\Hyper-V\APP01`}})
	listing := fixture.DirListing([]fixture.ListedDir{{Path: `D:\Hyper-V\APP01\Virtual Machines`, Files: []fixture.ListedFile{
		{Name: app01ID + ".vmgs", Size: 4 << 20, Modified: fixture.At(7, 55, 0)},
		{Name: vmConfigStray + ".vmcx", Size: 69632, Modified: fixture.Day(2023, time.December, 1, 9, 0)},
	}}})
	return fixture.Files{"vms.txt": fixture.UTF16(vms), "listing.txt": fixture.ASCII(listing)}, vms, listing
}

const (
	app01OldPath = `D:\VMs\APP01\APP01.vhdx`
	app01NewDir  = `E:\Hyper-V\APP01\Virtual Hard Disks`
)

// pathMisconfigured: APP01's drive still points at D:\VMs after its disk
// was moved to E:\Hyper-V; the worker logs path not found.
func pathMisconfigured() (fixture.Files, string, string) {
	drives := fixture.VMHardDiskDrives([]fixture.Drive{{VMName: "APP01", ControllerType: "SCSI", Path: app01OldPath}})
	listing := fixture.DirListing([]fixture.ListedDir{
		{Path: `D:\VMs\APP01`, Files: []fixture.ListedFile{{Name: "notes.txt", Size: 120, Modified: fixture.At(7, 0, 0)}}},
		{Path: app01NewDir, Files: []fixture.ListedFile{{Name: "APP01.vhdx", Size: 60 << 30, Modified: fixture.At(7, 30, 0)}}},
	})
	worker := workerLog(hv01.Worker(12140, fixture.LevelError, fixture.At(8, 0, 1), "APP01", app01ID,
		fixture.F("Path", app01OldPath), fixture.F("ErrorMessage", "The system cannot find the path specified."), fixture.F("Error", "0x80070003")))
	return fixture.Files{
		"harddrives.txt": fixture.UTF16(drives),
		"listing.txt":    fixture.ASCII(listing),
		"EventLogs/Microsoft-Windows-Hyper-V-Worker-Admin.evtx": worker,
	}, drives, listing
}

const (
	web05OldDir = `F:\VMs\WEB05\Virtual Hard Disks`
	web05NewDir = `D:\Hyper-V\WEB05\Virtual Hard Disks`
)

// oldVolumeGone: the VM was copied to D: on a new host; its settings
// still name F:\VMs\WEB05, a volume that does not exist here, so no
// listing can cover it. The worker's "path not found" for that folder
// proves both disks absent, and both are on D:.
func oldVolumeGone() (fixture.Files, string, string) {
	drives := fixture.VMHardDiskDrives([]fixture.Drive{
		{VMName: "WEB05", ControllerType: "SCSI", Path: web05OldDir + `\WEB05.vhdx`},
		{VMName: "WEB05", ControllerType: "SCSI", Location: 1, Path: web05OldDir + `\WEB05-logs.vhdx`},
	})
	listing := fixture.DirListing([]fixture.ListedDir{{Path: web05NewDir, Files: []fixture.ListedFile{
		{Name: "WEB05.vhdx", Size: 42 << 30, Modified: fixture.At(7, 30, 0)},
		{Name: "WEB05-logs.vhdx", Size: 8 << 30, Modified: fixture.At(7, 31, 0)},
	}}})
	worker := workerLog(hv01.Worker(12030, fixture.LevelError, fixture.At(8, 2, 50), "WEB05", "6E1C4A98-B2D7-4F35-A9E0-D8C3F5B1A726",
		fixture.F("ErrorMessage", "Failed to Power on with Error 'The system cannot find the path specified.' (0x80070003). Attachment '"+web05OldDir+`\WEB05.vhdx`+"' failed to open.")))
	return fixture.Files{
		"harddrives.txt": fixture.UTF16(drives),
		"listing.txt":    fixture.OEM850(listing),
		"EventLogs/Microsoft-Windows-Hyper-V-Worker-Admin.evtx": worker,
	}, drives, listing
}

func hypervisorStartFailed(message string) []byte {
	return workerLog(hv01.Worker(3040, fixture.LevelError, fixture.At(7, 5, 0), "APP01", "6F0D2C41-9A3B-4E7C-8B15-2D4F6A9C0E73",
		fixture.F("ErrorMessage", message)))
}

const accessDeniedStart = "'APP01' failed to start. General access denied error (0x80070005)."

func version5Table() string {
	return fixture.VMTable([]fixture.VM{
		{Name: "APP01", State: "Running", Version: "9.0"},
		{Name: "DC01", State: "Running", Version: "5.0"},
	})
}

func host2019Boot() []byte {
	return systemLog(hv01.BootKernel(fixture.Day(2024, time.March, 1, 3, 0), fixture.Build2019))
}

var configCases = []causeCase{
	// APP01's .vmcx is empty and the worker logs 3070 with invalid data.
	{name: "empty .vmcx and 3070", cause: "vm-config-corrupt", build: configFiles(0, "0x8007000D"),
		want: fires(rules.High).unopposed(),
		also: func(t *testing.T, b *bundleResult) {
			_, listing := configBundle(0, "0x8007000D")
			f := b.finding("vm-config-corrupt")
			citedAt(t, f, "listing.txt", lineOf(t, listing, ".vmcx"), "vmcx-empty")
			c := citedAt(t, f, "EventLogs/Microsoft-Windows-Hyper-V-Worker-Admin.evtx", evidence.AtRecord(9001), "worker-3070")
			assert.Contains(t, c.Signal, "config-data-invalid")
			assert.Contains(t, commands(f), `Get-VM -Name 'APP01'`)
		}},
	// The same 3070, but it quotes access denied and the .vmcx is intact:
	// a permissions problem.
	{name: "3070 with access denied, .vmcx intact", cause: "vm-config-corrupt", build: configFiles(69632, "0x80070005"),
		want: ruledOut("every listed VM configuration file is present and non-empty")},
	// A Windows Server 2008 R2 VM's configuration is <VM ID>.xml in its
	// "Virtual Machines" folder; a dir listing shows it at zero bytes after
	// snapshot deletions raced. Shape: held-out j, hv10_18.
	{name: "version 5.0 configuration of zero bytes", cause: "vm-config-corrupt",
		build: func(*testing.T) fixture.Files {
			dir := " Directory of D:\\Hyper-V\\DEV-7\\Virtual Machines\r\n\r\n" +
				"06.03.2012  16:31    <DIR>          .\r\n06.03.2012  16:31    <DIR>          ..\r\n" +
				"06.03.2012  16:31                 0 C71E4A02-9B3D-4F68-8A15-2E0D9C6B7F31.xml\r\n" +
				"               1 File(s)              0 bytes\r\n"
			return fixture.Files{"dir.txt": fixture.ASCII(dir)}
		},
		want: firing().with("vmcx-empty")},
	// Packer relays Compare-VM's error record under its own line prefix:
	// the configuration could not be read. Shape: hashicorp/packer#7748.
	{name: "a tool relays that the configuration could not be read", cause: "vm-config-corrupt",
		build: func(*testing.T) fixture.Files {
			out := "==> hyperv-vmcx: Cloning virtual machine...\n" +
				"==> hyperv-vmcx: Error cloning virtual machine: PowerShell error: Hyper-V\\Compare-VM : The virtual machine configuration could not be read. The configuration might be corrupt or not valid.\n" +
				"==> hyperv-vmcx: At C:\\Users\\build\\AppData\\Local\\Temp\\powershell1.ps1:12 char:17\n" +
				"==> hyperv-vmcx:     + CategoryInfo          : InvalidArgument: (:) [Compare-VM], VirtualizationException\n" +
				"==> hyperv-vmcx:     + FullyQualifiedErrorId : InvalidParameter,Microsoft.HyperV.PowerShell.Commands.CompareVM\n"
			return fixture.Files{"packer.txt": fixture.ASCII(out)}
		},
		want: firing().with("cmdlet-config-unreadable").citing("packer.txt line 2 cmdlet-config-unreadable")},
	// Missing configuration and an unregistered one: 0.76.
	{name: "configuration missing, another unregistered", cause: "vm-config-corrupt",
		build: func(*testing.T) fixture.Files { f, _, _ := vmConfigMissing(); return f },
		want:  fires(rules.High),
		also: func(t *testing.T, b *bundleResult) {
			_, vms, listing := vmConfigMissing()
			f := b.finding("vm-config-corrupt")
			citedAt(t, f, "vms.txt", lineOf(t, vms, "Name                  : APP01"), "vmcx-missing")
			citedAt(t, f, "listing.txt", lineOf(t, listing, vmConfigStray), "unregistered-vm-files")
		}},
	// WEB03 (version 10.0) was copied from a Server 2022 host to HV01,
	// which runs Server 2019 (5.0 to 9.0); 9.0 runs on Server 2019.
	{name: "10.0 on a 2019 host", cause: "config-version-unsupported",
		build: func(t *testing.T) fixture.Files {
			files := versionFiles(fixture.Build2019)(t)
			files["EventLogs/Microsoft-Windows-Hyper-V-Worker-Admin.evtx"] = workerLog(
				hv01.Worker(3074, fixture.LevelError, fixture.At(8, 10, 0), "WEB03", "5E6F7A8B-9C0D-4E1F-A2B3-C4D5E6F7A8B9"))
			return files
		},
		want: fires(rules.High).citing("EventLogs/Microsoft-Windows-Hyper-V-Worker-Admin.evtx record 9001 worker-3074"),
		also: func(t *testing.T, b *bundleResult) {
			_, vms := versionBundle(fixture.Build2019)
			f := b.finding("config-version-unsupported")
			c := citedAt(t, f, "vms.txt", lineOf(t, vms, "WEB03"), "version-outside-host-range")
			assert.Equal(t, "10.0", c.Attrs["version"])
			boot := citedAt(t, f, "EventLogs/System.evtx", evidence.AtRecord(81001), "version-outside-host-range")
			assert.Equal(t, "17763", boot.Attrs["data.BuildVersion"])
			for _, e := range f.Evidence {
				assert.NotEqual(t, "APP01", e.VM(), "9.0 runs on Server 2019")
			}
			assert.Contains(t, commands(f), `Update-VMVersion -Name 'WEB03'`)
		}},
	// The host was upgraded to Server 2022 since; its current build runs
	// both 9.0 and 10.0. The older boot on 2019 says nothing about today.
	{name: "host upgraded since", cause: "config-version-unsupported", build: versionFiles(fixture.Build2019, fixture.Build2022),
		want: missingInput("worker-admin-log")},
	// An unknown build decides nothing.
	{name: "unknown host build", cause: "config-version-unsupported", build: versionFiles(fixture.OSBuild{Major: 10, Minor: 0, Build: 19044, QFE: 4046}),
		want: missingInput("worker-admin-log")},
	// DC01 is still at version 5.0 on a 2019 host: it runs, but
	// production checkpoints and RCT backups fall back, so the finding is
	// low, not high.
	{name: "5.0 on a 2019 host", cause: "config-version-unsupported",
		build: func(*testing.T) fixture.Files {
			return fixture.Files{"EventLogs/System.evtx": host2019Boot(), "vms.txt": fixture.UTF16(version5Table())}
		},
		want: fires(rules.Low).exactly("version-5-on-newer-host").citing("EventLogs/System.evtx record 81001 version-5-on-newer-host"),
		also: func(t *testing.T, b *bundleResult) {
			assert.Contains(t, cited(b.finding("config-version-unsupported")), "vms.txt "+lineOf(t, version5Table(), "DC01").String()+" version-5-on-newer-host")
		}},
	// Every VM at 8.0 or later: ruled out, since the worker log is there
	// too and says nothing.
	{name: "every VM at 8.0 or later", cause: "config-version-unsupported",
		build: func(*testing.T) fixture.Files {
			vms := fixture.VMTable([]fixture.VM{{Name: "APP01", State: "Running", Version: "9.0"}, {Name: "DC01", State: "Running", Version: "8.0"}})
			return fixture.Files{
				"EventLogs/System.evtx":                                 host2019Boot(),
				"EventLogs/Microsoft-Windows-Hyper-V-Worker-Admin.evtx": workerLog(hv01.Worker(18500, fixture.LevelInfo, fixture.At(7, 0, 0), "APP01", "6F0D2C41-9A3B-4E7C-8B15-2D4F6A9C0E73")),
				"vms.txt": fixture.UTF16(vms),
			}
		},
		want: ruledOut("every VM's configuration version is one the host's OS build supports")},
	{name: "disk moved to another volume", cause: "vm-path-misconfigured",
		build: func(*testing.T) fixture.Files { f, _, _ := pathMisconfigured(); return f },
		want:  fires(rules.Medium).citing("EventLogs/Microsoft-Windows-Hyper-V-Worker-Admin.evtx record 9001 path-not-found"),
		also: func(t *testing.T, b *bundleResult) {
			_, drives, listing := pathMisconfigured()
			f := b.finding("vm-path-misconfigured")
			c := citedAt(t, f, "harddrives.txt", lineOf(t, drives, app01OldPath), "disk-elsewhere")
			assert.Equal(t, app01NewDir+`\APP01.vhdx`, c.Attrs["found_path"])
			citedAt(t, f, "listing.txt", lineOf(t, listing, "APP01.vhdx"), "disk-elsewhere")
			assert.Contains(t, commands(f), `-Path '`+app01NewDir+`\APP01.vhdx'`)
		}},
	// No event log, no listing of the old folder: Start-VM's own error
	// says the old path is not found, the listing shows the disk moved.
	{name: "disk moved, only Start-VM's error says so", cause: "vm-path-misconfigured",
		build: func(*testing.T) fixture.Files {
			drives := fixture.VMHardDiskDrives([]fixture.Drive{{VMName: "APP01", ControllerType: "SCSI", Path: app01OldPath}})
			listing := fixture.DirListing([]fixture.ListedDir{
				{Path: app01NewDir, Files: []fixture.ListedFile{{Name: "APP01.vhdx", Size: 60 << 30, Modified: fixture.At(7, 30, 0)}}},
			})
			start := psError("Start-VM", "Start-VM -Name APP01", "VirtualizationException",
				"'APP01' failed to start.",
				"Failed to open attachment '"+app01OldPath+"'. Error: 'The system cannot find the file specified.' (0x80070002).",
				"'APP01' failed to start. (Virtual machine ID "+app01ID+")")
			return fixture.Files{"harddrives.txt": fixture.UTF16(drives), "listing.txt": fixture.ASCII(listing), "errors.txt": fixture.UTF16(start)}
		},
		want: fires(rules.Medium).with("disk-elsewhere")},
	// The same error about another disk of the same name proves nothing
	// about the one the VM names.
	{name: "Start-VM error about another path", cause: "vm-path-misconfigured",
		build: func(*testing.T) fixture.Files {
			drives := fixture.VMHardDiskDrives([]fixture.Drive{{VMName: "APP01", ControllerType: "SCSI", Path: app01OldPath}})
			listing := fixture.DirListing([]fixture.ListedDir{
				{Path: app01NewDir, Files: []fixture.ListedFile{{Name: "APP01.vhdx", Size: 60 << 30, Modified: fixture.At(7, 30, 0)}}},
			})
			start := psError("Start-VM", "Start-VM -Name APP01", "VirtualizationException",
				"'APP01' failed to start.",
				"Failed to open attachment 'G:\\ISO\\tools.vhdx'. Error: 'The system cannot find the file specified.' (0x80070002).")
			return fixture.Files{"harddrives.txt": fixture.UTF16(drives), "listing.txt": fixture.ASCII(listing), "errors.txt": fixture.UTF16(start)}
		},
		want: ruledOut("every disk the VMs' settings name is present where they point")},
	// The disk is where the VM points; a copy with the same name in a
	// backup folder is just a copy.
	{name: "disk where the VM points, a copy elsewhere", cause: "vm-path-misconfigured",
		build: func(*testing.T) fixture.Files {
			drives := fixture.VMHardDiskDrives([]fixture.Drive{{VMName: "APP01", ControllerType: "SCSI", Path: app01Base}})
			listing := fixture.DirListing([]fixture.ListedDir{
				{Path: app01Dir, Files: []fixture.ListedFile{{Name: "APP01.vhdx", Size: 60 << 30, Modified: fixture.At(7, 30, 0)}}},
				{Path: `E:\Backup\APP01`, Files: []fixture.ListedFile{{Name: "APP01.vhdx", Size: 58 << 30, Modified: fixture.Day(2024, time.March, 1, 1, 0)}}},
			})
			return fixture.Files{"harddrives.txt": fixture.UTF16(drives), "listing.txt": fixture.ASCII(listing)}
		},
		want: ruledOut("every disk the VMs' settings name is present where they point")},
	{name: "old volume gone", cause: "vm-path-misconfigured",
		build: func(*testing.T) fixture.Files { f, _, _ := oldVolumeGone(); return f },
		want:  fires(rules.Medium),
		also: func(t *testing.T, b *bundleResult) {
			_, drives, listing := oldVolumeGone()
			f := b.finding("vm-path-misconfigured")
			citedAt(t, f, "harddrives.txt", lineOf(t, drives, `WEB05.vhdx`), "disk-elsewhere")
			citedAt(t, f, "harddrives.txt", lineOf(t, drives, `WEB05-logs.vhdx`), "disk-elsewhere")
			citedAt(t, f, "listing.txt", lineOf(t, listing, "WEB05-logs.vhdx"), "disk-elsewhere")
			ev := citedAt(t, f, "EventLogs/Microsoft-Windows-Hyper-V-Worker-Admin.evtx", evidence.AtRecord(9001), "disk-elsewhere")
			assert.Equal(t, "disk-elsewhere, path-not-found", ev.Signal, "the proof is cited once per signal")
		}},
	// Someone turned the hypervisor off in the boot configuration to run
	// another hypervisor; after the restart APP01 no longer starts.
	// systeminfo lists the requirements (all met) instead of "A hypervisor
	// has been detected".
	{name: "launch type off", cause: "hypervisor-not-running",
		build: func(*testing.T) fixture.Files {
			return fixture.Files{
				"EventLogs/Microsoft-Windows-Hyper-V-Worker-Admin.evtx": hypervisorStartFailed("'APP01' failed to start. The virtual machine could not be started because the hypervisor is not running."),
				"bcdedit.txt":    fixture.UTF16(fixture.Bcdedit("Off")),
				"systeminfo.txt": fixture.ASCII(fixture.Systeminfo("HV01", false, true)),
			}
		},
		want:      fires(rules.High).exactly("hypervisor-not-running-text", "launch-type-off").citing("bcdedit.txt line 24 launch-type-off"),
		notOthers: []string{"vm-config-corrupt"},
		also: func(t *testing.T, b *bundleResult) {
			cmds := commands(b.finding("hypervisor-not-running"))
			assert.Contains(t, cmds, "bcdedit.exe /set hypervisorlaunchtype auto")
			assert.Contains(t, cmds, "Start-VM -Name 'APP01'")
			assert.NotContains(t, cmds, "ExposeVirtualizationExtensions", "the processor offers its extensions: no nested-host step")
		}},
	// The boot entry is fine but virtualization is off in the firmware;
	// Hyper-V-Hypervisor 41 says the launch failed.
	{name: "virtualization off in firmware", cause: "hypervisor-not-running",
		build: func(*testing.T) fixture.Files {
			h := hv01.Manifest("System", "Microsoft-Windows-Hyper-V-Hypervisor", "{52fc89f8-995e-434c-a91e-199986449890}", 41, fixture.LevelError,
				fixture.At(6, 58, 0), fixture.F("Message", "Hypervisor launch failed; Either VMX not present or not enabled in BIOS."))
			return fixture.Files{
				"EventLogs/System.evtx": systemLog(h),
				"bcdedit.txt":           fixture.UTF16(fixture.Bcdedit("Auto")),
				"systeminfo.txt":        fixture.UTF16(fixture.Systeminfo("HV01", false, false)),
			}
		},
		want: firing().exactly("hypervisor-launch-failed", "firmware-virtualization-off").citing("systeminfo.txt line 11 firmware-virtualization-off"),
		also: func(t *testing.T, b *bundleResult) {
			assert.NotContains(t, commands(b.finding("hypervisor-not-running")), "bcdedit.exe /set", "the boot entry already launches the hypervisor")
		}},
	// APP01 fails to start for another reason (access denied) on a host
	// whose systeminfo says a hypervisor runs and whose boot entry
	// launches it.
	{name: "start fails for another reason", cause: "hypervisor-not-running",
		build: func(*testing.T) fixture.Files {
			return fixture.Files{
				"EventLogs/Microsoft-Windows-Hyper-V-Worker-Admin.evtx": hypervisorStartFailed(accessDeniedStart),
				"bcdedit.txt":    fixture.UTF16(fixture.Bcdedit("Auto")),
				"systeminfo.txt": fixture.UTF16(fixture.Systeminfo("HV01", true, true)),
			}
		},
		want: ruledOut("systeminfo shows a running hypervisor")},
	// Without systeminfo and bcdedit, nothing decides it: both are asked
	// for.
	{name: "start fails, no systeminfo or bcdedit", cause: "hypervisor-not-running",
		build: func(*testing.T) fixture.Files {
			return fixture.Files{"EventLogs/Microsoft-Windows-Hyper-V-Worker-Admin.evtx": hypervisorStartFailed(accessDeniedStart)}
		},
		want: missingInput().needsExactly("host-systeminfo", "boot-config")},
}
