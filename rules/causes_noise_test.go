package rules_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvtriage/hvtriage/internal/evtxwrite"
	. "github.com/hvtriage/hvtriage/internal/fixture"
	"github.com/hvtriage/hvtriage/rules"
)

// hv05 is a host whose System log carries weeks of routine storage noise.
var hv05 = Host{Computer: "HV05.fabrikam.test"}

const app05ID = "5D2E8A41-7C3B-4F19-9E06-B1A4C7D3E852"

// noiseBundle is a Hyper-V host with nothing wrong: its VMs live on D:,
// Hyper-V logged only routine starts, and the System and Application logs
// carry what a desktop-class controller and a profile clean-up leave behind:
// three weeks of storahci 129 resets and disk 153 retries (one burst of
// twelve retries within a second among them), an Ntfs 137 on a shadow-copy
// device and a VSS 8193 about a deleted profile's SID.
func noiseBundle(*testing.T) Files {
	var sys []evtxwrite.Record
	start := Day(2024, 2, 22, 3, 0)
	for d := 0; d < 21; d++ {
		t := start.Add(time.Duration(d) * 24 * time.Hour)
		sys = append(sys,
			hv05.Classic("System", "storahci", 129, QualWarning, LevelWarning, t, `\Device\RaidPort1`),
			hv05.Classic("System", "disk", 153, QualWarning, LevelWarning, t.Add(2*time.Minute), `\Device\Harddisk2\DR2`, "0x1c0f8", "2", `\Device\00000035`))
	}
	burst := Day(2024, 3, 5, 14, 20)
	for i := 0; i < 12; i++ {
		sys = append(sys, hv05.Classic("System", "disk", 153, QualWarning, LevelWarning, burst.Add(time.Duration(i)*50*time.Millisecond),
			`\Device\Harddisk2\DR2`, fmt.Sprintf("0x%x", 0x2000+i*8), "2", `\Device\00000035`))
	}
	sys = append(sys,
		hv05.Manifest("System", "Ntfs", GUIDNtfs, 137, LevelError, Day(2024, 3, 9, 1, 5),
			F("VolumeNameLength", "43"), F("VolumeName", `\Device\HarddiskVolumeShadowCopy7`), F("Status", "0xc00000a2")),
		hv05.Classic("System", "EventLog", 6013, QualEventLog, LevelInfo, Day(2024, 3, 14, 12, 0), "", "", "", "", "1875412"),
	)
	app := []evtxwrite.Record{
		hv05.Classic("Application", "VSS", 8193, QualError, LevelError, Day(2024, 3, 11, 2, 0),
			"ConvertStringSidToSid(S-1-5-21-3623811015-3361044348-30300820-1107.bak)", "0x80070539, The security ID structure is invalid.",
			"\nOperation:\n   OnIdentify event\n   Gathering Writer Data\n\nContext:\n   Execution Context: Shadow Copy Optimization Writer\n"),
	}
	vmms := []evtxwrite.Record{
		hv05.VMMS(18500, LevelInfo, Day(2024, 3, 1, 8, 0), "APP05", app05ID),
		hv05.VMMS(18500, LevelInfo, Day(2024, 3, 14, 8, 0), "APP05", app05ID),
	}
	disks := `D:\Hyper-V\APP05\Virtual Hard Disks`
	vms := VMList([]VM{{Name: "APP05", ID: app05ID, State: "Running", Version: "10.0", Generation: 2, Path: `D:\Hyper-V\APP05`,
		SnapshotLocation: `D:\Hyper-V\APP05`, CheckpointType: "Production", HardDrives: []string{disks + `\APP05.vhdx`}}})
	listing := DirListing([]ListedDir{{Path: disks, Files: []ListedFile{{Name: "APP05.vhdx", Size: 64424509440, Modified: Day(2024, 3, 14, 11, 0)}}}})
	return Files{
		"HV05/System.evtx":                               EVTX(sys, 1000),
		"HV05/Application.evtx":                          EVTX(app, 5000),
		"HV05/Microsoft-Windows-Hyper-V-VMMS-Admin.evtx": EVTX(vmms, 10),
		"HV05/Get-VM.txt":                                UTF16(vms),
		"HV05/listing.txt":                               ASCII(listing),
	}
}

// noiseScopedToFailure adds to the noise a VM's disk failing at 14:30,
// twelve disk retries within one second shortly before it and a full
// system volume while the VMs live on D:.
func noiseScopedToFailure(t *testing.T) Files {
	files := noiseBundle(t)
	fail := Day(2024, 3, 14, 14, 30)
	var sys []evtxwrite.Record
	for i := 0; i < 12; i++ {
		sys = append(sys, hv05.Classic("System", "disk", 153, QualWarning, LevelWarning, fail.Add(-10*time.Minute+time.Duration(i)*60*time.Millisecond),
			`\Device\Harddisk1\DR1`, fmt.Sprintf("0x%x", 0x4000+i*8), "1", `\Device\00000031`))
	}
	sys = append(sys, hv05.Classic("System", "srv", 2013, QualWarning, LevelWarning, fail.Add(-time.Hour), "C:"))
	files["HV05/System-today.evtx"] = EVTX(sys, 9000)
	files["HV05/Microsoft-Windows-Hyper-V-Worker-Admin.evtx"] = EVTX([]evtxwrite.Record{
		hv05.Worker(3040, LevelError, fail, "APP05", app05ID),
	}, 700)
	return files
}

// crash is one bugcheck, written down at the next boot by WER,
// Kernel-Power and the event log service.
func crash(at time.Time) []evtxwrite.Record {
	return []evtxwrite.Record{
		hv05.Classic("System", "EventLog", 6008, QualEventLog, LevelError, at, "3:58:12 AM", "3/9/2024"),
		hv05.Manifest("System", "Microsoft-Windows-Kernel-Power", "{331C3B3A-2005-44C2-AC5E-77220C37D6B4}", 41, LevelCritical, at.Add(3*time.Second),
			F("BugcheckCode", "159"), F("BugcheckParameter1", "0x3")),
		hv05.Classic("System", "Microsoft-Windows-WER-SystemErrorReporting", 1001, QualInfo, LevelError, at.Add(4*time.Minute),
			"0x0000009f (0x0000000000000003, 0xffffd10e2a5c7060, 0xfffff80512a5f750, 0xffffd10e2c3e9010)", `C:\Windows\MEMORY.DMP`, "030924-9843-01"),
	}
}

// vssGaveUp is VSS 8193 and 13 quoting hr about the Hyper-V writer.
func vssGaveUp(hr string) []byte {
	return EVTX([]evtxwrite.Record{
		hv05.Classic("Application", "VSS", 8193, QualError, LevelError, At(23, 58, 0), "CVssWriterCoordinator::RegisterWriterMetadata", hr,
			"\nOperation:\n   Gather writers' status\n\nContext:\n   Writer Name: Microsoft Hyper-V VSS Writer\n"),
		hv05.Classic("Application", "VSS", 13, QualInfo, LevelError, At(23, 58, 1), "{e579ab5f-1cc4-44b4-bed9-de0991ff0623}", "Microsoft Software Shadow Copy provider 1.0", hr),
	}, 40)
}

// incidents asserts how a finding's only signal counted its hits.
func incidents(cause, signal string, count, incidents int) func(*testing.T, *bundleResult) {
	return func(t *testing.T, b *bundleResult) {
		f := b.finding(cause)
		require.Len(t, f.Signals, 1)
		assert.Equal(t, signal, f.Signals[0].ID)
		if count > 0 {
			assert.Equal(t, count, f.Signals[0].Count, "every record is counted")
		}
		assert.Equal(t, incidents, f.Signals[0].Incidents, "hits close together are one incident")
	}
}

var noiseCases = []causeCase{
	// Weeks of warnings on a host where Hyper-V never failed stay below
	// medium, and the report says why the storage, file-system and VSS
	// look-alikes do not apply: each is ruled out with the reason its
	// events did not count.
	{name: "routine noise", cause: "storage-connectivity", build: noiseBundle,
		want: ruledOut("54 events (storahci 129, disk 153) set aside as routine: the bundle shows no Hyper-V failure"),
		also: nothingAboveLow},
	{name: "routine noise", cause: "hardware-driver-instability", build: noiseBundle,
		want: ruledOut("storahci 129) set aside as routine")},
	{name: "routine noise", cause: "filesystem-corruption", build: noiseBundle,
		want: ruledOut("1 event (Ntfs 137) set aside as routine: they are about a shadow-copy")},
	// The VSS error does not make a failed writer; what decides it is the
	// writers' state, which the bundle lacks.
	{name: "routine noise", cause: "vss-writer-failed", build: noiseBundle,
		want: missingInput("vss-writers")},
	// A VM's disk failed at 14:30; twelve disk retries within one second
	// shortly before it are one incident of the path, not twelve
	// witnesses. Warnings of the days before do not count.
	{name: "noise scoped to the failure", cause: "storage-connectivity", build: noiseScopedToFailure,
		want: fires(rules.Low).citedFrom("HV05/System-today.evtx"),
		also: incidents("storage-connectivity", "disk-retry-timeout", 12, 1)},
	// A full system volume while the VMs live on D: does not count.
	{name: "noise scoped to the failure", cause: "storage-space-exhausted", build: noiseScopedToFailure,
		want: ruledOut("srv 2013) set aside as routine: volume C: holds no VM files (the VMs are on D:)")},
	// One bugcheck, written down at the next boot three times, is one
	// crash: it stays low.
	{name: "one crash", cause: "hardware-driver-instability",
		build: func(*testing.T) Files { return Files{"System.evtx": EVTX(crash(Day(2024, 3, 9, 4, 1)), 100)} },
		want:  fires(rules.Low).citingOnly("System.evtx record 100 host-crash", "System.evtx record 101 host-crash", "System.evtx record 102 host-crash"),
		also:  incidents("hardware-driver-instability", "host-crash", 3, 1)},
	// A second crash on another day counts as a second witness.
	{name: "two crashes", cause: "hardware-driver-instability",
		build: func(*testing.T) Files {
			return Files{"System.evtx": EVTX(append(crash(Day(2024, 3, 2, 1, 0)), crash(Day(2024, 3, 9, 4, 1))...), 100)}
		},
		want: firing().minConfidence(0.36),
		also: incidents("hardware-driver-instability", "host-crash", 0, 2)},
	// VSS gave up because the host was shutting down (0x8007045B): no
	// writer failed.
	{name: "VSS stopped by a shutdown", cause: "vss-writer-failed",
		build: func(*testing.T) Files {
			return Files{"Application.evtx": vssGaveUp("0x8007045b, A system shutdown is in progress."),
				"vssadmin_writers.txt": UTF16(VSSAdminWriters(HealthyWriters()))}
		},
		want: ruledOut("the Application log holds no VSS writer errors")},
	// The same event with a timed-out writer's code is a failure.
	{name: "VSS writer timed out", cause: "vss-writer-failed",
		build: func(*testing.T) Files {
			return Files{"Application.evtx": vssGaveUp("0x800423f2, The writer's timeout expired between the Freeze and Thaw events.")}
		},
		want: firing().with("vss-errors")},
}
