// Package evtx reads Windows event logs: binary EVTX files (Walk), the XML
// that wevtutil and Event Viewer export (WalkXML), and events as text
// (WalkText): Get-WinEvent piped to Format-List or Export-Csv or left in
// its default table, Get-EventLog's table, and what Event Viewer copies
// ("Copy details as text") and saves ("Save Selected Events" as CSV or
// tab-delimited text).
//
// The reader is built for damaged evidence. It never relies on the file
// header's chunk count to find chunks (it only compares it with what was
// found), keeps every record it can decode, reports what it had to skip
// (with file offsets, and record counts and ids where the headers tell them)
// in Stats.Skipped, and never panics on malformed input.
// It does no logging and knows nothing about the rules that consume events.
//
// # What comes from golang-evtx and what is ours
//
// The project uses github.com/0xrawsec/golang-evtx for the fixed-layout
// headers, where it is correct: evtx.New and FileHeader.Verify decode the
// file header (versions, chunk count, next record id, flags), and
// Chunk.ParseChunkHeader and ChunkHeader.Validate decode and check each chunk
// header (record id range, free-space offset, stored records checksum,
// header size, last record offset). Every call runs synchronously under
// recover, with the library's logger silenced (see library.go).
//
// The rest is ours, because the library gets it wrong on real logs or cannot
// survive damaged ones:
//   - CRC32 checks of the file header, chunk header and records area (the
//     library reads the checksum fields but never verifies them);
//   - record framing and resynchronisation after damage, including records
//     past a chunk's free-space offset and truncated files;
//   - the BinXML and value decoder. The library's template layer loses the
//     provider name of classic (GUID-less) providers, drops empty insertion
//     strings (shifting %n positions), renders size_t and UInt32 arrays as
//     "Unknown value", drops events whose payload is embedded BinXML (CAPI2),
//     and has helpers that panic; its map-per-event output is also several
//     times too slow for multi-gigabyte bundles;
//   - its chunk and event iterators, which run in goroutines that panic on a
//     read or parse error and so can kill the process from where no recover
//     reaches. We never call them.
package evtx

import (
	"errors"
	"fmt"
	"time"
)

// ErrFormat is returned (wrapped in a *FormatError) when the input is not an
// event log at all. Damage inside an otherwise recognisable log is never an
// error: it is listed in Stats.Skipped.
var ErrFormat = errors.New("evtx: not a valid event log")

// FormatError says why the input was rejected and where.
type FormatError struct {
	Off int64  // byte offset of the offending structure
	Msg string // what is wrong
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("evtx: %s at byte 0x%x", e.Msg, e.Off)
}

// Unwrap lets errors.Is(err, ErrFormat) match.
func (e *FormatError) Unwrap() error { return ErrFormat }

// Field is one value of EventData or UserData.
type Field struct {
	Name  string // "" for the positional <Data> of classic events
	Value string
}

// Event is one event record, with the System fields decoded and the payload
// kept in document order.
type Event struct {
	RecordID uint64
	Offset   int64 // byte offset of the record in the EVTX file; 0 for XML and text input
	Line     int   // line of <Event> in an XML export, first line of a text export's event; 0 for EVTX
	// EndLine is the last line a text export's event was read from (its
	// message, its XML), so that a reader of a file mixing forms knows
	// which lines the event took; 0 for EVTX and XML input.
	EndLine int
	Time    time.Time
	// LocalTime: Time is the wall-clock time a text export printed in the
	// exporting host's zone, held in the UTC location; it is not UTC.
	LocalTime bool

	Provider        string // System/Provider/@Name
	ProviderGUID    string // System/Provider/@Guid, "" for classic sources
	EventSourceName string // System/Provider/@EventSourceName
	Channel         string
	Computer        string
	UserSID         string // System/Security/@UserID
	ProcessID       uint32 // System/Execution/@ProcessID
	ThreadID        uint32 // System/Execution/@ThreadID
	ActivityID      string // System/Correlation/@ActivityID

	EventID       uint16 // low 16 bits of the event identifier
	Qualifiers    uint16 // high 16 bits for classic sources, see HasQualifiers
	HasQualifiers bool
	Version       uint8
	Level         uint8
	Opcode        uint8
	Task          uint16
	Keywords      uint64

	// Data holds EventData children in document order, named and positional,
	// with empty values kept so that %n positions stay right.
	Data []Field
	// UserDataName is the local name of the first child of UserData
	// (e.g. "VmlEventLog"); UserData holds its leaf elements flattened in
	// document order.
	UserDataName string
	UserData     []Field
	// Binary is EventData/Binary (classic events put NTSTATUS/HRESULT dumps there).
	Binary []byte
	// DataTypes and UserDataTypes give, for EVTX input, the BinXML value
	// type of each field of Data and UserData (same index): 0x01 string,
	// 0x08 UInt32, 0x0f GUID, … with 0x80 set when the field is one element
	// of an array value; 0 for an empty field; 0xff when the value was
	// composed of several parts. They are nil for XML and text input.
	DataTypes     []uint8
	UserDataTypes []uint8
	// Unrepresented is set when the record held structure the fields above
	// do not carry (UserData nested below its leaves, a RelatedActivityID,
	// a Binary that is not hex), so a writer could not reproduce it from
	// this Event. EVTX input only.
	Unrepresented bool
	// Message is RenderingInfo/Message when an XML export carries it, or
	// the Message of a text export; EVTX files never store rendered text.
	Message string
	// Damaged says why the record was decoded from damaged bytes (a body
	// partly zeroed), so its fields may be incomplete; "" for a sound one.
	Damaged string
}

// DataValue returns the value of the first EventData field with the given
// name and whether it exists.
func (e *Event) DataValue(name string) (string, bool) {
	for _, f := range e.Data {
		if f.Name == name {
			return f.Value, true
		}
	}
	return "", false
}

// UserDataValue returns the value of the first flattened UserData field with
// the given name and whether it exists.
func (e *Event) UserDataValue(name string) (string, bool) {
	for _, f := range e.UserData {
		if f.Name == name {
			return f.Value, true
		}
	}
	return "", false
}

// ChunkError describes input that was skipped: a whole chunk, a run of
// records, one record, or (for XML) one malformed event.
type ChunkError struct {
	Offset  int64 // byte offset of the damaged structure (in the transcoded UTF-8 text for XML)
	Line    int   // line of the skipped event in XML input; 0 for EVTX
	Records int   // records lost, as far as the surrounding headers tell; 0 if unknown
	// FirstID and LastID bound the ids of the records lost (or, for a
	// duplicate, of the records not delivered again); 0 when unknown.
	FirstID uint64
	LastID  uint64
	Err     error
}

func (e *ChunkError) Error() string {
	where := fmt.Sprintf("byte 0x%x", e.Offset)
	if e.Line > 0 {
		where = fmt.Sprintf("line %d", e.Line)
	}
	if e.Records > 0 {
		ids := ""
		if e.FirstID > 0 && e.LastID >= e.FirstID {
			ids = fmt.Sprintf(" (record id %d)", e.FirstID)
			if e.LastID > e.FirstID {
				ids = fmt.Sprintf(" (record ids %d-%d)", e.FirstID, e.LastID)
			}
		}
		return fmt.Sprintf("evtx: skipped %d record(s)%s at %s: %v", e.Records, ids, where, e.Err)
	}
	return fmt.Sprintf("evtx: skipped data at %s: %v", where, e.Err)
}

func (e *ChunkError) Unwrap() error { return e.Err }

// Stats summarises a walk.
type Stats struct {
	Chunks  int // chunks with a valid signature that were decoded
	Records int // events delivered to the callback
	// Skipped lists every piece of input that could not be decoded, in file order.
	Skipped []ChunkError

	// File header facts (EVTX only).
	Dirty            bool // the log was not closed cleanly (normal for a copy of a live log)
	Full             bool
	HeaderChunkCount int // chunk count claimed by the header (not trusted)
	// HeaderNextRecordID is the id the log would give its next record: with
	// the last record found it tells whether the end of the log is missing.
	HeaderNextRecordID uint64
	MajorVersion       int
	MinorVersion       int
	// BadFileSignature: the file does not start with "ElfFile\0" but its
	// first chunk slot holds a chunk, so it was read as a damaged log.
	BadFileSignature bool
	// MissingChunks counts chunks the file header claims that lie past the
	// end of the file (a cut copy).
	MissingChunks int
	// LastRecordTime is the time of the record with the highest id read:
	// where a missing end of the log begins.
	LastRecordTime time.Time
	// HeaderDamaged: the file header's checksum does not match or a fixed
	// field is off, so the facts above are doubtful. Records are unaffected.
	HeaderDamaged bool

	EmptySlots int // all-zero 64 KiB slots (preallocated, never written)
	// ZeroedChunks counts all-zero slots with a chunk holding data after
	// them: holes where records were lost, not space never written.
	ZeroedChunks   int
	ChecksumErrors int // chunks whose header or record CRC did not match (still decoded)
	// LocalTimes: the input (a text export) printed times in the exporting
	// host's zone, which it does not name; Event.Time holds that wall-clock
	// time in the UTC location.
	LocalTimes bool
	// DateOrderGuessed: no date in a text export showed whether it puts the
	// day or the month first, and 24-hour dates were read day-first.
	DateOrderGuessed bool

	// BadChunkHeaders counts chunks whose header checksum matches but whose
	// fields fail validation (header size, last record offset); their
	// records are found by scanning, as for a checksum error.
	BadChunkHeaders int
}

func (s *Stats) skip(off int64, records int, err error) {
	s.Skipped = append(s.Skipped, ChunkError{Offset: off, Records: records, Err: err})
}
