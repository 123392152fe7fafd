package analyze

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvtriage/hvtriage/evidence"
	"github.com/hvtriage/hvtriage/internal/fixture"
)

// A bundle holding only what the customer pasted from Event Viewer ("Copy
// details as text", as in the Microsoft support articles quoting Event
// Viewer and the German Azure troubleshooting article the evtx tests cite)
// must be read as events: each block is evidence located by its line, its
// message reaches the text and HRESULTs the rules match, and the causes
// those events support are raised. Hosts, VMs and messages are invented.

// pastedGerman is a de-DE host's VMMS 19100 quoting 0xC03A000E, pasted into
// a mail reply with quote markers, then a Worker 3080.
const pastedGerman = `Hallo, anbei die Ereignisse:

> Protokollname: Microsoft-Windows-Hyper-V-VMMS-Admin
> Quelle:        Microsoft-Windows-Hyper-V-VMMS
> Datum:         05.12.2026 03:04:05
> Ereignis-ID:   19100
> Aufgabenkategorie:Keine
> Ebene:         Fehler
> Schlüsselwörter:
> Benutzer:      SYSTEM
> Computer:      HVQ-07.lab.example
> Beschreibung:
> Fehler beim Abschließen der Hintergrundzusammenführung für "ORCHARD-DB2": Die Kette der virtuellen Festplatten ist
> beschädigt (0xC03A000E). (ID des virtuellen Computers 5B0E7A12-93C4-4D8E-A1F6-2C7D9E04B351)
>
> Protokollname: Microsoft-Windows-Hyper-V-Worker-Admin
> Quelle:        Microsoft-Windows-Hyper-V-Worker
> Datum:         05.12.2026 03:06:00
> Ereignis-ID:   3080
> Aufgabenkategorie:Keine
> Ebene:         Fehler
> Schlüsselwörter:
> Benutzer:      SYSTEM
> Computer:      HVQ-07.lab.example
> Beschreibung:
> "ORCHARD-DB2" konnte die Datei für den gespeicherten Zustand nicht erstellen oder darauf zugreifen. (ID des virtuellen Computers 5B0E7A12-93C4-4D8E-A1F6-2C7D9E04B351)
`

// pastedVHDMP is an en-US VHDMP event with its Event Xml section.
const pastedVHDMP = `Log Name:      Microsoft-Windows-VHDMP-Operational
Source:        Microsoft-Windows-VHDMP
Date:          12/5/2026 3:04:01 AM
Event ID:      7
Task Category: None
Level:         Error
Keywords:
User:          SYSTEM
Computer:      HVQ-07.lab.example
Description:
The Vhd Chain for VHD E:\VMs\ORCHARD-DB2\disk0_5B0E7A12.avhdx is corrupted. Error: 0xC03A000E.
Event Xml:
<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">
  <System>
    <Provider Name="Microsoft-Windows-VHDMP" Guid="{e2816346-87f4-4f85-95c3-0c79409aa89d}" />
    <EventID>7</EventID>
    <Level>2</Level>
    <TimeCreated SystemTime="2026-12-05T11:04:01.5000000Z" />
    <EventRecordID>311</EventRecordID>
    <Channel>Microsoft-Windows-VHDMP-Operational</Channel>
    <Computer>HVQ-07.lab.example</Computer>
  </System>
  <EventData>
    <Data Name="VhdFileName">E:\VMs\ORCHARD-DB2\disk0_5B0E7A12.avhdx</Data>
    <Data Name="Status">0xC03A000E</Data>
  </EventData>
</Event>`

func TestPastedEventViewerDetails(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "ereignisse.txt"), fixture.UTF16(strings.ReplaceAll(pastedGerman, "\n", "\r\n")), 0o644))
	res, err := Run(t.Context(), dir, Options{})
	require.NoError(t, err)
	f := inventory(res)["ereignisse.txt"]
	assert.Equal(t, KindEVTXText, f.Kind)
	assert.Equal(t, 2, f.Records)
	assert.Empty(t, f.Problems)

	byID := map[string]evidence.Evidence{}
	for _, e := range res.Evidence {
		if e.Kind == evidence.KindEvent {
			byID[e.Attrs[evidence.AttrEventID]] = e
		}
	}
	vmms := byID["19100"]
	require.NotNil(t, vmms.Attrs)
	assert.Equal(t, "line 3", vmms.At.String())
	assert.Equal(t, "Microsoft-Windows-Hyper-V-VMMS", vmms.Attrs[evidence.AttrProvider])
	assert.Equal(t, "2", vmms.Attrs[evidence.AttrLevel])
	assert.Equal(t, "HVQ-07.lab.example", vmms.Attrs[evidence.AttrComputer])
	assert.Equal(t, "0xc03a000e", vmms.Attrs[evidence.AttrHResults])
	assert.Contains(t, vmms.Attrs[evidence.AttrText], "Hintergrundzusammenführung")
	assert.Equal(t, "true", vmms.Attrs[evidence.AttrTimeLocal], "a printed time is the host's")
	assert.Equal(t, "2026-12-05T03:04:05Z", vmms.Time.Format("2006-01-02T15:04:05Z07:00"))
	worker := byID["3080"]
	require.NotNil(t, worker.Attrs)
	assert.Equal(t, "line 16", worker.At.String())

	got := causes(res)
	assert.Contains(t, got, "chain-parent-modified", "0xC03A000E in a VMMS message")
	assert.Contains(t, got, "saved-state-stuck", "worker 3080")
	fd := findingFor(res, "chain-parent-modified")
	require.NotNil(t, fd)
	assert.Equal(t, "line 3", fd.Evidence[0].At.String())
}

func TestPastedEventViewerDetailsWithXML(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "vhdmp.txt"), []byte(pastedVHDMP), 0o644))
	res, err := Run(t.Context(), dir, Options{})
	require.NoError(t, err)
	f := inventory(res)["vhdmp.txt"]
	assert.Equal(t, KindEVTXText, f.Kind, "read as text although it holds the event's XML")
	require.Equal(t, 1, f.Records)
	var ev evidence.Evidence
	for _, e := range res.Evidence {
		if e.Kind == evidence.KindEvent {
			ev = e
		}
	}
	require.NotNil(t, ev.Attrs)
	assert.Equal(t, "line 1", ev.At.String())
	assert.Equal(t, "E:\\VMs\\ORCHARD-DB2\\disk0_5B0E7A12.avhdx", ev.Attrs["data.VhdFileName"], "payload from the XML")
	assert.Empty(t, ev.Attrs[evidence.AttrTimeLocal], "the XML's time is UTC")
	assert.Contains(t, ev.Attrs[evidence.AttrText], "is corrupted")
	assert.Contains(t, causes(res), "chain-parent-modified")
}
