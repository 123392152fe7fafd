package rules_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

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

// writersWithout is the healthy writer listing without the Hyper-V writer.
func writersWithout() []VSSWriter {
	var ws []VSSWriter
	for _, w := range HealthyWriters() {
		if w.ID != WriterHyperV {
			ws = append(ws, w)
		}
	}
	return ws
}

// nothingAboveLow asserts that no cause of the bundle is above low.
func nothingAboveLow(t *testing.T, b *bundleResult) {
	for _, f := range b.res.Outcome.Findings {
		assert.LessOrEqual(t, f.Severity, rules.Low, "%s", f.Cause.ID)
	}
}

var vssCases = []causeCase{
	// The Hyper-V writer fails the snapshot while VMMS cannot make WEB01's
	// checkpoint because its -AutoRecovery.avhdx was left behind: the
	// host-wide writer failure is the leftover's consequence, explained.
	{name: "writer failure explained by a leftover AutoRecovery disk", cause: "vss-writer-failed",
		build: func(*testing.T) Files { return writerFailsBesideLeftover(At(3, 10, 5)) },
		want:  firing().atMost(rules.Medium).with("vss-8229"),
		also: func(t *testing.T, b *bundleResult) {
			assert.Equal(t, "checkpoint-orphaned", b.res.Outcome.Findings[0].Cause.ID)
			assert.Contains(t, strings.Join(citedAgainst(b.finding("vss-writer-failed")), "\n"), "explained-by-checkpoint-orphaned")
		}},
	// The same writer failure a day away from the leftover's failed
	// checkpoint is another incident: not explained by it.
	{name: "writer failure a day away from the leftover", cause: "vss-writer-failed",
		build: func(*testing.T) Files { return writerFailsBesideLeftover(At(3, 10, 5).Add(-26 * time.Hour)) },
		want:  fires(rules.High).with("vss-8229"),
		also: func(t *testing.T, b *bundleResult) {
			assert.NotContains(t, strings.Join(citedAgainst(b.finding("vss-writer-failed")), "\n"), "explained-by-checkpoint-orphaned")
		}},
	// The Hyper-V writer failed at freeze with a timeout, the host logged
	// the veto, and VSS itself crashed once: three independent sources.
	{name: "writer timed out, veto and crash", cause: "vss-writer-failed",
		build: func(*testing.T) Files {
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
			return Files{
				"vss/writers.txt":       UTF16(writersWith(9, "Timed out")),
				"logs/Application.evtx": EVTX(app, 700),
				"logs/System.evtx":      EVTX(sys, 5100),
			}
		},
		want: fires(rules.High).minConfidence(0.9).unopposed().citingOnly(
			"vss/writers.txt line 22 writer-failed, writer-last-error",
			"logs/Application.evtx record 701 vss-8229, writer-hresult",
			"logs/System.evtx record 5100 vss-service-crashed",
		),
		also: func(t *testing.T, b *bundleResult) {
			assert.Contains(t, commands(b.finding("vss-writer-failed")), "vssadmin list writers")
		}},
	// A writer listing without the Hyper-V writer, on a host whose VMMS log
	// shows running VMs: the writer did not register. An absence alone is
	// not proof: medium.
	{name: "Hyper-V writer missing on a host", cause: "vss-writer-failed",
		build: func(*testing.T) Files {
			vmms := []evtxwrite.Record{hv02.VMMS(13002, LevelInfo, At(0, 30, 0), "WEB01", web01ID)}
			return Files{"writers.txt": UTF16(VSSAdminWriters(writersWithout())), "VMMS-Admin.evtx": EVTX(vmms, 40)}
		},
		want: fires(rules.Medium).exactly("hyperv-writer-missing").citingOnly("writers.txt line 7 hyperv-writer-missing").unopposed()},
	// The same listing with nothing in the bundle showing Hyper-V (it may
	// be a guest's listing) stays low and cites why.
	{name: "Hyper-V writer missing, no Hyper-V in the bundle", cause: "vss-writer-failed",
		build: func(*testing.T) Files { return Files{"writers.txt": UTF16(VSSAdminWriters(writersWithout()))} },
		want:  fires(rules.Low).opposedBy("writers.txt line 7 no-hyperv-in-bundle")},
	// A writer waiting for completion while a backup runs, the cosmetic
	// CAPI2 513 of the System Writer and VSS idle shutdowns are not a
	// writer failure; with writers and Application log present the cause
	// is ruled out.
	{name: "busy writer and CAPI2 noise", cause: "vss-writer-failed",
		build: func(*testing.T) Files {
			app := []evtxwrite.Record{
				hv02.Classic("Application", "VSS", 8224, 0, LevelInfo, At(1, 0, 0)),
				hv02.Manifest("Application", "Microsoft-Windows-CAPI2", "{5bbca4a8-b209-48dc-a8c7-b23d3e5216fb}", 513, LevelError, At(2, 0, 3),
					F("Data", "Cryptographic Services failed while processing the OnIdentity() call in the System Writer Object.")),
				hv02.Classic("Application", "VSS", 8224, 0, LevelInfo, At(2, 30, 0)),
			}
			return Files{"writers.txt": UTF16(writersWith(5, "No error")), "Application.evtx": EVTX(app, 1)}
		},
		want:      ruledOut("every writer without failure"),
		notOthers: []string{"filesystem-corruption"}, // CAPI2 513 is not ReFS 513
		also:      nothingAboveLow},
	// Without writers or Application log the cause is undecided and the
	// report asks for both.
	{name: "no writers, no Application log", cause: "vss-writer-failed",
		build: func(*testing.T) Files {
			return Files{"System.evtx": EVTX([]evtxwrite.Record{hv02.Classic("System", "EventLog", 6005, QualEventLog, LevelInfo, At(0, 1, 0))}, 1)}
		},
		want: missingInput().needsExactly("vss-writers", "application-log")},
	// A writer listing taken inside a domain-controller guest has the NTDS
	// writer and, rightly, no Hyper-V writer; it must not be read as a host
	// whose Hyper-V writer is missing.
	{name: "guest writer listing", cause: "vss-writer-failed",
		build: func(*testing.T) Files {
			guest := []VSSWriter{
				Writer("NTDS", WriterNTDS, "1f4e7a2b-3c5d-4e6f-8a9b-0c1d2e3f4a5b", 1, "No error"),
				Writer("System Writer", WriterSystem, "5f2a8c4d-1e9b-47c3-b6d0-8a3e7f1c2b94", 1, "No error"),
			}
			return Files{"guest/DC01_vss_writers.txt": UTF16(VSSAdminWriters(guest))}
		},
		want: missingInput("application-log")},
}

// writerFailsBesideLeftover is a Hyper-V writer failure at writerAt, and
// WEB01's checkpoint failing at 03:10 with "The file exists" beside a
// listing that shows its -AutoRecovery.avhdx.
func writerFailsBesideLeftover(writerAt time.Time) Files {
	app := []evtxwrite.Record{
		hv02.Classic("Application", "VSS", 8229, 0, LevelWarning, writerAt,
			"0x800423f4, The writer experienced a non-transient error.\n", "",
			"\n\nOperation:\n   PrepareForSnapshot Event\n\nContext:\n   Writer Name: Microsoft Hyper-V VSS Writer"),
	}
	vmms := []evtxwrite.Record{
		hv02.VMMS(16010, LevelError, At(3, 10, 2), "WEB01", web01ID,
			F("ErrorMessage", "'WEB01' could not initiate a checkpoint operation: The file exists. (0x80070050). (Virtual machine ID "+web01ID+")"),
			F("ErrorCode", "0x80070050")),
	}
	listing := DirListing([]ListedDir{{Path: `E:\VMs\WEB01\Virtual Hard Disks`, Files: []ListedFile{
		{Name: "WEB01-AutoRecovery.avhdx", Size: 48 << 20, Modified: At(2, 40, 0)},
		{Name: "WEB01.vhdx", Size: 60 << 30, Modified: At(3, 10, 2)},
	}}})
	return Files{"logs/Application.evtx": EVTX(app, 900), "logs/VMMS-Admin.evtx": EVTX(vmms, 910), "listing.txt": ASCII(listing)}
}
