package evtx

import (
	"encoding/binary"
	"math"
	"strconv"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// BinXML value types ([MS-EVEN6] 2.2.3 / libevtx documentation).
const (
	typeNull     = 0x00
	typeString   = 0x01 // UTF-16LE
	typeAnsi     = 0x02
	typeInt8     = 0x03
	typeUint8    = 0x04
	typeInt16    = 0x05
	typeUint16   = 0x06
	typeInt32    = 0x07
	typeUint32   = 0x08
	typeInt64    = 0x09
	typeUint64   = 0x0a
	typeReal32   = 0x0b
	typeReal64   = 0x0c
	typeBool     = 0x0d
	typeBinary   = 0x0e
	typeGUID     = 0x0f
	typeSizeT    = 0x10
	typeFileTime = 0x11
	typeSysTime  = 0x12
	typeSID      = 0x13
	typeHex32    = 0x14
	typeHex64    = 0x15
	typeBinXML   = 0x21
	typeArray    = 0x80

	// typeText is our own marker for a value that is already a Go string
	// (XML input, entity and character references).
	typeText = 0xff
)

// value is one piece of element or attribute content: either raw bytes of a
// BinXML type (a sub-slice of the chunk, valid only while the record is being
// decoded) or a ready string.
type value struct {
	typ byte
	b   []byte
	off int // chunk offset of b, needed to decode nested BinXML
	s   string
}

func textValue(s string) value { return value{typ: typeText, s: s} }

func (v value) isNull() bool { return v.typ == typeNull || (v.typ != typeText && len(v.b) == 0) }

// String renders the value the way Windows renders it in event XML.
func (v value) String() string {
	switch v.typ {
	case typeText:
		return v.s
	case typeString:
		return utf16String(v.b)
	case typeNull:
		return ""
	}
	return string(v.appendTo(nil))
}

// appendTo renders the value the way Windows renders it in event XML. A
// value whose size does not fit its type, or of a type we do not know, is
// shown as its bytes in hexadecimal rather than as an invented value.
func (v value) appendTo(dst []byte) []byte {
	b := v.b
	switch v.typ {
	case typeText:
		return append(dst, v.s...)
	case typeNull, typeBinXML:
		return dst
	case typeString:
		return appendUTF16(dst, b)
	case typeAnsi:
		return appendAnsi(dst, b)
	case typeBinary:
		return appendHexUpper(dst, b)
	case typeInt8, typeInt16, typeInt32, typeInt64:
		if n, ok := fixedUint(v.typ, b); ok {
			return strconv.AppendInt(dst, signExtend(n, len(b)), 10)
		}
	case typeUint8, typeUint16, typeUint32, typeUint64:
		if n, ok := fixedUint(v.typ, b); ok {
			return strconv.AppendUint(dst, n, 10)
		}
	case typeReal32:
		if n, ok := fixedUint(v.typ, b); ok {
			return strconv.AppendFloat(dst, float64(math.Float32frombits(uint32(n))), 'g', -1, 32)
		}
	case typeReal64:
		if n, ok := fixedUint(v.typ, b); ok {
			return strconv.AppendFloat(dst, math.Float64frombits(n), 'g', -1, 64)
		}
	case typeBool:
		// Producers write a boolean in 1, 2, 4 or 8 bytes.
		if n, ok := leUint(b); ok {
			return strconv.AppendBool(dst, n != 0)
		}
	case typeSizeT, typeHex32, typeHex64:
		// Whatever the type says, Windows prints 4 or 8 bytes alike.
		if n, ok := leUint(b); ok && len(b) >= 4 {
			return appendHexInt(dst, n)
		}
	case typeGUID:
		if len(b) == 16 {
			return appendGUID(dst, b)
		}
	case typeFileTime:
		if n, ok := fixedUint(v.typ, b); ok {
			return appendTime(dst, filetime(n))
		}
	case typeSysTime:
		if t, ok := systemTime(b); ok {
			return appendTime(dst, t)
		}
	case typeSID:
		if out, ok := appendSID(dst, b); ok {
			return out
		}
	default:
		if v.typ&typeArray != 0 {
			return appendArray(dst, v)
		}
	}
	return appendHexUpper(dst, b)
}

// leUint reads b as a little-endian unsigned integer of 1, 2, 4 or 8 bytes.
func leUint(b []byte) (uint64, bool) {
	le := binary.LittleEndian
	switch len(b) {
	case 1:
		return uint64(b[0]), true
	case 2:
		return uint64(le.Uint16(b)), true
	case 4:
		return uint64(le.Uint32(b)), true
	case 8:
		return le.Uint64(b), true
	}
	return 0, false
}

// fixedUint reads b as a little-endian unsigned integer when it has the
// width of the fixed-size type typ.
func fixedUint(typ byte, b []byte) (uint64, bool) {
	if len(b) != fixedWidth(typ) {
		return 0, false
	}
	return leUint(b)
}

// signExtend reads the low size bytes of n as a two's complement integer:
// it moves their sign bit to bit 63, then shifts back arithmetically.
func signExtend(n uint64, size int) int64 {
	shift := uint(64 - 8*size)
	return int64(n<<shift) >> shift
}

// uint returns the value as an unsigned integer when it is one (or is text
// holding a decimal or 0x-hexadecimal number).
func (v value) uint() (uint64, bool) {
	b := v.b
	le := binary.LittleEndian
	switch v.typ {
	case typeUint8, typeInt8:
		if len(b) == 1 {
			return uint64(b[0]), true
		}
	case typeUint16, typeInt16:
		if len(b) == 2 {
			return uint64(le.Uint16(b)), true
		}
	case typeUint32, typeInt32, typeHex32, typeSizeT, typeHex64, typeUint64, typeInt64:
		switch len(b) {
		case 4:
			return uint64(le.Uint32(b)), true
		case 8:
			return le.Uint64(b), true
		}
	case typeText, typeString, typeAnsi:
		return parseUint(v.String())
	}
	return 0, false
}

func parseUint(s string) (uint64, bool) {
	s = trimSpace(s)
	if len(s) > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') {
		n, err := strconv.ParseUint(s[2:], 16, 64)
		return n, err == nil
	}
	n, err := strconv.ParseUint(s, 10, 64)
	return n, err == nil
}

func trimSpace(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t' || s[0] == '\r' || s[0] == '\n') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t' || s[len(s)-1] == '\r' || s[len(s)-1] == '\n') {
		s = s[:len(s)-1]
	}
	return s
}

// time returns the value as a UTC time when it is one.
func (v value) time() (time.Time, bool) {
	switch v.typ {
	case typeFileTime:
		if len(v.b) == 8 {
			return filetime(binary.LittleEndian.Uint64(v.b)), true
		}
	case typeSysTime:
		return systemTime(v.b)
	case typeText, typeString:
		t, err := time.Parse(time.RFC3339Nano, trimSpace(v.String()))
		if err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// filetime converts 100 ns intervals since 1601-01-01 UTC.
func filetime(ft uint64) time.Time {
	const epochDelta = 11644473600 // seconds from 1601 to 1970
	sec := int64(ft/10_000_000) - epochDelta
	nsec := int64(ft%10_000_000) * 100
	return time.Unix(sec, nsec).UTC()
}

func systemTime(b []byte) (time.Time, bool) {
	if len(b) != 16 {
		return time.Time{}, false
	}
	le := binary.LittleEndian
	f := func(i int) int { return int(le.Uint16(b[2*i:])) }
	// Fields: year, month, day of week, day, hour, minute, second, milliseconds.
	if f(1) < 1 || f(1) > 12 || f(3) < 1 || f(3) > 31 || f(4) > 23 || f(5) > 59 || f(6) > 60 || f(7) > 999 {
		return time.Time{}, false
	}
	return time.Date(f(0), time.Month(f(1)), f(3), f(4), f(5), f(6), f(7)*1_000_000, time.UTC), true
}

// appendTime renders a time with a 9-digit fraction, as Windows renders
// FILETIME and SYSTEMTIME values in event data.
func appendTime(dst []byte, t time.Time) []byte {
	dst = t.AppendFormat(dst, "2006-01-02T15:04:05")
	dst = append(dst, '.')
	frac := uint64(t.Nanosecond())
	var digits [9]byte
	for i := len(digits) - 1; i >= 0; i-- {
		digits[i] = byte('0' + frac%10)
		frac /= 10
	}
	dst = append(dst, digits[:]...)
	return append(dst, 'Z')
}

const hexUpper = "0123456789ABCDEF"

func appendHexUpper(dst, b []byte) []byte {
	for _, c := range b {
		dst = append(dst, hexUpper[c>>4], hexUpper[c&0xf])
	}
	return dst
}

func appendHexInt(dst []byte, n uint64) []byte {
	dst = append(dst, '0', 'x')
	return strconv.AppendUint(dst, n, 16)
}

func appendGUID(dst, b []byte) []byte {
	le := binary.LittleEndian
	put := func(n uint64, width int) {
		for i := width - 1; i >= 0; i-- {
			dst = append(dst, hexUpper[(n>>(4*uint(i)))&0xf])
		}
	}
	dst = append(dst, '{')
	put(uint64(le.Uint32(b[0:])), 8)
	dst = append(dst, '-')
	put(uint64(le.Uint16(b[4:])), 4)
	dst = append(dst, '-')
	put(uint64(le.Uint16(b[6:])), 4)
	dst = append(dst, '-')
	dst = appendHexUpper(dst, b[8:10])
	dst = append(dst, '-')
	dst = appendHexUpper(dst, b[10:16])
	return append(dst, '}')
}

func appendSID(dst, b []byte) ([]byte, bool) {
	if len(b) < 8 {
		return dst, false
	}
	n := int(b[1])
	if len(b) < 8+4*n {
		return dst, false
	}
	var auth uint64
	for _, c := range b[2:8] {
		auth = auth<<8 | uint64(c)
	}
	dst = append(dst, 'S', '-')
	dst = strconv.AppendUint(dst, uint64(b[0]), 10)
	dst = append(dst, '-')
	dst = strconv.AppendUint(dst, auth, 10)
	for i := 0; i < n; i++ {
		dst = append(dst, '-')
		dst = strconv.AppendUint(dst, uint64(binary.LittleEndian.Uint32(b[8+4*i:])), 10)
	}
	return dst, true
}

// forEachArrayElem calls fn for each element of an array value.
func forEachArrayElem(v value, fn func(value)) {
	elem := v.typ &^ typeArray
	b := v.b
	switch elem {
	case typeString:
		// NUL-terminated UTF-16 strings laid end to end.
		for len(b) >= 2 {
			end := 0
			for end+1 < len(b) && (b[end] != 0 || b[end+1] != 0) {
				end += 2
			}
			end = min(end, len(b)&^1)
			fn(value{typ: typeString, b: b[:end]})
			b = b[min(end+2, len(b)):]
		}
		return
	case typeAnsi:
		for len(b) > 0 {
			end := 0
			for end < len(b) && b[end] != 0 {
				end++
			}
			fn(value{typ: typeAnsi, b: b[:end]})
			b = b[min(end+1, len(b)):]
		}
		return
	}
	width := fixedWidth(elem)
	if width == 0 || len(b)%width != 0 {
		fn(value{typ: typeBinary, b: b})
		return
	}
	for i := 0; i < len(b); i += width {
		fn(value{typ: elem, b: b[i : i+width]})
	}
}

// appendArray renders an array value as its elements separated by ", ".
func appendArray(dst []byte, v value) []byte {
	first := true
	forEachArrayElem(v, func(e value) {
		if !first {
			dst = append(dst, ',', ' ')
		}
		first = false
		dst = e.appendTo(dst)
	})
	return dst
}

// fixedWidths gives the size of each fixed-size value type, 0 for the
// others. A table rather than a switch keeps fixedUint cheap enough to be
// inlined into appendTo.
var fixedWidths = [256]uint8{
	typeInt8: 1, typeUint8: 1,
	typeInt16: 2, typeUint16: 2,
	typeInt32: 4, typeUint32: 4, typeReal32: 4, typeBool: 4, typeHex32: 4,
	typeInt64: 8, typeUint64: 8, typeReal64: 8, typeFileTime: 8, typeHex64: 8,
	typeGUID: 16, typeSysTime: 16,
}

func fixedWidth(typ byte) int { return int(fixedWidths[typ]) }

// utf16String decodes UTF-16LE, dropping trailing NULs.
func utf16String(b []byte) string {
	n := len(b) &^ 1
	for n >= 2 && b[n-2] == 0 && b[n-1] == 0 {
		n -= 2
	}
	b = b[:n]
	ascii := true
	for i := 0; i < n; i += 2 {
		if b[i+1] != 0 || b[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		out := make([]byte, n/2)
		for i := range out {
			out[i] = b[2*i]
		}
		return string(out)
	}
	return string(appendUTF16(nil, b))
}

func appendUTF16(dst, b []byte) []byte {
	n := len(b) &^ 1
	for n >= 2 && b[n-2] == 0 && b[n-1] == 0 {
		n -= 2
	}
	for i := 0; i < n; i += 2 {
		r := rune(b[i]) | rune(b[i+1])<<8
		if r < utf8.RuneSelf {
			dst = append(dst, byte(r))
			continue
		}
		if utf16.IsSurrogate(r) && i+3 < n {
			r2 := rune(b[i+2]) | rune(b[i+3])<<8
			if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
				dst = utf8.AppendRune(dst, d)
				i += 2
				continue
			}
		}
		if utf16.IsSurrogate(r) {
			r = utf8.RuneError
		}
		dst = utf8.AppendRune(dst, r)
	}
	return dst
}

// appendAnsi treats single-byte text as Latin-1 unless it is already UTF-8.
func appendAnsi(dst, b []byte) []byte {
	for len(b) > 0 && b[len(b)-1] == 0 {
		b = b[:len(b)-1]
	}
	if utf8.Valid(b) {
		return append(dst, b...)
	}
	for _, c := range b {
		dst = utf8.AppendRune(dst, rune(c))
	}
	return dst
}

func allZero(b []byte) bool {
	for len(b) >= 8 {
		if binary.LittleEndian.Uint64(b) != 0 {
			return false
		}
		b = b[8:]
	}
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
