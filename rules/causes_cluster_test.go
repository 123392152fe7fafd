package rules_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvtriage/hvtriage/evidence"
	"github.com/hvtriage/hvtriage/internal/evtxwrite"
	"github.com/hvtriage/hvtriage/internal/fixture"
	"github.com/hvtriage/hvtriage/rules"
)

var hv02n = fixture.Host{Computer: "HV02.contoso.local"} // the second cluster node

// configNotFound is FailoverClustering 1069 for APP01's configuration
// resource, failed because the configuration it points to is not there.
func configNotFound(t time.Time) evtxwrite.Record {
	return hv01.Cluster(1069, fixture.LevelError, t, fixture.F("ResourceName", "Virtual Machine Configuration APP01"), fixture.F("ResourceGroup", "APP01"),
		fixture.F("ResourceType", "Virtual Machine Configuration"), fixture.F("ErrorString", "The system cannot find the file specified."), fixture.F("ErrorCode", "0x80070002"))
}

// TestClusterMetadata: APP01's role keeps failing on HV01: its
// configuration resource fails because the configuration the cluster
// points to is not found, the role cannot come online, and the cluster
// gives up after the failover threshold.
func TestClusterMetadata(t *testing.T) {
	system := systemLog(
		configNotFound(fixture.At(8, 0, 0)),
		hv01.Cluster(1205, fixture.LevelError, fixture.At(8, 0, 5), fixture.F("ResourceGroup", "APP01"), fixture.F("FailedResources", "Virtual Machine Configuration APP01")),
		hv01.Cluster(1254, fixture.LevelError, fixture.At(8, 9, 0), fixture.F("ResourceGroup", "APP01")),
	)
	res := hvRun(t, fixture.Files{"EventLogs/System.evtx": system})
	f := hvFinding(res, "cluster-metadata")
	require.NotNil(t, f, "findings: %v", hvCauses(res))
	assert.Equal(t, rules.High, f.Severity)
	hvCites(t, f, "EventLogs/System.evtx", evidence.AtRecord(81001), "vm-record-mismatch")
	hvCites(t, f, "EventLogs/System.evtx", evidence.AtRecord(81002), "role-failures-of-mismatched-vm")
	hvCites(t, f, "EventLogs/System.evtx", evidence.AtRecord(81003), "role-failures-of-mismatched-vm")
	assert.Empty(t, f.Against)
	// The same 1069 names a VM configuration resource: a hint for the
	// configuration cause too, weak on its own.
	if c := hvFinding(res, "vm-config-corrupt"); c != nil {
		assert.LessOrEqual(t, c.Severity, rules.Medium)
	}
}

// TestClusterMetadataVMNotOnNode: the VM resource of APP02 fails for no
// stated reason, but Get-VM on the node does not list APP02: the cluster
// holds a VM the node does not.
func TestClusterMetadataVMNotOnNode(t *testing.T) {
	vms := fixture.VMList([]fixture.VM{{Name: "APP01", ID: app01ID, State: "Running", Version: "10.0", Path: `C:\ClusterStorage\Volume1\APP01`}})
	b := analyzeFiles(t, fixture.Files{
		"System.evtx": systemLog(hv01.ResourceFailed(fixture.At(8, 0, 0), "Virtual Machine APP02", "APP02", "Virtual Machine"),
			hv01.Cluster(1205, fixture.LevelError, fixture.At(8, 0, 5), fixture.F("ResourceGroup", "APP02"))),
		"vms.txt": fixture.UTF16(vms),
	})
	f := b.finding("cluster-metadata")
	assert.ElementsMatch(t, []string{"vm-record-mismatch", "role-failures-of-mismatched-vm"}, signalIDs(f))
}

// TestClusterMetadataNearMiss: a failed IP address resource is not a VM
// role; a VM role failing for no reason that blames its record (the same
// 1069, 1205 and 1254, its CSV paused just before) is not this cause, and
// the report says what it looked for; and when the record is blamed but
// the CSV paused first, the storage loss is cited against it.
func TestClusterMetadataNearMiss(t *testing.T) {
	ip := systemLog(hv01.ResourceFailed(fixture.At(8, 0, 0), "IP Address 10.0.0.50", "Cluster Group", "IP Address"))
	res := hvRun(t, fixture.Files{"EventLogs/System.evtx": ip})
	assert.Nil(t, hvFinding(res, "cluster-metadata"), "findings: %v", hvCauses(res))

	paused := hv01.Cluster(5120, fixture.LevelError, fixture.At(7, 59, 30), fixture.F("VolumeName", "Volume1"), fixture.F("ResourceName", "Cluster Disk 2"),
		fixture.F("ErrorCode", "STATUS_IO_TIMEOUT(c00000b5)"))
	b := analyzeFiles(t, fixture.Files{"EventLogs/System.evtx": systemLog(paused,
		hv01.ResourceFailed(fixture.At(8, 0, 0), "Virtual Machine APP01", "APP01", "Virtual Machine"),
		hv01.Cluster(1205, fixture.LevelError, fixture.At(8, 0, 5), fixture.F("ResourceGroup", "APP01")),
		hv01.Cluster(1254, fixture.LevelError, fixture.At(8, 9, 0), fixture.F("ResourceGroup", "APP01")),
	)})
	assert.False(t, b.has("cluster-metadata"), "findings: %v", b.causes())
	assert.Contains(t, b.ruledOutWhy("cluster-metadata"), "the cluster's record and the VM disagreeing")

	b = analyzeFiles(t, fixture.Files{"EventLogs/System.evtx": systemLog(paused, configNotFound(fixture.At(8, 0, 0)))})
	f := b.finding("cluster-metadata")
	assert.Less(t, f.Severity, rules.High)
	require.Len(t, f.Against, 1)
	assert.Equal(t, "csv-paused", f.Against[0].Signal)
}

// TestClusterMetadataNodeDown: the record is blamed, but the node had
// just left the membership: the node going down is cited against it.
func TestClusterMetadataNodeDown(t *testing.T) {
	b := analyzeFiles(t, fixture.Files{"EventLogs/System.evtx": systemLog(
		hv01.Cluster(1135, fixture.LevelCritical, fixture.At(7, 58, 0), fixture.F("NodeName", "HV02")),
		configNotFound(fixture.At(8, 0, 0)),
	)})
	f := b.finding("cluster-metadata")
	assert.Equal(t, []string{"EventLogs/System.evtx record 81001 node-went-down"}, citedAgainst(f))
}

// TestRebootWithoutDrain: HV02 lost power at about 09:35 while it owned
// APP01; HV01 logged the role failing at 09:40 and HV02 logged 6008 when it
// came back at 10:05.
func TestRebootWithoutDrain(t *testing.T) {
	hv01Log := systemLog(hv01.ResourceFailed(fixture.At(9, 40, 0), "Virtual Machine APP01", "APP01", "Virtual Machine"))
	hv02Log := fixture.EVTX([]evtxwrite.Record{
		hv02n.BootKernel(fixture.At(10, 4, 0), fixture.Build2022),
		hv02n.UnexpectedShutdown(fixture.At(10, 5, 0), fixture.At(9, 35, 0)),
	}, 501)
	res := hvRun(t, fixture.Files{"HV01/System.evtx": hv01Log, "HV02/System.evtx": hv02Log})
	f := hvFinding(res, "reboot-without-drain")
	require.NotNil(t, f, "findings: %v", hvCauses(res))
	assert.Equal(t, rules.Medium, f.Severity)
	hvCites(t, f, "HV02/System.evtx", evidence.AtRecord(502), "crash-with-role-failures")
	hvCites(t, f, "HV01/System.evtx", evidence.AtRecord(81001), "crash-with-role-failures")
	assert.Contains(t, hvCommands(f), "Suspend-ClusterNode -Name 'HV02.contoso.local' -Drain -Wait")
}

// TestRebootWithoutDrainNearMiss: HV02 was restarted for patching and its
// roles moved away cleanly: nothing failed in the hour after. A role
// failure the next afternoon is unrelated.
func TestRebootWithoutDrainNearMiss(t *testing.T) {
	hv02Log := fixture.EVTX([]evtxwrite.Record{
		hv02n.PlannedRestart(fixture.At(2, 0, 0), `C:\Windows\system32\ClusterAwareUpdating.exe`, `CONTOSO\svc-cau`),
		hv02n.BootKernel(fixture.At(2, 6, 0), fixture.Build2022),
		hv02n.ResourceFailed(fixture.Day(2024, time.March, 15, 14, 0), "Virtual Machine APP01", "APP01", "Virtual Machine"),
	}, 601)
	res := hvRun(t, fixture.Files{"HV02/System.evtx": hv02Log})
	assert.Nil(t, hvFinding(res, "reboot-without-drain"), "findings: %v", hvCauses(res))
}

// TestRebootWithoutDrainNearMissDrained: Cluster-Aware Updating restarted
// HV02, and CAU pauses and drains a node before it restarts it; a VM
// resource still failed minutes after. That restart was drained first:
// the cause is ruled out, and the reason says so.
func TestRebootWithoutDrainNearMissDrained(t *testing.T) {
	log := fixture.EVTX([]evtxwrite.Record{
		hv02n.PlannedRestart(fixture.At(2, 0, 0), `C:\Windows\system32\ClusterAwareUpdating.exe`, `CONTOSO\svc-cau`),
		hv02n.BootKernel(fixture.At(2, 6, 0), fixture.Build2022),
		hv02n.ResourceFailed(fixture.At(2, 7, 40), "Virtual Machine APP21", "APP21", "Virtual Machine"),
	}, 801)
	b := analyzeFiles(t, fixture.Files{"HV02/System.evtx": log})
	assert.False(t, b.has("reboot-without-drain"), "findings: %v", b.causes())
	assert.Contains(t, b.ruledOutWhy("reboot-without-drain"), "without the node being drained first")
}

// TestRebootWithoutDrainAgainstDrained: HV02 crashed with APP01 online
// (the cause), and earlier CAU restarted it after draining it: the drained
// restart is cited against, not for.
func TestRebootWithoutDrainAgainstDrained(t *testing.T) {
	hv01Log := systemLog(hv01.ResourceFailed(fixture.At(9, 40, 0), "Virtual Machine APP01", "APP01", "Virtual Machine"))
	hv02Log := fixture.EVTX([]evtxwrite.Record{
		hv02n.PlannedRestart(fixture.At(2, 0, 0), `C:\Windows\system32\ClusterAwareUpdating.exe`, `CONTOSO\svc-cau`),
		hv02n.ResourceFailed(fixture.At(2, 7, 40), "Virtual Machine APP21", "APP21", "Virtual Machine"),
		hv02n.BootKernel(fixture.At(10, 4, 0), fixture.Build2022),
		hv02n.UnexpectedShutdown(fixture.At(10, 5, 0), fixture.At(9, 35, 0)),
	}, 901)
	b := analyzeFiles(t, fixture.Files{"HV01/System.evtx": hv01Log, "HV02/System.evtx": hv02Log})
	f := b.finding("reboot-without-drain")
	assert.Equal(t, []string{"crash-with-role-failures"}, signalIDs(f))
	assert.Equal(t, []string{"HV02/System.evtx record 901 node-drained-first"}, citedAgainst(f))
	assert.NotContains(t, cited(f), "HV02/System.evtx record 901 restart-with-role-failures")
}

// savedBundle: SQL01 is Saved; its .vmrs was last written on writeDay.
func savedBundle(writeDay time.Time, withErrors bool) (fixture.Files, string, string) {
	vms := fixture.VMList([]fixture.VM{
		{Name: "SQL01", ID: sql01ID, State: "Saved", Version: "9.0", Path: `E:\VMs\SQL01`},
		{Name: "APP01", ID: app01ID, State: "Running", Version: "9.0", Path: `D:\Hyper-V\APP01`},
	})
	listing := fixture.DirListing([]fixture.ListedDir{{Path: `E:\VMs\SQL01\Virtual Machines`, Files: []fixture.ListedFile{
		{Name: sql01ID + ".vmcx", Size: 78 << 10, Modified: writeDay},
		{Name: sql01ID + ".vmrs", Size: 16 << 30, Modified: writeDay},
	}}})
	files := fixture.Files{"vms.txt": fixture.UTF16(vms), "listing.txt": fixture.ASCII(listing)}
	worker := []evtxwrite.Record{hv01.Worker(18500, fixture.LevelInfo, fixture.At(7, 0, 0), "APP01", app01ID)}
	if withErrors {
		worker = append(worker, hv01.Worker(3080, fixture.LevelError, fixture.At(8, 0, 0), "SQL01", sql01ID,
			fixture.F("MemoryFilePath", `E:\VMs\SQL01\Virtual Machines\`+sql01ID+`.vmrs`)))
	}
	files["EventLogs/Microsoft-Windows-Hyper-V-Worker-Admin.evtx"] = workerLog(worker...)
	return files, vms, listing
}

// TestSavedStateStuck: SQL01 has been Saved since late February and the
// worker cannot use its saved-state file.
func TestSavedStateStuck(t *testing.T) {
	files, vms, listing := savedBundle(fixture.Day(2024, time.February, 23, 1, 10), true)
	res := hvRun(t, files)
	f := hvFinding(res, "saved-state-stuck")
	require.NotNil(t, f, "findings: %v", hvCauses(res))
	assert.Equal(t, rules.High, f.Severity)
	hvCites(t, f, "EventLogs/Microsoft-Windows-Hyper-V-Worker-Admin.evtx", evidence.AtRecord(9002), "worker-3080")
	c := hvCites(t, f, "vms.txt", lineOf(t, vms, "Name                  : SQL01"), "saved-for-long")
	assert.Contains(t, c.Signal, "state-saved")
	hvCites(t, f, "listing.txt", lineOf(t, listing, ".vmrs"), "saved-for-long")
	assert.Contains(t, hvCommands(f), `Remove-VMSavedState -VMName 'SQL01'`)
}

// TestSavedStateNearMiss: SQL01 was saved this morning for host
// maintenance and nothing failed: a Saved VM is not a stuck one.
func TestSavedStateNearMiss(t *testing.T) {
	files, _, _ := savedBundle(fixture.At(6, 50, 0), false)
	res := hvRun(t, files)
	assert.Nil(t, hvFinding(res, "saved-state-stuck"), "findings: %v", hvCauses(res))
}

// TestRebootWithoutDrainPlanned: Windows Update restarted HV02 with its
// roles online; both VM resources failed minutes after it came back. The
// restart explains the failures better than a cluster record out of step.
func TestRebootWithoutDrainPlanned(t *testing.T) {
	log := fixture.EVTX([]evtxwrite.Record{
		hv02n.PlannedRestart(fixture.At(3, 1, 12), `C:\Windows\servicing\TrustedInstaller.exe (HV02)`, `NT AUTHORITY\SYSTEM`),
		hv02n.BootKernel(fixture.At(3, 6, 30), fixture.Build2022),
		hv02n.ResourceFailed(fixture.At(3, 7, 40), "Virtual Machine APP21", "APP21", "Virtual Machine"),
		hv02n.ResourceFailed(fixture.At(3, 7, 41), "Virtual Machine APP22", "APP22", "Virtual Machine"),
	}, 701)
	res := hvRun(t, fixture.Files{"HV02/System.evtx": log})
	f := hvFinding(res, "reboot-without-drain")
	require.NotNil(t, f, "findings: %v", hvCauses(res))
	assert.Equal(t, rules.Medium, f.Severity)
	hvCites(t, f, "HV02/System.evtx", evidence.AtRecord(701), "restart-with-role-failures")
	hvCites(t, f, "HV02/System.evtx", evidence.AtRecord(704), "restart-with-role-failures")
	require.NotEmpty(t, res.Outcome.Findings)
	assert.Equal(t, "reboot-without-drain", res.Outcome.Findings[0].Cause.ID, "findings: %v", hvCauses(res))
	assert.Nil(t, hvFinding(res, "cluster-metadata"), "VM resources failing after a restart do not say the cluster's record is wrong")
}

// A backup agent's file-system filter is not CSV-aware: HV21 logs 5121 and
// Get-ClusterSharedVolumeState shows Volume1 file-system redirected for
// IncompatibleFileSystemFilter on it.
func TestCSVRedirectedAccess(t *testing.T) {
	hv21 := fixture.Host{Computer: "HV21.contoso.local"}
	ev := hv21.Cluster(5121, fixture.LevelError, fixture.At(4, 0, 0), fixture.F("VolumeName", "Volume1"), fixture.F("ResourceName", "Cluster Disk 2"))
	states := fixture.CSVStateList([]fixture.CSVState{
		{Resource: "Cluster Disk 2", Volume: `C:\ClusterStorage\Volume1\`, Node: "HV21", State: "FileSystemRedirected", FSReason: "IncompatibleFileSystemFilter", BlockReason: "NotBlockRedirected"},
		{Resource: "Cluster Disk 2", Volume: `C:\ClusterStorage\Volume1\`, Node: "HV22", State: "Direct", FSReason: "NotFileSystemRedirected", BlockReason: "NotBlockRedirected"},
	})
	b := analyzeFiles(t, fixture.Files{"System.evtx": systemLog(ev), "csv_state.txt": fixture.UTF16(states)})
	f := b.finding("csv-redirected-access")
	assert.Equal(t, rules.High, f.Severity)
	assert.ElementsMatch(t, []string{"csv-redirected-5121", "csv-fs-redirected"}, signalIDs(f))
	assert.Empty(t, f.Against, "one node is still redirected")
	cmds := commands(f)
	assert.Contains(t, cmds, `fltmc.exe instances -v 'C:\ClusterStorage\Volume1'`)
	assert.Contains(t, cmds, `Move-ClusterSharedVolume -Name 'Cluster Disk 2'`)
	assert.False(t, b.has("storage-connectivity"), "5121 is a redirect, not a paused CSV; findings: %v", b.causes())
}

// Near-miss: an S2D cluster's ReFS volumes run file-system redirected by
// design, and no 5121 was logged: ruled out, and the reason says so.
func TestCSVRedirectedReFSNearMiss(t *testing.T) {
	boot := hv02n.Classic("System", "EventLog", 6005, fixture.QualEventLog, fixture.LevelInfo, fixture.At(0, 0, 1))
	states := fixture.CSVStateList([]fixture.CSVState{
		{Resource: "Cluster Virtual Disk (VD01)", Volume: `C:\ClusterStorage\VD01\`, Node: "HV02", State: "FileSystemRedirected", FSReason: "FileSystemReFs", BlockReason: "NotBlockRedirected"},
	})
	b := analyzeFiles(t, fixture.Files{"System.evtx": systemLog(boot), "csv_state.txt": fixture.UTF16(states)})
	assert.False(t, b.has("csv-redirected-access"), "findings: %v", b.causes())
	assert.Contains(t, b.ruledOutWhy("csv-redirected-access"), "only because it is ReFS")
}
