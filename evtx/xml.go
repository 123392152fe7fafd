package evtx

import (
	"bufio"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// maxXMLEvent bounds the text of one <Event> kept in memory. Real events are
// a few KiB; anything larger is skipped as malformed.
const maxXMLEvent = 8 << 20

// eventNamespace is the XML namespace of rendered events.
const eventNamespace = "schemas.microsoft.com/win/2004/08/events/event"

// SniffXML reports whether text, the decoded first lines of a file, holds
// rendered event XML (wevtutil qe /f:xml, Event Viewer's "Save as XML"). Event
// Viewer's "Copy details as text" also ends with the event's XML; callers
// that read that form as text (SniffText) ask it first.
func SniffXML(text string) bool {
	return strings.Contains(text, eventNamespace) && strings.Contains(text, "<Event")
}

// ErrXMLEvent marks an XML event that could not be used.
var ErrXMLEvent = errors.New("malformed event")

// WalkXML reads rendered event XML, as written by `wevtutil qe /f:xml`
// (a bare sequence of <Event> elements) or Event Viewer's "Save as XML"
// (<Events><Event>…</Events>), in UTF-8 or UTF-16 with or without BOM, and
// calls fn for each event in document order. Namespaces are ignored.
//
// Each <Event> is cut out of the stream and decoded on its own, so memory is
// bounded by the largest event and a malformed event costs only itself: it is
// listed in Stats.Skipped with its line. WalkXML returns an error only for a
// read error of r, cancellation of ctx, or an error from fn.
func WalkXML(ctx context.Context, r io.Reader, fn func(*Event) error) (Stats, error) {
	var st Stats
	sp := &xmlSplitter{r: bufio.NewReaderSize(transcode(r), 64<<10), line: 1}
	var b builder
	for n := 0; ; n++ {
		if n%64 == 0 {
			if err := ctx.Err(); err != nil {
				return st, err
			}
		}
		text, line, off, perr := sp.next()
		if perr != nil {
			if errors.Is(perr, io.EOF) {
				return st, nil
			}
			var bad *xmlSkip
			if errors.As(perr, &bad) {
				st.Skipped = append(st.Skipped, ChunkError{Offset: bad.off, Line: bad.line, Records: 1, Err: bad})
				continue
			}
			return st, perr
		}
		ev := &Event{Line: line}
		if err := decodeXMLEvent(&b, ev, text); err != nil {
			st.Skipped = append(st.Skipped, ChunkError{Offset: off, Line: line, Records: 1, Err: fmt.Errorf("%w: %v", ErrXMLEvent, err)})
			continue
		}
		st.Records++
		if err := fn(ev); err != nil {
			return st, err
		}
	}
}

// transcode turns UTF-16 (with BOM, or recognisable by its first "<") and
// UTF-8 with BOM into plain UTF-8.
func transcode(r io.Reader) io.Reader {
	br := bufio.NewReader(r)
	head, _ := br.Peek(2)
	if len(head) == 2 {
		switch {
		case head[0] == '<' && head[1] == 0:
			return transform.NewReader(br, unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewDecoder())
		case head[0] == 0 && head[1] == '<':
			return transform.NewReader(br, unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM).NewDecoder())
		}
	}
	return transform.NewReader(br, unicode.BOMOverride(unicode.UTF8.NewDecoder()))
}

// xmlSkip is an event the splitter could not delimit (cut off, or too big).
type xmlSkip struct {
	off  int64
	line int
	msg  string
}

func (e *xmlSkip) Error() string { return fmt.Sprintf("%v: %s", ErrXMLEvent, e.msg) }
func (e *xmlSkip) Unwrap() error { return ErrXMLEvent }

// xmlSplitter cuts the text of successive <Event> elements out of a stream,
// tracking line numbers as it goes.
type xmlSplitter struct {
	r     *bufio.Reader
	line  int   // line at the read position
	off   int64 // byte offset at the read position
	carry []byte
	// carryLine/carryOff locate carry, the start of an event found while the
	// previous one was still open.
	carryLine int
	carryOff  int64
	buf       []byte
}

var (
	eventOpen  = []byte("<Event")
	eventClose = []byte("</Event>")
)

// isEventStart reports whether b (starting with "<Event") opens an Event
// element rather than, say, Events.
func isEventStart(b []byte) bool {
	if len(b) < len(eventOpen)+1 || !bytes.HasPrefix(b, eventOpen) {
		return false
	}
	switch b[len(eventOpen)] {
	case ' ', '\t', '\r', '\n', '>', '/':
		return true
	}
	return false
}

// indexEventStart finds an Event start tag in b at or after from.
func indexEventStart(b []byte, from int) int {
	for from < len(b) {
		i := bytes.Index(b[from:], eventOpen)
		if i < 0 {
			return -1
		}
		if isEventStart(b[from+i:]) {
			return from + i
		}
		from += i + 1
	}
	return -1
}

func (s *xmlSplitter) next() (text []byte, line int, off int64, err error) {
	s.buf = s.buf[:0]
	if s.carry != nil {
		s.buf = append(s.buf, s.carry...)
		line, off = s.carryLine, s.carryOff
		s.carry = nil
	} else {
		line, off, err = s.seekStart()
		if err != nil {
			return nil, 0, 0, err
		}
		s.buf = append(s.buf, '<')
	}
	oversized := false
	for {
		// Pieces end at '>', so a close tag always ends a piece and a new
		// start tag is always inside one.
		piece, rerr := s.r.ReadSlice('>')
		if rerr != nil && !errors.Is(rerr, bufio.ErrBufferFull) {
			s.advance(piece)
			if errors.Is(rerr, io.EOF) {
				return nil, 0, 0, &xmlSkip{off: off, line: line, msg: "cut off by the end of the input"}
			}
			return nil, 0, 0, rerr
		}
		if i := indexEventStart(piece, 0); i >= 0 {
			// A new <Event> before this one closed: this one is broken.
			s.carry = append([]byte(nil), piece[i:]...)
			s.carryLine = s.line + bytes.Count(piece[:i], []byte{'\n'})
			s.carryOff = s.off + int64(i)
			s.advance(piece)
			return nil, 0, 0, &xmlSkip{off: off, line: line, msg: "not closed before the next <Event>"}
		}
		s.advance(piece)
		closed := bytes.HasSuffix(piece, eventClose)
		if oversized {
			if closed {
				return nil, 0, 0, &xmlSkip{off: off, line: line, msg: fmt.Sprintf("longer than %d bytes", maxXMLEvent)}
			}
			continue
		}
		s.buf = append(s.buf, piece...)
		if closed {
			return s.buf, line, off, nil
		}
		if len(s.buf) > maxXMLEvent {
			oversized = true
			s.buf = s.buf[:0]
		}
	}
}

func (s *xmlSplitter) advance(p []byte) {
	s.line += bytes.Count(p, []byte{'\n'})
	s.off += int64(len(p))
}

// seekStart consumes input up to and including the '<' of the next Event
// start tag and returns its line and offset.
func (s *xmlSplitter) seekStart() (int, int64, error) {
	for {
		piece, err := s.r.ReadSlice('<')
		s.advance(piece)
		if err != nil {
			if errors.Is(err, bufio.ErrBufferFull) {
				continue
			}
			return 0, 0, err
		}
		head, _ := s.r.Peek(len(eventOpen))
		probe := append(append(make([]byte, 0, 8), '<'), head...)
		if isEventStart(probe) {
			return s.line, s.off - 1, nil
		}
	}
}

// decodeXMLEvent parses the text of one <Event> into ev through the same
// builder the BinXML decoder feeds.
func decodeXMLEvent(b *builder, ev *Event, text []byte) error {
	b.reset(ev)
	dec := xml.NewDecoder(bytes.NewReader(text))
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			b.start(t.Name.Local)
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
					continue
				}
				b.attrStart(a.Name.Local)
				b.value(textValue(a.Value))
			}
			b.closeStart()
		case xml.EndElement:
			b.end()
		case xml.CharData:
			if b.depth > 0 {
				b.value(textValue(string(t)))
			}
		}
	}
	if b.depth != 0 {
		return errors.New("unbalanced elements")
	}
	return nil
}
