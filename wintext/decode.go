package wintext

import (
	"bytes"
	"fmt"
	"strings"
	stdunicode "unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// Problem is something a parser could not read. Line is 1-based in the
// decoded text; 0 means the problem is not tied to a line. Note marks an
// observation about how the text was read (an encoding switch, a guessed
// code page) rather than something lost.
type Problem struct {
	Line int
	Msg  string
	Note bool
}

func (p Problem) String() string {
	if p.Line <= 0 {
		return p.Msg
	}
	return fmt.Sprintf("line %d: %s", p.Line, p.Msg)
}

// Error makes a Problem an error, so a parser can return one where an error
// is expected and the caller still finds its line with errors.As.
func (p Problem) Error() string { return p.String() }

// Encoding names the byte encoding Decode recognised.
type Encoding string

// Encodings reported by Decode.
const (
	EncUTF8        Encoding = "utf-8"
	EncUTF8BOM     Encoding = "utf-8-bom"
	EncUTF16LEBOM  Encoding = "utf-16le-bom"
	EncUTF16LE     Encoding = "utf-16le"
	EncUTF16BEBOM  Encoding = "utf-16be-bom"
	EncUTF16BE     Encoding = "utf-16be"
	EncCP850       Encoding = "cp850"
	EncWindows1252 Encoding = "windows-1252"
	// EncMixed is reported when the file switches encoding part way, as
	// the SDP VSSAdmin.TXT does (UTF-16 header, then cmd-appended OEM text).
	EncMixed Encoding = "mixed"
)

// maxSwitchNotes bounds how many encoding switches Decode reports one by
// one; binary data can switch at every few bytes.
const maxSwitchNotes = 16

type segKind int

const (
	seg8 segKind = iota
	segLE
	segBE
)

type segment struct {
	kind       segKind
	start, end int // byte range of the payload (BOM excluded)
	bom        bool
}

// Decode turns text as Windows writes it (captured command output, event
// exports, notes) into UTF-8. It recognises UTF-16LE/BE with or without BOM
// (BOM-less UTF-16 is found by NUL bytes in every other position), UTF-8
// with or without BOM, and 8-bit code pages. It decodes per segment, so a
// file that switches from UTF-16 to 8-bit text (and back) is decoded piece
// by piece.
//
// 8-bit text that is not valid UTF-8 is decoded as CP850 or Windows-1252.
// cmd.exe redirection writes the OEM code page (CP437 in the US, CP850 in
// Western Europe; both agree on the accented letters 0x80-0x9A), whereas
// Set-Content writes the ANSI code page 1252. Accented letters sit at
// 0x80-0x9F in CP850 but at 0xC0-0xFF in 1252, so the range holding most
// high bytes decides; bytes that 1252 leaves undefined force CP850. The
// choice is always reported as a Problem, since it is a guess.
//
// Line endings are normalised: CRLF, CRCRLF and lone CR all become LF, so
// line numbers match what an editor shows.
func Decode(b []byte) (string, Encoding, []Problem) {
	return decode(b, false)
}

// DecodeHead decodes at most limit bytes from the start of b, tolerating a
// character cut at the limit. Use it to classify large files cheaply.
func DecodeHead(b []byte, limit int) (string, Encoding, []Problem) {
	if limit < 0 {
		limit = 0
	}
	if len(b) <= limit {
		return decode(b, false)
	}
	return decode(b[:limit], true)
}

// DecodePrefix decodes b, the first bytes of a longer text, tolerating a
// character cut at its end: a multi-byte character split by the cut must
// not make the whole prefix look like an 8-bit code page.
func DecodePrefix(b []byte) (string, Encoding, []Problem) {
	return decode(b, true)
}

func decode(b []byte, truncated bool) (string, Encoding, []Problem) {
	segs := segmentBytes(b)
	var (
		out      strings.Builder
		problems []Problem
		encs     []Encoding
	)
	if len(segs) > 1 {
		out.Grow(len(b))
	}
	single := "" // the text of a lone segment, returned without a copy
	line := 1
	for idx, s := range segs {
		last := idx == len(segs)-1
		text, enc, msg := decodeSegment(b[s.start:s.end], s, truncated && last)
		if msg != "" {
			// A guessed code page is a note; a segment that cannot be
			// decoded at all is lost.
			problems = append(problems, Problem{Line: line, Msg: fmt.Sprintf("bytes 0x%x-0x%x: %s", s.start, s.end, msg),
				Note: !strings.HasPrefix(msg, "cannot decode")})
		}
		switch {
		case len(segs) > 1 && idx < maxSwitchNotes:
			problems = append(problems, Problem{Line: line, Msg: fmt.Sprintf("encoding switches to %s at byte 0x%x", enc, s.start), Note: true})
		case len(segs) > 1 && idx == maxSwitchNotes:
			problems = append(problems, Problem{Line: line, Msg: fmt.Sprintf("%d more encoding switches not listed (binary data?)", len(segs)-maxSwitchNotes)})
		}
		text = normalizeNewlines(text)
		if i := strings.IndexRune(text, utf8.RuneError); i >= 0 && enc != EncCP850 && enc != EncWindows1252 {
			at := line + strings.Count(text[:i], "\n")
			problems = append(problems, Problem{Line: at, Msg: fmt.Sprintf("invalid %s sequence replaced by U+FFFD", enc)})
		}
		if len(segs) == 1 {
			single = text
		} else {
			out.WriteString(text)
		}
		line += strings.Count(text, "\n")
		encs = append(encs, enc)
	}
	enc := EncUTF8
	if len(encs) > 0 {
		enc = encs[0]
		for _, e := range encs[1:] {
			if e != enc {
				enc = EncMixed
				break
			}
		}
	}
	if len(segs) == 1 {
		return single, enc, problems
	}
	return out.String(), enc, problems
}

func decodeSegment(p []byte, s segment, truncated bool) (string, Encoding, string) {
	switch s.kind {
	case segLE, segBE:
		var dec *encoding.Decoder
		enc := EncUTF16LE
		if s.kind == segLE {
			dec = unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewDecoder()
			if s.bom {
				enc = EncUTF16LEBOM
			}
		} else {
			dec = unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM).NewDecoder()
			enc = EncUTF16BE
			if s.bom {
				enc = EncUTF16BEBOM
			}
		}
		if truncated && len(p)%2 == 1 {
			p = p[:len(p)-1]
		}
		if t, ok := asciiUTF16(p, s.kind == segLE); ok {
			return t, enc, ""
		}
		out, err := dec.Bytes(p)
		if err != nil {
			// The x/text UTF-16 decoder replaces bad input instead of
			// failing; an error here means a transformer fault.
			return "", enc, fmt.Sprintf("cannot decode %s: %v", enc, err)
		}
		// A stray BOM inside the text (from appending with BOM) is noise.
		return strings.ReplaceAll(string(out), "\ufeff", ""), enc, ""
	}
	enc := EncUTF8
	if s.bom {
		enc = EncUTF8BOM
	}
	check := p
	if truncated {
		check = trimPartialRune(p)
	}
	if utf8.Valid(check) {
		return string(check), enc, ""
	}
	if s.bom {
		// A UTF-8 BOM is a declaration; keep UTF-8 and let bad bytes show
		// as U+FFFD rather than second-guessing the writer.
		return strings.ToValidUTF8(string(p), "\ufffd"), enc, ""
	}
	cm, name := pickCodePage(p)
	out, err := cm.NewDecoder().Bytes(p)
	if err != nil {
		return "", name, fmt.Sprintf("cannot decode %s: %v", name, err)
	}
	return string(out), name, fmt.Sprintf("not valid UTF-8; decoded as %s (guessed from the high bytes)", name)
}

// trimPartialRune drops an incomplete UTF-8 sequence at the end of p, which
// appears when a buffer is cut at an arbitrary byte.
func trimPartialRune(p []byte) []byte {
	for k := 1; k <= 3 && k <= len(p); k++ {
		c := p[len(p)-k]
		if c < 0x80 {
			return p
		}
		if utf8.RuneStart(c) {
			if !utf8.FullRune(p[len(p)-k:]) {
				return p[:len(p)-k]
			}
			return p
		}
	}
	return p
}

// commonAccented are the accented letters of Western European languages;
// a byte that decodes to one of them is good evidence for that code page.
const commonAccented = "äöüÄÖÜßéèêëàâáíìîïóòôúùûçÇñÑÉÈÀøØåÅæÆ\u00a0"

// pickCodePage scores CP850 and Windows-1252 on the high bytes of p: a
// common accented letter (or NBSP, the French digit grouping) scores 2,
// another letter 1, punctuation or box drawing 0. CP850 wins ties because
// cmd.exe redirection, the main source of 8-bit text in bundles, writes
// the OEM code page; bytes 1252 leaves undefined also mean CP850.
func pickCodePage(p []byte) (*charmap.Charmap, Encoding) {
	oem, ansi := 0, 0
	for _, c := range p {
		if c < 0x80 {
			continue
		}
		if c == 0x81 || c == 0x8d || c == 0x8f || c == 0x90 || c == 0x9d {
			return charmap.CodePage850, EncCP850
		}
		oem += letterScore(charmap.CodePage850.DecodeByte(c))
		ansi += letterScore(charmap.Windows1252.DecodeByte(c))
	}
	if ansi > oem {
		return charmap.Windows1252, EncWindows1252
	}
	return charmap.CodePage850, EncCP850
}

func letterScore(r rune) int {
	switch {
	case strings.ContainsRune(commonAccented, r):
		return 2
	case stdunicode.IsLetter(r):
		return 1
	}
	return 0
}

func normalizeNewlines(s string) string {
	i := strings.IndexByte(s, '\r')
	if i < 0 {
		return s
	}
	// The text between line breaks is copied whole, not byte by byte:
	// nearly every text from Windows has a CR on each line.
	var b strings.Builder
	b.Grow(len(s))
	for i >= 0 {
		b.WriteString(s[:i])
		b.WriteByte('\n')
		j := i
		for j < len(s) && s[j] == '\r' {
			j++
		}
		// CR+ LF is one line break; a lone CR is one too, as editors show it.
		if j < len(s) && s[j] == '\n' {
			s = s[j+1:]
		} else {
			s = s[i+1:]
		}
		i = strings.IndexByte(s, '\r')
	}
	b.WriteString(s)
	return b.String()
}

// utf16Run reports whether a UTF-16 text of mostly ASCII characters starts
// at b[i]: at least 2 code units, and 6 of the first 8 units (or all when
// fewer) carry a NUL high byte and a non-NUL low byte.
func utf16Run(b []byte, i int, kind segKind) bool {
	n := (len(b) - i) / 2
	if n > 8 {
		n = 8
	}
	if n < 2 {
		return false
	}
	good := 0
	for k := 0; k < n; k++ {
		lo, hi := b[i+2*k], b[i+2*k+1]
		if kind == segBE {
			lo, hi = hi, lo
		}
		if hi == 0 && lo != 0 {
			good++
		} else if k == 0 {
			return false
		}
	}
	if n < 8 {
		return good == n
	}
	return good >= 6
}

// segmentAt tells the encoding of the segment starting at b[i] by its BOM
// or, without one, by the NUL bytes of UTF-16; the end is left to the caller.
func segmentAt(b []byte, i int) segment {
	s := segment{start: i}
	switch {
	case bytes.HasPrefix(b[i:], []byte{0xff, 0xfe}):
		s.kind, s.bom, s.start = segLE, true, i+2
	case bytes.HasPrefix(b[i:], []byte{0xfe, 0xff}):
		s.kind, s.bom, s.start = segBE, true, i+2
	case bytes.HasPrefix(b[i:], []byte{0xef, 0xbb, 0xbf}):
		s.kind, s.bom, s.start = seg8, true, i+3
	case utf16Run(b, i, segLE):
		s.kind = segLE
	case utf16Run(b, i, segBE):
		s.kind = segBE
	default:
		s.kind = seg8
	}
	return s
}

func segmentBytes(b []byte) []segment {
	var segs []segment
	i := 0
	for i < len(b) {
		s := segmentAt(b, i)
		if s.kind == seg8 {
			s.end = end8(b, s.start)
		} else {
			s.end = end16(b, s.start, s.kind)
		}
		if s.end <= s.start && !s.bom {
			// Cannot happen by construction; guard against a stuck loop.
			s.end = s.start + 1
		}
		segs = append(segs, s)
		i = s.end
	}
	return segs
}

// end8 finds where an 8-bit segment starting at i ends: at a BOM or at the
// start of a UTF-16 run.
func end8(b []byte, i int) int {
	for j := i; j < len(b); j++ {
		switch {
		case j+1 < len(b) && ((b[j] == 0xff && b[j+1] == 0xfe) || (b[j] == 0xfe && b[j+1] == 0xff)):
			if j > i {
				return j
			}
		case j+1 < len(b) && b[j+1] == 0 && b[j] != 0 && utf16Run(b, j, segLE):
			if j > i {
				return j
			}
		case b[j] == 0 && j+1 < len(b) && b[j+1] != 0 && utf16Run(b, j, segBE):
			if j > i {
				return j
			}
		}
	}
	return len(b)
}

// noNULWindow is how many consecutive NUL-free, printable code units end a
// UTF-16 segment: 8-bit ASCII text read as UTF-16 has no NUL bytes at all,
// while UTF-16 text in any script still has spaces, digits or punctuation.
const noNULWindow = 16

// end16 finds where a UTF-16 segment starting at i ends: at the first run of
// noNULWindow code units with no NUL byte whose bytes are nearly all
// printable ASCII, i.e. 8-bit text appended to the file.
func end16(b []byte, i int, kind segKind) int {
	run, printable := 0, 0
	var window []int // per-unit printable count, to slide the sum
	for j := i; j+1 < len(b); j += 2 {
		c0, c1 := b[j], b[j+1]
		if c0 == 0 || c1 == 0 {
			run, printable, window = 0, 0, window[:0]
			continue
		}
		pc := 0
		if asciiText(c0) {
			pc++
		}
		if asciiText(c1) {
			pc++
		}
		window = append(window, pc)
		printable += pc
		run++
		if run > noNULWindow {
			printable -= window[0]
			window = window[1:]
			run = noNULWindow
		}
		if run == noNULWindow && printable >= 2*noNULWindow-4 {
			return j + 2 - 2*noNULWindow
		}
	}
	return len(b)
}

func asciiText(c byte) bool {
	return (c >= 0x20 && c < 0x7f) || c == '\r' || c == '\n' || c == '\t'
}

// asciiUTF16 decodes UTF-16 whose every code unit is ASCII (most command
// outputs) without the x/text transformer: each unit is its low byte. ok
// is false for any other input, odd lengths included, which the
// transformer decodes (decode_test.go checks both agree).
func asciiUTF16(p []byte, le bool) (string, bool) {
	if len(p)%2 != 0 {
		return "", false
	}
	hi, lo := 1, 0
	if !le {
		hi, lo = 0, 1
	}
	var out strings.Builder
	out.Grow(len(p) / 2)
	// Units are gathered in a small array and written a chunk at a time:
	// a WriteByte per unit cost more than the test of the unit.
	var chunk [512]byte
	n := 0
	for i := 0; i < len(p); i += 2 {
		if p[i+hi] != 0 || p[i+lo] >= 0x80 {
			return "", false
		}
		chunk[n] = p[i+lo]
		if n++; n == len(chunk) {
			out.Write(chunk[:])
			n = 0
		}
	}
	out.Write(chunk[:n])
	return out.String(), true
}
