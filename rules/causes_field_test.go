package rules_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvtriage/hvtriage/internal/evtxwrite"
	. "github.com/hvtriage/hvtriage/internal/fixture"
)

// The field causes (causes.md, "beyond the seeds"): for each, a bundle
// where it must be found and its closest innocent look-alike, where the
// engineer must see it ruled out with its reason.

func vmmsErr(id uint16, msg string) evtxwrite.Record {
	return hv02.VMMS(id, LevelError, At(4, 0, 0), "WEB01", web01ID, F("ErrorMessage", msg))
}

func workerErr(id uint16, msg string) evtxwrite.Record {
	return hv02.Worker(id, LevelError, At(4, 0, 0), "WEB01", web01ID, F("ErrorMessage", msg))
}

func TestFieldCauses(t *testing.T) {
	web01 := VM{Name: "WEB01", ID: web01ID, State: "Running", Status: "Operating normally", Version: "10.0",
		Path: `D:\Hyper-V\WEB01`, CheckpointType: "Production", Generation: 2}
	disabled := web01
	disabled.CheckpointType = "Disabled"
	okInfo := hv02.VMMS(13002, LevelInfo, At(3, 0, 0), "WEB01", web01ID)
	workerInfo := hv02.Worker(18500, LevelInfo, At(3, 0, 0), "WEB01", web01ID)
	tests := []struct {
		cause  string
		files  Files // the cause must be found
		nearBy Files // a look-alike: the cause must be ruled out
	}{
		{"hypervisor-not-running",
			Files{"System.evtx": EVTX([]evtxwrite.Record{hv02.Manifest("System", "Microsoft-Windows-Hyper-V-Hypervisor", "{52FC89F8-995E-434C-A91E-199986449890}", 41, LevelError, At(2, 0, 0),
				F("Message", "Hypervisor launch failed; either VMX is not present or it is not enabled in the BIOS."))}, 5),
				"Worker-Admin.evtx": EVTX([]evtxwrite.Record{workerErr(3040, "'WEB01' failed to start. The virtual machine could not be started because the hypervisor is not running.")}, 9)},
			Files{"System.evtx": EVTX([]evtxwrite.Record{hv02.PlannedRestart(At(1, 0, 0), "svchost.exe", `NT AUTHORITY\SYSTEM`)}, 5),
				"Worker-Admin.evtx": EVTX([]evtxwrite.Record{workerErr(3040, "'WEB01' failed to start. General access denied error (0x80070005).")}, 9)}},
		{"vhdx-compressed-or-encrypted",
			Files{"VMMS-Admin.evtx": EVTX([]evtxwrite.Record{vmmsErr(15000, `'WEB01' failed to open 'D:\Hyper-V\WEB01\Virtual Hard Disks\WEB01.vhdx': The requested operation could not be completed due to a virtual disk system limitation. Virtual hard disk files must be uncompressed and unencrypted and must not be sparse. (0xC03A001A).`)}, 3),
				"Worker-Admin.evtx": EVTX([]evtxwrite.Record{workerInfo}, 1)},
			Files{"VMMS-Admin.evtx": EVTX([]evtxwrite.Record{vmmsErr(15000, `'WEB01' failed to open 'D:\Hyper-V\WEB01\Virtual Hard Disks\WEB01.avhdx': The chain of virtual hard disks is corrupted. (0xC03A000E).`)}, 3),
				"Worker-Admin.evtx": EVTX([]evtxwrite.Record{workerInfo}, 1)}},
		{"ntfs-file-system-limitation",
			Files{"VMMS-Admin.evtx": EVTX([]evtxwrite.Record{vmmsErr(19100, "'WEB01' background disk merge failed to complete: The requested operation could not be completed due to a file system limitation (0x80070299).")}, 3)},
			Files{"VMMS-Admin.evtx": EVTX([]evtxwrite.Record{vmmsErr(19100, "'WEB01' background disk merge failed to complete: There is not enough space on the disk. (0x80070070).")}, 3)}},
		{"guest-integration-vss-unavailable",
			Files{"VMMS-Admin.evtx": EVTX([]evtxwrite.Record{vmmsErr(18016, "Could not create production checkpoint for 'WEB01': the Backup (volume shadow copy) integration service is not running in the guest. (0x80070490).")}, 3),
				"vms.txt": UTF16(VMList([]VM{web01}))},
			Files{"VMMS-Admin.evtx": EVTX([]evtxwrite.Record{okInfo}, 3), "vms.txt": UTF16(VMList([]VM{web01}))}},
		{"checkpoint-type-blocks",
			Files{"VMMS-Admin.evtx": EVTX([]evtxwrite.Record{vmmsErr(18012, "Checkpoint operation for 'WEB01' failed: checkpoints have been disabled for this virtual machine.")}, 3),
				"vms.txt": UTF16(VMList([]VM{disabled}))},
			Files{"VMMS-Admin.evtx": EVTX([]evtxwrite.Record{okInfo}, 3), "vms.txt": UTF16(VMList([]VM{web01}))}},
		{"change-tracking-corrupt",
			Files{"VMMS-Admin.evtx": EVTX([]evtxwrite.Record{vmmsErr(19060, `'WEB01' could not read the changed blocks of 'D:\Hyper-V\WEB01\Virtual Hard Disks\WEB01.vhdx': the resilient change tracking information is missing or corrupt.`)}, 3),
				"System.evtx": EVTX([]evtxwrite.Record{hv02.PlannedRestart(At(1, 0, 0), "svchost.exe", `NT AUTHORITY\SYSTEM`)}, 5)},
			Files{"VMMS-Admin.evtx": EVTX([]evtxwrite.Record{vmmsErr(19100, "'WEB01' background disk merge failed to complete: The process cannot access the file because it is being used by another process. (0x80070020)")}, 3),
				"System.evtx": EVTX([]evtxwrite.Record{hv02.PlannedRestart(At(1, 0, 0), "svchost.exe", `NT AUTHORITY\SYSTEM`)}, 5)}},
		{"csv-redirected-access",
			Files{"System.evtx": EVTX([]evtxwrite.Record{hv02.Cluster(5121, LevelError, At(2, 0, 0), F("VolumeName", "Volume1"), F("ResourceName", "Cluster Disk 2"),
				F("Message", "Cluster Shared Volume 'Volume1' is no longer directly accessible from this cluster node. I/O access will be redirected to the storage device over the network."))}, 5)},
			Files{"System.evtx": EVTX([]evtxwrite.Record{hv02.PlannedRestart(At(1, 0, 0), "svchost.exe", `NT AUTHORITY\SYSTEM`)}, 5)}},
	}
	for _, tt := range tests {
		t.Run(tt.cause, func(t *testing.T) {
			b := analyzeFiles(t, tt.files)
			f := b.finding(tt.cause)
			assert.GreaterOrEqual(t, f.Confidence, 0.6, "a clear witness decides the cause")
			require.NotEmpty(t, f.Resolution)

			near := analyzeFiles(t, tt.nearBy)
			assert.False(t, near.has(tt.cause), "look-alike found as %s; findings: %v", tt.cause, near.causes())
			assert.True(t, near.ruledOut(tt.cause), "%s is ruled out with its reason; missing: %v", tt.cause, near.missingFor(tt.cause))
		})
	}
}
