package evtxwrite

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

var wireTypes = [...]byte{
	String:     vtString,
	Int8:       vtInt8,
	UInt8:      vtUInt8,
	Int16:      vtInt16,
	UInt16:     vtUInt16,
	Int32:      vtInt32,
	UInt32:     vtUInt32,
	Int64:      vtInt64,
	UInt64:     vtUInt64,
	Bool:       vtBool,
	Binary:     vtBinary,
	GUID:       vtGUID,
	FileTime:   vtFileTime,
	SystemTime: vtSystemTime,
	SID:        vtSID,
	HexInt32:   vtHexInt32,
	HexInt64:   vtHexInt64,
}

// wireType maps a Type to its Binary XML value type; callers validate t first.
func wireType(t Type) byte { return wireTypes[t] }

func validType(t Type) bool { return t >= 0 && int(t) < len(wireTypes) }

// Code returns the Binary XML value type t is written as (0x01 for String),
// or 0 for an unknown Type.
func (t Type) Code() uint8 {
	if !validType(t) {
		return 0
	}
	return wireTypes[t]
}

// TypeOf returns the Type written as the Binary XML value type code, and
// false when the writer cannot write that type (arrays, reals, size_t,
// ANSI strings, nested Binary XML).
func TypeOf(code uint8) (Type, bool) {
	for t, c := range wireTypes {
		if c == code {
			return Type(t), true
		}
	}
	return 0, false
}

// validate checks what can be checked without encoding.
func validate(r *Record) error {
	fields := r.Data
	if r.UserData != nil {
		if len(r.Data) > 0 || len(r.Binary) > 0 {
			return fmt.Errorf("%w: both UserData and EventData", ErrInvalidRecord)
		}
		fields = r.UserData.Fields
	}
	for i, f := range fields {
		if !validType(f.Type) {
			return fmt.Errorf("%w: field %d (%q) has unknown type %d", ErrInvalidRecord, i, f.Name, f.Type)
		}
	}
	if r.Provider == "" {
		return fmt.Errorf("%w: empty provider", ErrInvalidRecord)
	}
	return nil
}

// fieldValue encodes a field's text as its declared type.
func fieldValue(f Field) (value, error) {
	vt := wireType(f.Type)
	if f.Type == String {
		return value{typ: vtString, data: utf16le(f.Value)}, nil
	}
	bad := func(err error) (value, error) {
		return value{}, fmt.Errorf("%w: field %q value %q: %v", ErrInvalidRecord, f.Name, f.Value, err)
	}
	if f.Value == "" {
		// Fields sit under normal substitutions, which Windows always
		// fills; libevtx rejects a null value there.
		return bad(fmt.Errorf("empty value for a non-string field"))
	}
	le := binary.LittleEndian
	switch f.Type {
	case UInt8, UInt16, UInt32, UInt64, HexInt32, HexInt64:
		bits := map[Type]int{UInt8: 8, UInt16: 16, UInt32: 32, UInt64: 64, HexInt32: 32, HexInt64: 64}[f.Type]
		u, err := strconv.ParseUint(f.Value, 0, bits)
		if err != nil {
			return bad(err)
		}
		return value{typ: vt, data: le.AppendUint64(nil, u)[:bits/8]}, nil
	case Int8, Int16, Int32, Int64:
		bits := map[Type]int{Int8: 8, Int16: 16, Int32: 32, Int64: 64}[f.Type]
		n, err := strconv.ParseInt(f.Value, 0, bits)
		if err != nil {
			return bad(err)
		}
		return value{typ: vt, data: le.AppendUint64(nil, uint64(n))[:bits/8]}, nil
	case Bool:
		b, err := strconv.ParseBool(f.Value)
		if err != nil {
			return bad(err)
		}
		var v uint32
		if b {
			v = 1
		}
		return value{typ: vt, data: le.AppendUint32(nil, v)}, nil
	case Binary:
		b, err := hex.DecodeString(f.Value)
		if err != nil {
			return bad(err)
		}
		return value{typ: vt, data: b}, nil
	case GUID:
		g, err := parseGUID(f.Value)
		if err != nil {
			return bad(err)
		}
		return value{typ: vt, data: g}, nil
	case SID:
		s, err := parseSID(f.Value)
		if err != nil {
			return bad(err)
		}
		return value{typ: vt, data: s}, nil
	case FileTime, SystemTime:
		t, err := time.Parse(time.RFC3339Nano, f.Value)
		if err != nil {
			return bad(err)
		}
		if f.Type == SystemTime {
			return value{typ: vt, data: systemtime(t)}, nil
		}
		ft, err := filetime(t)
		if err != nil {
			return bad(err)
		}
		return value{typ: vt, data: le.AppendUint64(nil, ft)}, nil
	}
	return bad(fmt.Errorf("unknown type %d", f.Type))
}

// filetimeEpochOffset is the number of 100 ns intervals from 1601-01-01 to
// 1970-01-01.
const filetimeEpochOffset = 116444736000000000

func filetime(t time.Time) (uint64, error) {
	t = t.UTC()
	sec := t.Unix()
	// Keep sec*1e7 from overflowing int64 (year ~30828 is FILETIME's limit).
	const minSec = -filetimeEpochOffset / 10_000_000
	const maxSec = (math.MaxInt64-filetimeEpochOffset)/10_000_000 - 1
	if sec < minSec || sec > maxSec {
		return 0, fmt.Errorf("%w: time %s outside FILETIME range", ErrInvalidRecord, t)
	}
	return uint64(sec*1e7 + int64(t.Nanosecond()/100) + filetimeEpochOffset), nil
}

func systemtime(t time.Time) []byte {
	t = t.UTC()
	var b []byte
	for _, v := range []int{t.Year(), int(t.Month()), int(t.Weekday()), t.Day(),
		t.Hour(), t.Minute(), t.Second(), t.Nanosecond() / 1e6} {
		b = binary.LittleEndian.AppendUint16(b, uint16(v))
	}
	return b
}

// parseGUID returns the 16-byte Windows layout of a textual GUID (first three
// groups little-endian).
func parseGUID(s string) ([]byte, error) {
	t := strings.TrimSuffix(strings.TrimPrefix(s, "{"), "}")
	p := strings.Split(t, "-")
	if len(p) != 5 || len(p[0]) != 8 || len(p[1]) != 4 || len(p[2]) != 4 || len(p[3]) != 4 || len(p[4]) != 12 {
		return nil, fmt.Errorf("%w: malformed GUID %q", ErrInvalidRecord, s)
	}
	raw, err := hex.DecodeString(strings.Join(p, ""))
	if err != nil {
		return nil, fmt.Errorf("%w: malformed GUID %q", ErrInvalidRecord, s)
	}
	g := make([]byte, 16)
	binary.LittleEndian.PutUint32(g[0:], binary.BigEndian.Uint32(raw[0:]))
	binary.LittleEndian.PutUint16(g[4:], binary.BigEndian.Uint16(raw[4:]))
	binary.LittleEndian.PutUint16(g[6:], binary.BigEndian.Uint16(raw[6:]))
	copy(g[8:], raw[8:])
	return g, nil
}

// parseSID returns the binary form of a textual SID (S-1-5-21-…).
func parseSID(s string) ([]byte, error) {
	bad := fmt.Errorf("%w: malformed SID %q", ErrInvalidRecord, s)
	p := strings.Split(s, "-")
	if len(p) < 3 || p[0] != "S" {
		return nil, bad
	}
	rev, err := strconv.ParseUint(p[1], 10, 8)
	if err != nil {
		return nil, bad
	}
	auth, err := strconv.ParseUint(p[2], 10, 48)
	if err != nil {
		return nil, bad
	}
	subs := p[3:]
	if len(subs) > 15 {
		return nil, bad
	}
	b := []byte{byte(rev), byte(len(subs))}
	b = append(b, binary.BigEndian.AppendUint64(nil, auth)[2:]...)
	for _, x := range subs {
		v, err := strconv.ParseUint(x, 10, 32)
		if err != nil {
			return nil, bad
		}
		b = binary.LittleEndian.AppendUint32(b, uint32(v))
	}
	return b, nil
}
