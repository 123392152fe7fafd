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
func noiseBundle() Files {
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

// TestRoutineNoiseRaisesNoAlarm: weeks of warnings on a host where Hyper-V
// never failed stay below medium, and the report says why the storage,
// file-system and VSS look-alikes do not apply.
func TestRoutineNoiseRaisesNoAlarm(t *testing.T) {
	b := analyzeFiles(t, noiseBundle())
	for _, f := range b.res.Outcome.Findings {
		t.Logf("%s %s %.2f %v", f.Cause.ID, f.Severity, f.Confidence, signalIDs(&f))
		assert.LessOrEqual(t, f.Severity, rules.Low, "%s fired on routine noise: %v", f.Cause.ID, cited(&f))
	}
	// Each look-alike is ruled out with the reason its events did not count.
	assert.Contains(t, b.ruledOutWhy("storage-connectivity"), "54 events (storahci 129, disk 153) set aside as routine: the bundle shows no Hyper-V failure")
	assert.Contains(t, b.ruledOutWhy("hardware-driver-instability"), "storahci 129) set aside as routine")
	assert.Contains(t, b.ruledOutWhy("filesystem-corruption"), "1 event (Ntfs 137) set aside as routine: they are about a shadow-copy")
	// The VSS error does not make a failed writer; what decides it is the
	// writers' state, which the bundle lacks.
	assert.False(t, b.has("vss-writer-failed"), "findings: %v", b.causes())
	assert.Contains(t, b.missingFor("vss-writer-failed"), "vss-writers")
}

// A VM's disk failed at 14:30; twelve disk retries within one second shortly
// before it are one incident of the path, not twelve witnesses. Warnings of
// the days before, and a full system volume while the VMs live on D:, do
// not count.
func TestNoiseScopedToTheFailure(t *testing.T) {
	files := noiseBundle()
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
	b := analyzeFiles(t, files)
	f := b.finding("storage-connectivity")
	require.Len(t, f.Signals, 1)
	assert.Equal(t, "disk-retry-timeout", f.Signals[0].ID)
	assert.Equal(t, 12, f.Signals[0].Count)
	assert.Equal(t, 1, f.Signals[0].Incidents, "a burst within a second is one incident")
	assert.Equal(t, rules.Low, f.Severity)
	for _, c := range f.Evidence {
		assert.Equal(t, "HV05/System-today.evtx", c.Source, "only the retries before the failure count")
	}
	assert.Contains(t, b.ruledOutWhy("storage-space-exhausted"), "srv 2013) set aside as routine: volume C: holds no VM files (the VMs are on D:)")
}

// One bugcheck, written down at the next boot by WER, Kernel-Power and the
// event log service, is one crash: it stays low, and a second crash on
// another day counts as a second witness.
func TestOneCrashIsOneIncident(t *testing.T) {
	crash := func(at time.Time) []evtxwrite.Record {
		return []evtxwrite.Record{
			hv05.Classic("System", "EventLog", 6008, QualEventLog, LevelError, at, "3:58:12 AM", "3/9/2024"),
			hv05.Manifest("System", "Microsoft-Windows-Kernel-Power", "{331C3B3A-2005-44C2-AC5E-77220C37D6B4}", 41, LevelCritical, at.Add(3*time.Second),
				F("BugcheckCode", "159"), F("BugcheckParameter1", "0x3")),
			hv05.Classic("System", "Microsoft-Windows-WER-SystemErrorReporting", 1001, QualInfo, LevelError, at.Add(4*time.Minute),
				"0x0000009f (0x0000000000000003, 0xffffd10e2a5c7060, 0xfffff80512a5f750, 0xffffd10e2c3e9010)", `C:\Windows\MEMORY.DMP`, "030924-9843-01"),
		}
	}
	b := analyzeFiles(t, Files{"System.evtx": EVTX(crash(Day(2024, 3, 9, 4, 1)), 100)})
	f := b.finding("hardware-driver-instability")
	require.Len(t, f.Signals, 1)
	assert.Equal(t, 3, f.Signals[0].Count, "every record is cited")
	assert.Equal(t, 1, f.Signals[0].Incidents, "one restart is one crash")
	assert.Equal(t, rules.Low, f.Severity)
	assert.Len(t, f.Evidence, 3)

	two := append(crash(Day(2024, 3, 2, 1, 0)), crash(Day(2024, 3, 9, 4, 1))...)
	b = analyzeFiles(t, Files{"System.evtx": EVTX(two, 100)})
	f = b.finding("hardware-driver-instability")
	assert.Equal(t, 2, f.Signals[0].Incidents)
	assert.Greater(t, f.Confidence, 0.35)
}

// VSS gave up because the host was shutting down (0x8007045B): no writer
// failed. The same event with a timed-out writer's code is a failure.
func TestVSSShutdownInProgressIsNoWriterFailure(t *testing.T) {
	vss := func(hr string) []evtxwrite.Record {
		return []evtxwrite.Record{
			hv05.Classic("Application", "VSS", 8193, QualError, LevelError, At(23, 58, 0), "CVssWriterCoordinator::RegisterWriterMetadata", hr,
				"\nOperation:\n   Gather writers' status\n\nContext:\n   Writer Name: Microsoft Hyper-V VSS Writer\n"),
			hv05.Classic("Application", "VSS", 13, QualInfo, LevelError, At(23, 58, 1), "{e579ab5f-1cc4-44b4-bed9-de0991ff0623}", "Microsoft Software Shadow Copy provider 1.0", hr),
		}
	}
	b := analyzeFiles(t, Files{"Application.evtx": EVTX(vss("0x8007045b, A system shutdown is in progress."), 40),
		"vssadmin_writers.txt": UTF16(VSSAdminWriters(HealthyWriters()))})
	assert.False(t, b.has("vss-writer-failed"), "findings: %v", b.causes())
	assert.True(t, b.ruledOut("vss-writer-failed"))

	b = analyzeFiles(t, Files{"Application.evtx": EVTX(vss("0x800423f2, The writer's timeout expired between the Freeze and Thaw events."), 40)})
	assert.Contains(t, b.signalsOf("vss-writer-failed"), "vss-errors")
}
