package wintext

import (
	"bufio"
	"bytes"
	"io"
	"unicode/utf8"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// readerWindow is how many bytes Reader looks at, from the first byte above
// 0x7F of 8-bit text, to choose between UTF-8 and a code page.
const readerWindow = 64 << 10

// Reader decodes a stream of Windows text to UTF-8 with the detection rules
// of Decode: a BOM or the NUL bytes of BOM-less UTF-16 at the start select
// UTF-16LE or BE; otherwise the text is 8-bit, a UTF-8 BOM is dropped, and
// at the first byte above 0x7F the next 64 KiB decide between UTF-8 and
// CP850 or Windows-1252 as Decode decides (a UTF-8 BOM declares UTF-8).
//
// Unlike Decode it follows no encoding switch: the encoding found at the
// start holds for the whole stream. Line ends are left as written, a
// UTF-8 stream is passed through unchecked, and nothing is reported but
// the encoding chosen (Encoding).
type Reader struct {
	br      *bufio.Reader
	enc     Encoding
	started bool
	// dec reads the decoded text once the encoding is settled; nil while
	// 8-bit text without a BOM has been ASCII so far.
	dec io.Reader
}

// NewReader returns a Reader decoding r.
func NewReader(r io.Reader) *Reader {
	return &Reader{br: bufio.NewReaderSize(&stickyReader{r: r}, readerWindow), enc: EncUTF8}
}

// Encoding is the encoding read so far: 8-bit text is EncUTF8 until a
// byte above 0x7F has been read.
func (r *Reader) Encoding() Encoding { return r.enc }

func (r *Reader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if !r.started {
		r.start()
	}
	if r.dec != nil {
		return r.dec.Read(p)
	}
	// 8-bit text, ASCII so far: pass it on up to the first high byte.
	if r.br.Buffered() == 0 {
		if _, err := r.br.Peek(1); err != nil {
			return 0, err
		}
	}
	buf, _ := r.br.Peek(min(len(p), r.br.Buffered()))
	i := 0
	for i < len(buf) && buf[i] < utf8.RuneSelf {
		i++
	}
	if i == 0 {
		r.choose8()
		return r.dec.Read(p)
	}
	n := copy(p, buf[:i])
	_, _ = r.br.Discard(n)
	return n, nil
}

// start reads the BOM or the first UTF-16 code units, as Decode's first
// segment does.
func (r *Reader) start() {
	r.started = true
	head, _ := r.br.Peek(16) // utf16Run looks at 8 code units
	s := segmentAt(head, 0)
	_, _ = r.br.Discard(s.start)
	switch s.kind {
	case segLE, segBE:
		order := unicode.LittleEndian
		r.enc = EncUTF16LE
		if s.bom {
			r.enc = EncUTF16LEBOM
		}
		if s.kind == segBE {
			order, r.enc = unicode.BigEndian, EncUTF16BE
			if s.bom {
				r.enc = EncUTF16BEBOM
			}
		}
		// Decode drops stray BOMs inside UTF-16 text too.
		dec := transform.Chain(unicode.UTF16(order, unicode.IgnoreBOM).NewDecoder(), dropBOMs{})
		r.dec = transform.NewReader(r.br, dec)
	case seg8:
		if s.bom {
			r.enc, r.dec = EncUTF8BOM, r.br
		}
	}
}

// choose8 settles the encoding of 8-bit text at its first high byte by the
// rule of Decode over the next readerWindow bytes.
func (r *Reader) choose8() {
	window, err := r.br.Peek(readerWindow)
	check := window
	if err == nil {
		check = trimPartialRune(window) // the window cuts the text
	}
	if utf8.Valid(check) {
		r.dec = r.br
		return
	}
	cm, enc := pickCodePage(window)
	r.enc, r.dec = enc, transform.NewReader(r.br, cm.NewDecoder())
}

// utf8BOM is U+FEFF in UTF-8.
var utf8BOM = []byte{0xef, 0xbb, 0xbf}

// dropBOMs removes U+FEFF from UTF-8 text.
type dropBOMs struct{ transform.NopResetter }

func (dropBOMs) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	for nSrc < len(src) {
		end := len(src)
		if i := bytes.IndexByte(src[nSrc:], utf8BOM[0]); i >= 0 {
			end = nSrc + i
		}
		n := copy(dst[nDst:], src[nSrc:end])
		nDst, nSrc = nDst+n, nSrc+n
		switch rest := src[nSrc:]; {
		case nSrc < end:
			return nDst, nSrc, transform.ErrShortDst
		case len(rest) == 0:
		case bytes.HasPrefix(rest, utf8BOM):
			nSrc += len(utf8BOM)
		case !atEOF && len(rest) < len(utf8BOM) && bytes.HasPrefix(utf8BOM, rest):
			return nDst, nSrc, transform.ErrShortSrc
		case nDst == len(dst):
			return nDst, nSrc, transform.ErrShortDst
		default:
			dst[nDst] = rest[0]
			nDst, nSrc = nDst+1, nSrc+1
		}
	}
	return nDst, nSrc, nil
}

// stickyReader returns the first error of r on every later read: the
// Reader peeks ahead, and bufio hands a peek's error over only once.
type stickyReader struct {
	r   io.Reader
	err error
}

func (s *stickyReader) Read(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	n, err := s.r.Read(p)
	s.err = err
	return n, err
}
