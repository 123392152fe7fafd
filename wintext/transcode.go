package wintext

import (
	"errors"
	"fmt"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// ErrTranscode is returned (wrapped) by Transcode when the edited text
// cannot be written back in the encoding it was read from.
var ErrTranscode = errors.New("wintext: text cannot be re-encoded")

// Transcode decodes b the way Decode does, segment by segment, hands each
// segment's text to edit, and writes the result back in that segment's own
// encoding: byte order marks, line ends and encoding switches stay where
// they were, and a segment edit leaves unchanged is copied byte for byte.
// It is how a captured output is edited without changing how it reads.
func Transcode(b []byte, edit func(string) string) ([]byte, error) {
	out := make([]byte, 0, len(b))
	prev := 0
	for _, s := range segmentBytes(b) {
		out = append(out, b[prev:s.start]...) // a BOM
		p := b[s.start:s.end]
		prev = s.end
		enc, err := transcodeSegment(p, s.kind, edit)
		if err != nil {
			return nil, fmt.Errorf("bytes 0x%x-0x%x: %w", s.start, s.end, err)
		}
		out = append(out, enc...)
	}
	return append(out, b[prev:]...), nil
}

func transcodeSegment(p []byte, kind segKind, edit func(string) string) ([]byte, error) {
	switch kind {
	case segLE, segBE:
		odd := len(p) % 2
		body := p[:len(p)-odd]
		order := unicode.LittleEndian
		if kind == segBE {
			order = unicode.BigEndian
		}
		codec := unicode.UTF16(order, unicode.IgnoreBOM)
		text, err := codec.NewDecoder().Bytes(body)
		if err != nil {
			return nil, err
		}
		edited := edit(string(text))
		if edited == string(text) {
			return p, nil
		}
		enc, err := codec.NewEncoder().Bytes([]byte(edited))
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrTranscode, err)
		}
		return append(enc, p[len(body):]...), nil
	}
	if utf8.Valid(p) {
		edited := edit(string(p))
		if edited == string(p) {
			return p, nil
		}
		return []byte(edited), nil
	}
	cm, _ := pickCodePage(p)
	if cm != charmap.CodePage850 && cm != charmap.Windows1252 {
		return nil, fmt.Errorf("%w: unknown code page", ErrTranscode)
	}
	text, err := cm.NewDecoder().Bytes(p)
	if err != nil {
		return nil, err
	}
	edited := edit(string(text))
	if edited == string(text) {
		return p, nil
	}
	enc, err := cm.NewEncoder().Bytes([]byte(edited))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrTranscode, err)
	}
	return enc, nil
}
