package rules_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvtriage/hvtriage/internal/evtxwrite"
	. "github.com/hvtriage/hvtriage/internal/fixture"
	"github.com/hvtriage/hvtriage/rules"
)

// Invented host and VMs shared by the tests of helper A's areas.
var hv02 = Host{Computer: "HV02.fabrikam.test"}

const (
	web01ID = "3C9A7E21-5B04-4D8F-A1C6-8E2F0B7D4A93"
	sql02ID = "B71E0F4C-2A98-4C3D-9E56-0D1A7B3F8C24"
	guidSCM = "{555908d1-a6d7-4695-8e1e-26931d2012f4}"
)

func writersWith(hyperVState int, lastError string) string {
	ws := HealthyWriters()
	for i := range ws {
		if ws[i].ID == WriterHyperV {
			ws[i].State, ws[i].LastError = hyperVState, lastError
		}
	}
	return VSSAdminWriters(ws)
}

// The Hyper-V writer failed at freeze with a timeout, the host logged the
// veto, and VSS itself crashed once: three independent sources.
func TestVSSWriterFailedBundle(t *testing.T) {
	app := []evtxwrite.Record{
		hv02.Classic("Application", "VSS", 8224, 0, LevelInfo, At(1, 0, 0)),
		hv02.Classic("Application", "VSS", 8229, 0, LevelWarning, At(3, 10, 5),
			"0x800423f2, The writer experienced a timeout between the Freeze and Thaw events.\n", "",
			"\n\nOperation:\n   Thaw Event\n\nContext:\n   Writer Name: Microsoft Hyper-V VSS Writer"),
	}
	sys := []evtxwrite.Record{
		hv02.Manifest("System", "Service Control Manager", guidSCM, 7031, LevelError, At(3, 12, 0),
			F("param1", "Volume Shadow Copy"), F("param2", "1"), F("param3", "60000"), F("param4", "1"), F("param5", "Restart the service")),
	}
	b := analyzeFiles(t, Files{
		"vss/writers.txt":       UTF16(writersWith(9, "Timed out")),
		"logs/Application.evtx": EVTX(app, 700),
		"logs/System.evtx":      EVTX(sys, 5100),
	})
	f := b.finding("vss-writer-failed")
	assert.Equal(t, rules.High, f.Severity)
	assert.GreaterOrEqual(t, f.Confidence, 0.9)
	assert.ElementsMatch(t, []string{
		"vss/writers.txt line 22 writer-failed, writer-last-error",
		"logs/Application.evtx record 701 vss-8229, writer-hresult",
		"logs/System.evtx record 5100 vss-service-crashed",
	}, cited(f))
	assert.Empty(t, f.Against, "the Hyper-V writer is the failed one")
	assert.Contains(t, commands(f), "vssadmin list writers")
}

// A writer listing without the Hyper-V writer, on a host whose VMMS log
// shows running VMs: the writer did not register.
func TestVSSHyperVWriterMissingOnHost(t *testing.T) {
	var ws []VSSWriter
	for _, w := range HealthyWriters() {
		if w.ID != WriterHyperV {
			ws = append(ws, w)
		}
	}
	vmms := []evtxwrite.Record{hv02.VMMS(13002, LevelInfo, At(0, 30, 0), "WEB01", web01ID)}
	b := analyzeFiles(t, Files{
		"writers.txt":     UTF16(VSSAdminWriters(ws)),
		"VMMS-Admin.evtx": EVTX(vmms, 40),
	})
	f := b.finding("vss-writer-failed")
	assert.Equal(t, []string{"hyperv-writer-missing"}, signalIDs(f))
	assert.Equal(t, []string{"writers.txt line 7 hyperv-writer-missing"}, cited(f))
	assert.Equal(t, rules.Medium, f.Severity, "an absence alone is not proof")
	assert.Empty(t, f.Against)
}

// Near-miss: the same listing with nothing in the bundle showing Hyper-V
// (it may be a guest's listing) stays low and says why.
func TestVSSHyperVWriterMissingNoHyperV(t *testing.T) {
	var ws []VSSWriter
	for _, w := range HealthyWriters() {
		if w.ID != WriterHyperV {
			ws = append(ws, w)
		}
	}
	b := analyzeFiles(t, Files{"writers.txt": UTF16(VSSAdminWriters(ws))})
	f := b.finding("vss-writer-failed")
	assert.Equal(t, rules.Low, f.Severity)
	assert.Equal(t, []string{"writers.txt line 7 no-hyperv-in-bundle"}, citedAgainst(f))
}

// Near-miss: a writer waiting for completion while a backup runs, the
// cosmetic CAPI2 513 of the System Writer and VSS idle shutdowns are not a
// writer failure; with writers and Application log present the cause is
// ruled out.
func TestVSSBusyWriterAndCAPI2NoiseRuledOut(t *testing.T) {
	app := []evtxwrite.Record{
		hv02.Classic("Application", "VSS", 8224, 0, LevelInfo, At(1, 0, 0)),
		hv02.Manifest("Application", "Microsoft-Windows-CAPI2", "{5bbca4a8-b209-48dc-a8c7-b23d3e5216fb}", 513, LevelError, At(2, 0, 3),
			F("Data", "Cryptographic Services failed while processing the OnIdentity() call in the System Writer Object.")),
		hv02.Classic("Application", "VSS", 8224, 0, LevelInfo, At(2, 30, 0)),
	}
	b := analyzeFiles(t, Files{
		"writers.txt":      UTF16(writersWith(5, "No error")),
		"Application.evtx": EVTX(app, 1),
	})
	assert.False(t, b.has("vss-writer-failed"), "findings: %v", b.causes())
	assert.True(t, b.ruledOut("vss-writer-failed"))
	assert.False(t, b.has("filesystem-corruption"), "CAPI2 513 is not ReFS 513")
	for _, f := range b.res.Outcome.Findings {
		assert.LessOrEqual(t, f.Severity, rules.Low, "%s", f.Cause.ID)
	}
}

// Without writers or Application log the cause is undecided and the report
// asks for both.
func TestVSSMissingInputs(t *testing.T) {
	b := analyzeFiles(t, Files{"System.evtx": EVTX([]evtxwrite.Record{
		hv02.Classic("System", "EventLog", 6005, QualEventLog, LevelInfo, At(0, 1, 0))}, 1)})
	require.False(t, b.has("vss-writer-failed"))
	assert.ElementsMatch(t, []string{"vss-writers", "application-log"}, b.missingFor("vss-writer-failed"))
}

// TestGuestWriterListingIsNotTheHost: a writer listing taken inside a
// domain-controller guest has the NTDS writer and, rightly, no Hyper-V
// writer; it must not be read as a host whose Hyper-V writer is missing.
func TestGuestWriterListingIsNotTheHost(t *testing.T) {
	guest := []VSSWriter{
		Writer("NTDS", WriterNTDS, "1f4e7a2b-3c5d-4e6f-8a9b-0c1d2e3f4a5b", 1, "No error"),
		Writer("System Writer", WriterSystem, "5f2a8c4d-1e9b-47c3-b6d0-8a3e7f1c2b94", 1, "No error"),
	}
	b := analyzeFiles(t, Files{"guest/DC01_vss_writers.txt": UTF16(VSSAdminWriters(guest))})
	assert.False(t, b.has("vss-writer-failed"), "findings: %v", b.causes())
}
