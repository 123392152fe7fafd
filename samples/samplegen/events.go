package samplegen

import (
	"time"

	"github.com/hvtriage/hvtriage/internal/evtxwrite"
)

// host describes the machine a sample's logs come from.
type host struct {
	Computer string
}

// Provider GUIDs and channels of the manifest providers the samples use.
const (
	guidVMMS          = "{6066F867-7CA1-4418-85FD-36E3F9C0600C}"
	guidWorker        = "{51ddfa29-d5c8-4803-be4b-2ecb715570fe}"
	guidKernelGeneral = "{A68CA8B7-004F-D7B6-A698-07E2DE0F1F5D}"
	chanVMMSAdmin     = "Microsoft-Windows-Hyper-V-VMMS-Admin"
	chanWorkerAdmin   = "Microsoft-Windows-Hyper-V-Worker-Admin"
)

// Levels as written in System/Level.
const (
	levelCritical = 1
	levelError    = 2
	levelWarning  = 3
	levelInfo     = 4
)

// classic builds an event from a classic (event-source) provider such as
// VSS, disk or storahci: positional insertion strings, optional qualifiers.
func (h host) classic(channel, provider string, id, qualifiers uint16, level uint8, t time.Time, data ...string) evtxwrite.Record {
	r := evtxwrite.Record{Provider: provider, EventSourceName: provider, Channel: channel, Computer: h.Computer,
		EventID: id, Qualifiers: qualifiers, HasQualifiers: true, Level: level, Time: t, Keywords: 0x80000000000000}
	for _, d := range data {
		r.Data = append(r.Data, evtxwrite.Field{Value: d})
	}
	return r
}

// vml builds a Hyper-V VMMS or Worker event: its payload is UserData with a
// VmlEventLog element, not EventData.
func (h host) vml(channel, provider, guid string, id uint16, level uint8, t time.Time, fields ...evtxwrite.Field) evtxwrite.Record {
	return evtxwrite.Record{Provider: provider, ProviderGUID: guid, Channel: channel, Computer: h.Computer,
		EventID: id, Level: level, Time: t, Version: 0, Keywords: 0x8000000000000000,
		UserData: &evtxwrite.UserData{Name: "VmlEventLog", Namespace: evtxwrite.VMLNamespace, Fields: fields}}
}

func field(name, value string) evtxwrite.Field { return evtxwrite.Field{Name: name, Value: value} }

// evtxFile encodes records as a log copied from a running host (dirty).
func evtxFile(recs []evtxwrite.Record, firstID uint64) []byte {
	b, err := evtxwrite.Marshal(recs, evtxwrite.Options{FirstRecordID: firstID, Dirty: true})
	if err != nil {
		panic(err) // a generator definition that cannot be encoded is a bug here
	}
	return b
}

// at returns a UTC time on the sample's incident day.
func at(hh, mm, ss int) time.Time { return time.Date(2024, 3, 14, hh, mm, ss, 0, time.UTC) }
