package samplegen

import (
	"github.com/hvtriage/hvtriage/internal/evtxwrite"
	. "github.com/hvtriage/hvtriage/internal/fixture"
)

// storageResetsVSSTimeout: the storage path under the VM volume stalls
// during the nightly backup; the Hyper-V writer times out between freeze
// and thaw and stays failed.
func storageResetsVSSTimeout() Sample {
	h := Host{Computer: "HV01.contoso.local"}
	const vmID = "6F0D2C41-9A3B-4E7C-8B15-2D4F6A9C0E73"

	system := []evtxwrite.Record{
		h.Classic("System", "EventLog", 6005, 32768, LevelInfo, At(1, 2, 10)),
		h.Classic("System", "EventLog", 6009, 32768, LevelInfo, At(1, 2, 10), "10.00.", "17763", "Multiprocessor Free", "0"),
		h.Classic("System", "Service Control Manager", 7036, 16384, LevelInfo, At(1, 3, 0), "Hyper-V Virtual Machine Management", "running"),
		h.Classic("System", "storahci", 129, 32772, LevelWarning, At(2, 4, 41), `\Device\RaidPort0`),
		h.Classic("System", "storahci", 129, 32772, LevelWarning, At(2, 5, 12), `\Device\RaidPort0`),
		h.Classic("System", "disk", 153, 32772, LevelWarning, At(2, 5, 13), `\Device\Harddisk1\DR1`, "0x2a81f400", "1", `\Device\00000034`),
		h.Classic("System", "storahci", 129, 32772, LevelWarning, At(2, 5, 44), `\Device\RaidPort0`),
		h.Classic("System", "disk", 153, 32772, LevelWarning, At(2, 5, 45), `\Device\Harddisk1\DR1`, "0x2a823800", "1", `\Device\00000034`),
		h.Classic("System", "storahci", 129, 32772, LevelWarning, At(2, 6, 15), `\Device\RaidPort0`),
	}
	application := []evtxwrite.Record{
		h.Classic("Application", "VSS", 8224, 0, LevelInfo, At(1, 30, 0)),
		h.Classic("Application", "VSS", 12297, 0, LevelError, At(2, 5, 20), `\\?\Volume{5a0e3c71-2b9d-4f6e-8c1a-7d3f0e9b2c45}\`, "0", "0", "1", "0", "0",
			"\n\nOperation:\n   Executing Asynchronous Operation\n\nContext:\n   Current State: DoSnapshotSet"),
		h.Classic("Application", "VSS", 8229, 0, LevelWarning, At(2, 6, 20), "0x800423f2, The writer experienced a timeout between the Freeze and Thaw events.\n", "",
			"\n\nOperation:\n   Thaw Event\n\nContext:\n   Execution Context: Writer\n   Writer Class Id: {66841cd4-6ded-4f4b-8f17-fd23f8ddc3de}\n   Writer Name: Microsoft Hyper-V VSS Writer\n   Writer Instance ID: {a9d35e10-4c7b-4f2a-8e61-3b0d9c2f7e58}\n   Command Line: C:\\Windows\\system32\\vmms.exe\n   Process ID: 2316"),
	}
	vmms := []evtxwrite.Record{
		h.VML(ChanVMMSAdmin, ProviderVMMS, GUIDVMMS, 18012, LevelError, At(2, 6, 21),
			F("VmName", "APP01"), F("VmId", vmID),
			F("ErrorMessage", "The writer experienced a timeout between the Freeze and Thaw events."),
			F("ErrorCode", "0x800423F2")),
	}
	writers := VSSAdminWriters([]VSSWriter{
		Writer("Task Scheduler Writer", WriterScheduler, "6b1f0c2e-3a7d-4e58-9c41-2d8e5f7a0b13", 1, "No error"),
		Writer("VSS Metadata Store Writer", WriterMetadata, "0c4e9a71-58d2-4b6f-a3e0-7f19b2c6d845", 1, "No error"),
		Writer("Microsoft Hyper-V VSS Writer", WriterHyperV, "a9d35e10-4c7b-4f2a-8e61-3b0d9c2f7e58", 9, "Timed out"),
		Writer("System Writer", WriterSystem, "5f2a8c4d-1e9b-47c3-b6d0-8a3e7f1c2b94", 1, "No error"),
		Writer("Registry Writer", WriterRegistry, "3d2e9f1a-7c4b-4e0d-9a85-1b6c2f8e4d70", 1, "No error"),
	})
	return Sample{
		Name:   "storage-resets-vss-timeout",
		Bundle: "HV01_logs.zip",
		Zip:    true,
		Story: `Host HV01 runs a nightly host-level backup of its VMs. Around 02:05 the SATA
controller under the VM volume starts resetting (storahci 129) and disk I/O is retried
(disk 153); VSS cannot flush writes on the volume (12297), and the Hyper-V writer times
out between freeze and thaw (8229, 0x800423F2). The backup checkpoint of APP01 fails and
the writer is still in state [9] Failed when the engineer runs vssadmin the next morning.
Two causes at once: an unreliable storage path, and the failed VSS writer it left behind.`,
		Files: map[string][]byte{
			"HV01_vssadmin_list_writers.txt":                      UTF16(writers),
			"EventLogs/System.evtx":                               EVTX(system, 48211),
			"EventLogs/Application.evtx":                          EVTX(application, 9310),
			"EventLogs/Microsoft-Windows-Hyper-V-VMMS-Admin.evtx": EVTX(vmms, 1207),
		},
		Expected: Expected{
			TopCause: "vss-writer-failed",
			MustFind: []string{"vss-writer-failed", "storage-connectivity"},
			MustNot:  []string{"filesystem-corruption"},
			Cites: []string{
				"vss-writer-failed HV01_vssadmin_list_writers.txt line 22",
				"vss-writer-failed EventLogs/Application.evtx record 9312",
				"storage-connectivity EventLogs/System.evtx record 48214",
			},
		},
	}
}
