package extract

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvtriage/hvtriage/evtx"
	"github.com/hvtriage/hvtriage/internal/fixture"
)

// TestVolumeFromPayload: repair commands take their volume from here, so a
// path on a Cluster Shared Volume must never yield the system drive C:.
func TestVolumeFromPayload(t *testing.T) {
	tests := []struct{ value, drive, csv string }{
		{`D:`, "D:", ""},
		{`r:\VMs\APP01\APP01.vhdx`, "R:", ""},
		{`\\?\E:\Hyper-V\x.avhdx`, "E:", ""},
		{`\Device\HarddiskVolume3`, "", ""},
		{`DC01: something`, "", ""},
		{`C:\ClusterStorage\Volume1`, "", `C:\ClusterStorage\Volume1`},
		{`c:\clusterstorage\VMs01\APP03\APP03.vhdx`, "", `C:\clusterstorage\VMs01`},
		{`\\?\C:\ClusterStorage\Volume2\x.avhdx`, "", `C:\ClusterStorage\Volume2`},
	}
	for _, tt := range tests {
		ev := &evtx.Event{Data: []evtx.Field{{Name: "ObjectName", Value: tt.value}}}
		drive, csv := volumeIn(ev)
		assert.Equal(t, tt.drive, drive, tt.value)
		assert.Equal(t, tt.csv, csv, tt.value)
	}
}

func TestVMFileFromEventText(t *testing.T) {
	tests := []struct{ text, want string }{
		{`'WEB01' Synthetic SCSI Controller: Attachment 'D:\Hyper-V\WEB01\Virtual Hard Disks\WEB01.avhdx' failed to open (0x80070020).`, `D:\Hyper-V\WEB01\Virtual Hard Disks\WEB01.avhdx`},
		{`Failed to read 'C:\ClusterStorage\Volume1\SQL01\Virtual Machines\8D1C.vmcx': (0x80070005)`, `C:\ClusterStorage\Volume1\SQL01\Virtual Machines\8D1C.vmcx`},
		{`\\fs01\vms\APP01.VHDX is locked`, `\\fs01\vms\APP01.VHDX`},
		{`no file here (0x80070020)`, ""},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, vmFilePattern.FindString(tt.text), tt.text)
	}
}

func TestHollowRecordIsFlagged(t *testing.T) {
	c := newEventCollector(Input{Path: "System.evtx"})
	sound := &evtx.Event{RecordID: 7, Provider: "storahci", EventID: 129, Channel: "System", Time: fixture.At(1, 0, 0)}
	hollow := &evtx.Event{RecordID: 8, Provider: "storahci", EventID: 129, Channel: "System", Time: fixture.At(1, 0, 1),
		Damaged: "record body partly zeroed: its fields may be incomplete"}
	require.NoError(t, c.add(sound))
	require.NoError(t, c.add(hollow))
	require.Len(t, c.out.Evidence, 2)
	assert.NotContains(t, c.out.Evidence[0].Attrs, AttrDamagedRecord)
	assert.Equal(t, hollow.Damaged, c.out.Evidence[1].Attrs[AttrDamagedRecord])
}

func TestDiskProviderManifestNameIsDisk(t *testing.T) {
	ev := &evtx.Event{RecordID: 3, Provider: "Microsoft-Windows-Disk", EventID: 153, Channel: "System", Time: fixture.At(2, 0, 0)}
	assert.Equal(t, "disk", eventEvidence("System.evtx", ev).Attrs["provider"])
	ev.Provider = "Microsoft-Windows-DiskDiagnostic"
	assert.Equal(t, "Microsoft-Windows-DiskDiagnostic", eventEvidence("System.evtx", ev).Attrs["provider"])
}

func TestEventViewerShortSourceIsTheProvider(t *testing.T) {
	for short, want := range map[string]string{
		"Hyper-V-Worker":                 "Microsoft-Windows-Hyper-V-Worker",
		"FailoverClustering":             "Microsoft-Windows-FailoverClustering",
		"Microsoft-Windows-Hyper-V-VMMS": "Microsoft-Windows-Hyper-V-VMMS",
		"Ntfs":                           "Ntfs",
		"Hyper-Vault":                    "Hyper-Vault",
	} {
		ev := &evtx.Event{RecordID: 4, Provider: short, EventID: 18560, Time: fixture.At(2, 0, 0)}
		assert.Equal(t, want, eventEvidence("viewer.txt", ev).Attrs["provider"], short)
	}
}

func TestWantsSeesTheCatalogName(t *testing.T) {
	in := Input{Path: "viewer.txt", Wants: func(p string, id uint16) bool {
		return p == "Microsoft-Windows-Hyper-V-VMMS" || p == "disk"
	}}
	c := newEventCollector(in)
	require.NoError(t, c.add(&evtx.Event{RecordID: 1, Provider: "Hyper-V-VMMS", EventID: 16310, Time: fixture.At(3, 0, 0)}))
	require.NoError(t, c.add(&evtx.Event{RecordID: 2, Provider: "Microsoft-Windows-Disk", EventID: 153, Time: fixture.At(3, 0, 1)}))
	require.NoError(t, c.add(&evtx.Event{RecordID: 3, Provider: "Hyper-V-Hypervisor", EventID: 41, Time: fixture.At(3, 0, 2)}))
	require.Len(t, c.out.Evidence, 2)
	assert.Equal(t, "Microsoft-Windows-Hyper-V-VMMS", c.out.Evidence[0].Attrs["provider"])
	assert.Equal(t, "disk", c.out.Evidence[1].Attrs["provider"])
}
