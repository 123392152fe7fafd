package rules_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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

func systemFile(recs ...evtxwrite.Record) func(*testing.T) fixture.Files {
	return func(*testing.T) fixture.Files { return fixture.Files{"EventLogs/System.evtx": systemLog(recs...)} }
}

func csvPaused() evtxwrite.Record {
	return hv01.Cluster(5120, fixture.LevelError, fixture.At(7, 59, 30), fixture.F("VolumeName", "Volume1"), fixture.F("ResourceName", "Cluster Disk 2"),
		fixture.F("ErrorCode", "STATUS_IO_TIMEOUT(c00000b5)"))
}

func savedFiles(writeDay time.Time, withErrors bool) func(*testing.T) fixture.Files {
	return func(*testing.T) fixture.Files {
		files, _, _ := savedBundle(writeDay, withErrors)
		return files
	}
}

// crashedWithAPP01 is HV01's System log with APP01's role failing at
// 09:40 after HV02 lost power at about 09:35 while it owned it.
func crashedWithAPP01() []byte {
	return systemLog(hv01.ResourceFailed(fixture.At(9, 40, 0), "Virtual Machine APP01", "APP01", "Virtual Machine"))
}

var clusterCases = []causeCase{
	// The cluster log quoted in a ticket: the role references a resource
	// that is no longer in the cluster database (its key was deleted by
	// hand). Shape: held-out o, hv15_13.
	{name: "cluster log: resource not in the cluster database", cause: "cluster-metadata",
		build: func(*testing.T) fixture.Files {
			log := "00001f48.00002b3c::2024/05/21-07:31:47.119 ERR   [RCM] Group APP-9 references resource d3f81b06-4c9e-47a2-b5d0-7e1a29c8f463 which is not in the cluster database\r\n"
			return fixture.Files{"cluster-log.txt": fixture.ASCII(log)}
		},
		want: firing().with("cluster-db-reference-missing")},
	// A 1069 copied from Event Viewer as text (no event data, only the
	// message): the VM resource failed with "Element not found", then the
	// role could not come online. Shape: held-out h, hv8_01.
	{name: "1069 pasted as text: VM resource not found", cause: "cluster-metadata",
		build: func(*testing.T) fixture.Files {
			ev := func(id, msg string) string {
				return "Log Name:      System\r\nSource:        Microsoft-Windows-FailoverClustering\r\nDate:          11/18/2024 6:42:18 AM\r\n" +
					"Event ID:      " + id + "\r\nTask Category: Resource Control Manager\r\nLevel:         Error\r\nKeywords:      \r\nUser:          SYSTEM\r\n" +
					"Computer:      NODE-3.example.local\r\nDescription:\r\n" + msg + "\r\n\r\n"
			}
			text := ev("1069", "Cluster resource 'Virtual Machine APP-7' of type 'Virtual Machine' in clustered role 'APP-7' failed. The error code was '0x80070490' ('Element not found.').") +
				ev("1205", "The Cluster service failed to bring clustered role 'APP-7' completely online or offline. One or more resources may be in a failed state.")
			return fixture.Files{"events.txt": fixture.ASCII(text)}
		},
		want: firing().with("vm-record-mismatch", "role-failures-of-mismatched-vm")},
	// APP01's role keeps failing on HV01: its configuration resource fails
	// because the configuration the cluster points to is not there, the
	// role cannot come online, and the cluster gives up after the failover
	// threshold.
	{name: "configuration not found, role gives up", cause: "cluster-metadata",
		build: systemFile(
			configNotFound(fixture.At(8, 0, 0)),
			hv01.Cluster(1205, fixture.LevelError, fixture.At(8, 0, 5), fixture.F("ResourceGroup", "APP01"), fixture.F("FailedResources", "Virtual Machine Configuration APP01")),
			hv01.Cluster(1254, fixture.LevelError, fixture.At(8, 9, 0), fixture.F("ResourceGroup", "APP01")),
		),
		want: fires(rules.High).unopposed().citing(
			"EventLogs/System.evtx record 81001 vm-record-mismatch",
			"EventLogs/System.evtx record 81002 role-failures-of-mismatched-vm",
			"EventLogs/System.evtx record 81003 role-failures-of-mismatched-vm"),
		also: func(t *testing.T, b *bundleResult) {
			// The same 1069 names a VM configuration resource: a hint for the
			// configuration cause too, weak on its own.
			if c := b.by["vm-config-corrupt"]; c != nil {
				assert.LessOrEqual(t, c.Severity, rules.Medium)
			}
		}},
	// The VM resource of APP02 fails for no stated reason, but Get-VM on
	// the node does not list APP02: the cluster holds a VM the node does
	// not.
	{name: "failing VM not on the node", cause: "cluster-metadata",
		build: func(*testing.T) fixture.Files {
			vms := fixture.VMList([]fixture.VM{{Name: "APP01", ID: app01ID, State: "Running", Version: "10.0", Path: `C:\ClusterStorage\Volume1\APP01`}})
			return fixture.Files{
				"System.evtx": systemLog(hv01.ResourceFailed(fixture.At(8, 0, 0), "Virtual Machine APP02", "APP02", "Virtual Machine"),
					hv01.Cluster(1205, fixture.LevelError, fixture.At(8, 0, 5), fixture.F("ResourceGroup", "APP02"))),
				"vms.txt": fixture.UTF16(vms),
			}
		},
		want: firing().exactly("vm-record-mismatch", "role-failures-of-mismatched-vm")},
	// A failed IP address resource is not a VM role.
	{name: "IP address resource failed", cause: "cluster-metadata",
		build: systemFile(hv01.ResourceFailed(fixture.At(8, 0, 0), "IP Address 10.0.0.50", "Cluster Group", "IP Address")),
		want:  ruledOut("other role failures are not this cause")},
	// A VM role failing for no reason that blames its record (the same
	// 1069, 1205 and 1254, its CSV paused just before) is not this cause,
	// and the report says what it looked for.
	{name: "VM role fails after its CSV paused", cause: "cluster-metadata",
		build: systemFile(csvPaused(),
			hv01.ResourceFailed(fixture.At(8, 0, 0), "Virtual Machine APP01", "APP01", "Virtual Machine"),
			hv01.Cluster(1205, fixture.LevelError, fixture.At(8, 0, 5), fixture.F("ResourceGroup", "APP01")),
			hv01.Cluster(1254, fixture.LevelError, fixture.At(8, 9, 0), fixture.F("ResourceGroup", "APP01")),
		),
		want: ruledOut("the cluster's record and the VM disagreeing")},
	// When the record is blamed but the CSV paused first, the storage
	// loss is cited against it.
	{name: "record blamed after the CSV paused", cause: "cluster-metadata", build: systemFile(csvPaused(), configNotFound(fixture.At(8, 0, 0))),
		want: firing().atMost(rules.Medium),
		also: func(t *testing.T, b *bundleResult) {
			f := b.finding("cluster-metadata")
			require.Len(t, f.Against, 1)
			assert.Equal(t, "csv-paused", f.Against[0].Signal)
		}},
	// The record is blamed, but the node had just left the membership: the
	// node going down is cited against it.
	{name: "record blamed after the node went down", cause: "cluster-metadata",
		build: systemFile(hv01.Cluster(1135, fixture.LevelCritical, fixture.At(7, 58, 0), fixture.F("NodeName", "HV02")), configNotFound(fixture.At(8, 0, 0))),
		want:  firing().opposedBy("EventLogs/System.evtx record 81001 node-went-down")},
	// HV02 lost power at about 09:35 while it owned APP01; HV01 logged the
	// role failing at 09:40 and HV02 logged 6008 when it came back at 10:05.
	{name: "node lost power with a role online", cause: "reboot-without-drain",
		build: func(*testing.T) fixture.Files {
			hv02Log := fixture.EVTX([]evtxwrite.Record{
				hv02n.BootKernel(fixture.At(10, 4, 0), fixture.Build2022),
				hv02n.UnexpectedShutdown(fixture.At(10, 5, 0), fixture.At(9, 35, 0)),
			}, 501)
			return fixture.Files{"HV01/System.evtx": crashedWithAPP01(), "HV02/System.evtx": hv02Log}
		},
		want: fires(rules.Medium).citing("HV02/System.evtx record 502 crash-with-role-failures", "HV01/System.evtx record 81001 crash-with-role-failures"),
		also: func(t *testing.T, b *bundleResult) {
			assert.Contains(t, commands(b.finding("reboot-without-drain")), "Suspend-ClusterNode -Name 'HV02.contoso.local' -Drain -Wait")
		}},
	// HV02 was restarted for patching and its roles moved away cleanly:
	// nothing failed in the hour after. A role failure the next afternoon
	// is unrelated.
	{name: "restart with nothing failing after", cause: "reboot-without-drain",
		build: func(*testing.T) fixture.Files {
			return fixture.Files{"HV02/System.evtx": fixture.EVTX([]evtxwrite.Record{
				hv02n.PlannedRestart(fixture.At(2, 0, 0), `C:\Windows\system32\ClusterAwareUpdating.exe`, `CONTOSO\svc-cau`),
				hv02n.BootKernel(fixture.At(2, 6, 0), fixture.Build2022),
				hv02n.ResourceFailed(fixture.Day(2024, time.March, 15, 14, 0), "Virtual Machine APP01", "APP01", "Virtual Machine"),
			}, 601)}
		},
		want: ruledOut("followed by clustered role failures")},
	// Cluster-Aware Updating restarted HV02, and CAU pauses and drains a
	// node before it restarts it; a VM resource still failed minutes
	// after. That restart was drained first.
	{name: "CAU drained the node first", cause: "reboot-without-drain",
		build: func(*testing.T) fixture.Files {
			return fixture.Files{"HV02/System.evtx": fixture.EVTX([]evtxwrite.Record{
				hv02n.PlannedRestart(fixture.At(2, 0, 0), `C:\Windows\system32\ClusterAwareUpdating.exe`, `CONTOSO\svc-cau`),
				hv02n.BootKernel(fixture.At(2, 6, 0), fixture.Build2022),
				hv02n.ResourceFailed(fixture.At(2, 7, 40), "Virtual Machine APP21", "APP21", "Virtual Machine"),
			}, 801)}
		},
		want: ruledOut("without the node being drained first")},
	// HV02 crashed with APP01 online (the cause), and earlier CAU
	// restarted it after draining it: the drained restart is cited
	// against, not for.
	{name: "crash after an earlier drained restart", cause: "reboot-without-drain",
		build: func(*testing.T) fixture.Files {
			hv02Log := fixture.EVTX([]evtxwrite.Record{
				hv02n.PlannedRestart(fixture.At(2, 0, 0), `C:\Windows\system32\ClusterAwareUpdating.exe`, `CONTOSO\svc-cau`),
				hv02n.ResourceFailed(fixture.At(2, 7, 40), "Virtual Machine APP21", "APP21", "Virtual Machine"),
				hv02n.BootKernel(fixture.At(10, 4, 0), fixture.Build2022),
				hv02n.UnexpectedShutdown(fixture.At(10, 5, 0), fixture.At(9, 35, 0)),
			}, 901)
			return fixture.Files{"HV01/System.evtx": crashedWithAPP01(), "HV02/System.evtx": hv02Log}
		},
		want: firing().exactly("crash-with-role-failures").opposedBy("HV02/System.evtx record 901 node-drained-first"),
		also: func(t *testing.T, b *bundleResult) {
			assert.NotContains(t, cited(b.finding("reboot-without-drain")), "HV02/System.evtx record 901 restart-with-role-failures")
		}},
	// Windows Update restarted HV02 with its roles online; both VM
	// resources failed minutes after it came back. The restart explains
	// the failures better than a cluster record out of step.
	{name: "Windows Update restarted the node", cause: "reboot-without-drain",
		build: func(*testing.T) fixture.Files {
			return fixture.Files{"HV02/System.evtx": fixture.EVTX([]evtxwrite.Record{
				hv02n.PlannedRestart(fixture.At(3, 1, 12), `C:\Windows\servicing\TrustedInstaller.exe (HV02)`, `NT AUTHORITY\SYSTEM`),
				hv02n.BootKernel(fixture.At(3, 6, 30), fixture.Build2022),
				hv02n.ResourceFailed(fixture.At(3, 7, 40), "Virtual Machine APP21", "APP21", "Virtual Machine"),
				hv02n.ResourceFailed(fixture.At(3, 7, 41), "Virtual Machine APP22", "APP22", "Virtual Machine"),
			}, 701)}
		},
		want:      fires(rules.Medium).citing("HV02/System.evtx record 701 restart-with-role-failures", "HV02/System.evtx record 704 restart-with-role-failures"),
		notOthers: []string{"cluster-metadata"}, // VM resources failing after a restart do not say the record is wrong
		also: func(t *testing.T, b *bundleResult) {
			require.NotEmpty(t, b.res.Outcome.Findings)
			assert.Equal(t, "reboot-without-drain", b.res.Outcome.Findings[0].Cause.ID, "findings: %v", b.causes())
		}},
	// SQL01 has been Saved since late February and the worker cannot use
	// its saved-state file.
	{name: "saved for weeks, 3080", cause: "saved-state-stuck", build: savedFiles(fixture.Day(2024, time.February, 23, 1, 10), true),
		want: fires(rules.High).citing("EventLogs/Microsoft-Windows-Hyper-V-Worker-Admin.evtx record 9002 worker-3080"),
		also: func(t *testing.T, b *bundleResult) {
			_, vms, listing := savedBundle(fixture.Day(2024, time.February, 23, 1, 10), true)
			f := b.finding("saved-state-stuck")
			c := citedAt(t, f, "vms.txt", lineOf(t, vms, "Name                  : SQL01"), "saved-for-long")
			assert.Contains(t, c.Signal, "state-saved")
			citedAt(t, f, "listing.txt", lineOf(t, listing, ".vmrs"), "saved-for-long")
			assert.Contains(t, commands(f), `Remove-VMSavedState -VMName 'SQL01'`)
		}},
	// SQL01 was saved this morning for host maintenance and nothing
	// failed: a Saved VM is not a stuck one.
	{name: "saved this morning", cause: "saved-state-stuck", build: savedFiles(fixture.At(6, 50, 0), false),
		want: ruledOut("no VM is stuck in a saved state")},
	// A backup agent's file-system filter is not CSV-aware: HV21 logs 5121
	// and Get-ClusterSharedVolumeState shows Volume1 file-system redirected
	// for IncompatibleFileSystemFilter on it. 5121 is a redirect, not a
	// paused CSV.
	{name: "incompatible filter redirects the CSV", cause: "csv-redirected-access",
		build: func(*testing.T) fixture.Files {
			hv21 := fixture.Host{Computer: "HV21.contoso.local"}
			ev := hv21.Cluster(5121, fixture.LevelError, fixture.At(4, 0, 0), fixture.F("VolumeName", "Volume1"), fixture.F("ResourceName", "Cluster Disk 2"))
			states := fixture.CSVStateList([]fixture.CSVState{
				{Resource: "Cluster Disk 2", Volume: `C:\ClusterStorage\Volume1\`, Node: "HV21", State: "FileSystemRedirected", FSReason: "IncompatibleFileSystemFilter", BlockReason: "NotBlockRedirected"},
				{Resource: "Cluster Disk 2", Volume: `C:\ClusterStorage\Volume1\`, Node: "HV22", State: "Direct", FSReason: "NotFileSystemRedirected", BlockReason: "NotBlockRedirected"},
			})
			return fixture.Files{"System.evtx": systemLog(ev), "csv_state.txt": fixture.UTF16(states)}
		},
		want:      fires(rules.High).exactly("csv-redirected-5121", "csv-fs-redirected").unopposed(), // one node is still redirected
		notOthers: []string{"storage-connectivity"},
		also: func(t *testing.T, b *bundleResult) {
			cmds := commands(b.finding("csv-redirected-access"))
			assert.Contains(t, cmds, `fltmc.exe instances -v 'C:\ClusterStorage\Volume1'`)
			assert.Contains(t, cmds, `Move-ClusterSharedVolume -Name 'Cluster Disk 2'`)
		}},
	// An S2D cluster's ReFS volumes run file-system redirected by design,
	// and no 5121 was logged.
	{name: "ReFS volume redirected by design", cause: "csv-redirected-access",
		build: func(*testing.T) fixture.Files {
			boot := hv02n.Classic("System", "EventLog", 6005, fixture.QualEventLog, fixture.LevelInfo, fixture.At(0, 0, 1))
			states := fixture.CSVStateList([]fixture.CSVState{
				{Resource: "Cluster Virtual Disk (VD01)", Volume: `C:\ClusterStorage\VD01\`, Node: "HV02", State: "FileSystemRedirected", FSReason: "FileSystemReFs", BlockReason: "NotBlockRedirected"},
			})
			return fixture.Files{"System.evtx": systemLog(boot), "csv_state.txt": fixture.UTF16(states)}
		},
		want: ruledOut("only because it is ReFS")},
}
