package rules_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvtriage/hvtriage/internal/evtxwrite"
	. "github.com/hvtriage/hvtriage/internal/fixture"
	"github.com/hvtriage/hvtriage/rules"
	"github.com/hvtriage/hvtriage/wintext"
)

// healthyBundle is a host with every input collected and nothing wrong:
// stable writers, one backup product (its provider and change-tracking
// filter), Defender loaded with nothing locked, the logon right in place,
// VM files granting their VMs, a production checkpoint taken an hour
// before collection and no backup error since, and logs with only
// routine events.
func healthyBundle(t *testing.T) Files {
	t.Helper()
	web01SID, err := wintext.VMSID(web01ID)
	require.NoError(t, err)
	const avhdx = `\WEB01_9E4B2C71-0D3A-4F86-B5E2-7C1A9D0F3B58.avhdx`
	sys := []evtxwrite.Record{
		hv02.Classic("System", "EventLog", 6005, QualEventLog, LevelInfo, At(0, 1, 0)),
		hv02.Classic("System", "EventLog", 6009, QualEventLog, LevelInfo, At(0, 1, 0), "10.00.", "20348", "Multiprocessor Free", "0"),
		hv02.Classic("System", "Service Control Manager", 7036, QualInfo, LevelInfo, At(0, 2, 0), "Hyper-V Virtual Machine Management", "running"),
	}
	app := []evtxwrite.Record{
		hv02.Classic("Application", "VSS", 8224, 0, LevelInfo, At(2, 30, 0)),
		hv02.Manifest("Application", "Microsoft-Windows-CAPI2", "{5bbca4a8-b209-48dc-a8c7-b23d3e5216fb}", 513, LevelError, At(2, 10, 0),
			F("Data", "Cryptographic Services failed while processing the OnIdentity() call in the System Writer Object.")),
	}
	vmms := []evtxwrite.Record{
		hv02.VMMS(13002, LevelInfo, At(0, 30, 0), "WEB01", web01ID),
		hv02.VMMS(18303, LevelInfo, At(1, 0, 0), "WEB01", web01ID),
	}
	worker := []evtxwrite.Record{hv02.Worker(18500, LevelInfo, At(0, 35, 0), "WEB01", web01ID)}
	vms := VMList([]VM{{Name: "WEB01", ID: web01ID, State: "Running", Version: "10.0", Generation: 2, Path: `D:\Hyper-V\WEB01`,
		SnapshotLocation: `D:\Hyper-V\WEB01`, CheckpointType: "Production", ParentSnapshot: "Before app update",
		HardDrives: []string{web01Disks + avhdx}}})
	cps := VMSnapshotsList([]Checkpoint{{VMName: "WEB01", Name: "Before app update", Type: "Standard", Created: At(8, 0, 0), VMID: web01ID,
		ID: "9E4B2C71-0D3A-4F86-B5E2-7C1A9D0F3B58", Path: `D:\Hyper-V\WEB01`, HardDrives: []string{web01Disks + `\WEB01.vhdx`}}})
	drives := VMHardDiskDrives([]Drive{{VMName: "WEB01", ControllerType: "SCSI", Path: web01Disks + avhdx}})
	listing := DirListing([]ListedDir{{Path: web01Disks, Files: []ListedFile{
		{Name: "WEB01.vhdx", Size: 42949672960, Modified: At(8, 0, 0)},
		{Name: "WEB01.vhdx.mrt", Size: 77824, Modified: At(8, 0, 0)},
		{Name: "WEB01.vhdx.rct", Size: 5283840, Modified: At(8, 0, 0)},
		{Name: avhdx[1:], Size: 268435456, Modified: At(9, 0, 0)},
	}}})
	icacls := Icacls([]ACL{
		{Path: web01Disks + `\WEB01.vhdx`, ACEs: VMDiskACEs(web01ID)},
		{Path: web01Disks + avhdx, ACEs: append([]string{web01SID + ":(R,W)"}, VMDiskACEs(web01ID)[1:]...)},
	})
	fl := Fltmc(WithFilters(Filter{Name: "WdFilter", Instances: 6, Altitude: "328010"}, Filter{Name: "VeeamFCT", Instances: 3, Altitude: "404920"}))
	return Files{
		"HV02/EventLogs/System.evtx":                                 EVTX(sys, 100),
		"HV02/EventLogs/Application.evtx":                            EVTX(app, 200),
		"HV02/EventLogs/Microsoft-Windows-Hyper-V-VMMS-Admin.evtx":   EVTX(vmms, 300),
		"HV02/EventLogs/Microsoft-Windows-Hyper-V-Worker-Admin.evtx": EVTX(worker, 400),
		"HV02/vssadmin_writers.txt":                                  UTF16(VSSAdminWriters(HealthyWriters())),
		"HV02/vssadmin_providers.txt":                                UTF16(VSSAdminProviders([]VSSProvider{ProviderFileShare, ProviderSoftware, providerVeeam})),
		"HV02/vssadmin_shadows.txt":                                  UTF16(VSSAdminShadows(nil)),
		"HV02/Get-VM.txt":                                            UTF16(vms),
		"HV02/Get-VMSnapshot.txt":                                    UTF16(cps),
		"HV02/Get-VMHardDiskDrive.txt":                               UTF16(drives),
		"HV02/listing.txt":                                           ASCII(listing),
		"HV02/icacls.txt":                                            UTF16(icacls),
		"HV02/fltmc.txt":                                             OEM850(fl),
		"HV02/secedit.txt":                                           UTF16(Secedit(HyperVHostRights())),
		// Only the VM's worker process holds its disks.
		"HV02/handles.txt": UTF16(HandleOutput([]OpenHandle{
			{Process: "vmwp.exe", PID: 5120, ID: "5A4", Path: web01Disks + `\WEB01.vhdx`},
			{Process: "vmwp.exe", PID: 5120, ID: "5B0", Path: web01Disks + avhdx},
		})),
	}
}

// TestCleanBundleStaysQuiet: a healthy host yields nothing above low, and
// every cause of helper A's areas whose inputs are all present is ruled
// out rather than left undecided.
func TestCleanBundleStaysQuiet(t *testing.T) {
	b := analyzeFiles(t, healthyBundle(t))
	for _, f := range b.res.Outcome.Findings {
		assert.LessOrEqual(t, f.Severity, rules.Low, "%s fired on a healthy host: %v", f.Cause.ID, cited(&f))
	}
	for _, inv := range b.res.Inventory {
		assert.Empty(t, inv.Problems, "%s", inv.Path)
		assert.NotEqual(t, "unknown", inv.Kind, "%s was not recognized", inv.Path)
	}
	for _, c := range []string{
		"vss-writer-failed", "backup-overlapping-jobs", "backup-vendor-integration", "backup-blocked-by-user-checkpoint",
		"storage-connectivity", "filesystem-corruption", "storage-space-exhausted", "vm-files-missing",
		"hardware-driver-instability", "permission-logon-as-service", "permission-acl", "antivirus-interference", "stale-file-lock",
	} {
		assert.True(t, b.ruledOut(c), "%s should be ruled out on a healthy bundle (missing: %v)", c, b.missingFor(c))
	}
}
