// Package evtxwrite writes Windows XML Event Log (EVTX 3.1) files the way the
// Windows event log service lays them out: a 4 KiB file header, 64 KiB chunks
// with string and template hash tables, and event records whose Binary XML is
// a template instance for the <System> part with the event payload
// (EventData or UserData) passed as a nested Binary XML substitution.
//
// It exists to build sample bundles and test inputs holding events that no
// public corpus has (Hyper-V VMMS/Worker admin logs, storahci 129, VSS 8229).
// Output depends only on the input: no clock, no randomness.
package evtxwrite

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"time"
)

// Sentinel errors. Errors returned by Write wrap one of them.
var (
	// ErrInvalidRecord reports a record that cannot be encoded (bad field
	// value, mixed named and unnamed data, unknown type, …).
	ErrInvalidRecord = errors.New("evtxwrite: invalid record")
	// ErrRecordTooLarge reports a record that does not fit in an empty chunk
	// or a value longer than the 65535 bytes a value descriptor can express.
	ErrRecordTooLarge = errors.New("evtxwrite: record too large")
	// ErrTooManyChunks reports more records than 65535 chunks can hold (the
	// file header stores the chunk count in 16 bits).
	ErrTooManyChunks = errors.New("evtxwrite: too many chunks")
)

// Type selects how a field value is stored in the Binary XML. The zero value
// is String. Non-string values are given as text and parsed by the writer:
// integers in decimal or 0x-hex, times in RFC 3339, GUIDs with or without
// braces, SIDs as S-1-…, Binary as hex digits. Only String fields may be
// empty (Windows fills every field of a manifest event).
type Type int

// Value types, named after the Binary XML value types they map to.
const (
	String     Type = iota // UTF-16 string (0x01)
	Int8                   // 0x03
	UInt8                  // 0x04
	Int16                  // 0x05
	UInt16                 // 0x06
	Int32                  // 0x07
	UInt32                 // 0x08
	Int64                  // 0x09
	UInt64                 // 0x0a
	Bool                   // 0x0d, 32-bit
	Binary                 // 0x0e
	GUID                   // 0x0f
	FileTime               // 0x11
	SystemTime             // 0x12
	SID                    // 0x13
	HexInt32               // 0x14
	HexInt64               // 0x15
)

// Field is one payload value: an EventData <Data> element (Name empty for the
// positional insertion strings of classic sources) or a child element of a
// UserData payload (Name is then the element name and must be set).
type Field struct {
	Name  string
	Value string
	Type  Type
}

// UserData describes a <UserData> payload: one element (for Hyper-V,
// Name "VmlEventLog" and Namespace VMLNamespace) whose children are Fields.
type UserData struct {
	Name      string
	Namespace string
	Fields    []Field
}

// Well-known namespaces.
const (
	EventNamespace = "http://schemas.microsoft.com/win/2004/08/events/event"
	VMLNamespace   = "http://www.microsoft.com/Windows/Virtualization/Events"
)

// Record is one event. Record IDs are assigned by Write in order.
//
// A record with an empty ProviderGUID or a non-empty EventSourceName is laid
// out like a classic (event-source) event: provider attributes and channel are
// literal text in the template. Otherwise it is laid out like a manifest
// event: provider name, GUID and channel are substitutions.
//
// The payload is UserData when UserData is non-nil, else EventData built from
// Data and Binary. EventData whose fields are all unnamed is written as
// Windows writes classic insertion strings: one string-array value plus an
// optional <Binary>. Named fields become <Data Name="…"> elements.
type Record struct {
	Provider        string
	ProviderGUID    string // "{…}" or bare; empty for classic sources
	EventSourceName string
	Channel         string
	Computer        string
	UserSID         string // empty: no UserID
	ActivityID      string // empty: no ActivityID

	EventID       uint16
	Qualifiers    uint16
	HasQualifiers bool
	Version       uint8
	Level         uint8
	Opcode        uint8
	Task          uint16
	Keywords      uint64

	Time      time.Time // TimeCreated
	Written   time.Time // record header time; zero means Time
	ProcessID uint32
	ThreadID  uint32

	Data     []Field
	Binary   []byte
	UserData *UserData

	// RecordID, when not 0, is this record's ID; it must be higher than
	// the previous record's. A gap starts a new chunk, so that every chunk
	// holds consecutive IDs as Windows writes them (a log re-encoded
	// without its damaged records keeps the IDs of the others).
	RecordID uint64
}

// Options control file-level fields.
type Options struct {
	// FirstRecordID is the ID of the first record; 0 means 1.
	FirstRecordID uint64
	// Dirty sets the header flag Windows leaves on a log that is open (the
	// normal state of a log copied from a running host).
	Dirty bool
	// Full sets the header flag for a log that reached its maximum size.
	Full bool
}

// Write encodes recs as a complete EVTX file and writes it to w.
func Write(w io.Writer, recs []Record, opt Options) error {
	b, err := Marshal(recs, opt)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// Marshal returns recs encoded as a complete EVTX file.
func Marshal(recs []Record, opt Options) ([]byte, error) {
	id := opt.FirstRecordID
	if id == 0 {
		id = 1
	}
	var chunks []*chunkBuilder
	cur := newChunk()
	for i := range recs {
		r := &recs[i]
		if err := validate(r); err != nil {
			return nil, fmt.Errorf("record %d (event %d): %w", i, r.EventID, err)
		}
		if r.RecordID != 0 && r.RecordID != id {
			if r.RecordID < id {
				return nil, fmt.Errorf("record %d (event %d): %w: record ID %d after %d", i, r.EventID, ErrInvalidRecord, r.RecordID, id-1)
			}
			if cur.count > 0 {
				chunks = append(chunks, cur)
				cur = newChunk()
			}
			id = r.RecordID
		}
		ok, err := cur.add(r, id)
		if err != nil {
			return nil, fmt.Errorf("record %d (event %d): %w", i, r.EventID, err)
		}
		if !ok {
			if cur.count == 0 {
				return nil, fmt.Errorf("record %d (event %d): %w", i, r.EventID, ErrRecordTooLarge)
			}
			chunks = append(chunks, cur)
			cur = newChunk()
			ok, err = cur.add(r, id)
			if err != nil {
				return nil, fmt.Errorf("record %d (event %d): %w", i, r.EventID, err)
			}
			if !ok {
				return nil, fmt.Errorf("record %d (event %d): %w", i, r.EventID, ErrRecordTooLarge)
			}
		}
		id++
	}
	// An empty log still has one (empty) chunk, as a freshly created log does.
	chunks = append(chunks, cur)
	if len(chunks) > 0xffff {
		return nil, ErrTooManyChunks
	}

	var out bytes.Buffer
	out.Grow(fileHeaderSize + len(chunks)*chunkSize)
	out.Write(fileHeader(uint64(len(chunks)), id, opt))
	for _, c := range chunks {
		out.Write(c.finish())
	}
	return out.Bytes(), nil
}
