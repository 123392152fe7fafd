package evtx

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/hvtriage/hvtriage/wintext"
)

// Text exports are what a customer sends when they ran
//
//	Get-WinEvent … | Format-List [*]  > events.txt
//	Get-WinEvent … | Export-Csv events.csv
//
// instead of copying the .evtx. They hold the rendered Message, which EVTX
// files never do, but no payload fields: Event.Data and UserData stay empty.

// Errors recorded in Stats.Skipped for text input.
var (
	// ErrTextEvent marks a block or row that is not a usable event.
	ErrTextEvent = errors.New("malformed event text")
	// ErrTextTruncated marks an event cut off by the end of the input.
	ErrTextTruncated = errors.New("event cut off by the end of the input")
	// ErrTextTime marks a TimeCreated value that could not be read; the event
	// is delivered with a zero Time.
	ErrTextTime = errors.New("unreadable TimeCreated")
)

const (
	// maxTextLine bounds one physical line of Format-List output.
	maxTextLine = 1 << 20
	// maxTextEvent bounds the text of one event (a Message can be long,
	// but not megabytes).
	maxTextEvent = 8 << 20
	// maxPendingTimes is how many events wait for a file's dates to reveal
	// the day/month order before a default is taken.
	maxPendingTimes = 2048
	sniffTextSize   = 16 << 10
)

// SniffText reports whether head, the first bytes of a file in any of the
// encodings Windows writes (see wintext.Decode), looks like one of the text
// forms of events WalkText reads (see textFormats). It is cheap: it decodes
// and looks at no more than the first 16 KiB.
func SniffText(head []byte) bool {
	text, _, _ := wintext.DecodeHead(head, sniffTextSize)
	return SniffDecoded(text)
}

// SniffDecoded is SniffText for a head already decoded (wintext.DecodeHead),
// so that a caller trying several readers decodes it once.
func SniffDecoded(text string) bool {
	if len(text) > 4*sniffTextSize {
		text = text[:4*sniffTextSize]
	}
	return sniffTextFormat(text) != nil
}

func isCSVHeader(l string) bool {
	for _, sep := range []string{",", ";"} {
		cols := strings.Split(l, sep)
		seen := 0
		for _, c := range cols {
			switch strings.Trim(strings.TrimSpace(c), `"`) {
			case "Id", "ProviderName", "TimeCreated":
				seen++
			}
		}
		if seen == 3 {
			return true
		}
	}
	return false
}

// WalkText reads a text export of events and calls fn for each event in
// input order, with Line set to the event's first line and Message filled.
// The forms it reads are listed in textFormats: Format-List and Export-Csv
// output of Get-WinEvent, Event Viewer's "Copy details as text" (in the
// languages of detailLabels) and "Save Selected Events" as CSV or
// tab-delimited text, and the default table views of Get-WinEvent and
// Get-EventLog, in any encoding wintext.Reader reads (UTF-16, UTF-8, and
// the OEM or ANSI code page).
//
// Times are printed in the exporting host's culture and time zone without
// saying which: Event.Time holds the printed wall-clock time in the UTC
// location, Event.LocalTime and Stats.LocalTimes are set. Day/month order is
// taken from the file's own dates where one proves it (a number above 12);
// otherwise a 24-hour d/d/yyyy date is read day-first and
// Stats.DateOrderGuessed is set. An event that carries its own XML (an
// "Event Xml:" section) takes its time, in UTC, and payload from it.
//
// Blocks or rows that are not events are listed in Stats.Skipped with their
// line. WalkText returns an error wrapping ErrFormat when the input is
// none of the forms, and otherwise only for read errors, ctx, or fn's error.
func WalkText(ctx context.Context, r io.Reader, fn func(*Event) error) (Stats, error) {
	var st Stats
	br := bufio.NewReaderSize(wintext.NewReader(r), 64<<10)
	head, _ := br.Peek(sniffTextSize)
	format := sniffTextFormat(string(head))
	if format == nil {
		return st, &FormatError{Off: 0, Msg: "not a text export of events (Get-WinEvent, Get-EventLog or Event Viewer)"}
	}
	st.LocalTimes = true
	em := &textEmitter{ctx: ctx, st: &st, fn: fn}
	if err := format.walk(br, em); err != nil {
		return st, err
	}
	return st, em.flush()
}

// textEvent is one event's properties as printed.
type textEvent struct {
	line  int
	end   int // last line read into the event (0: line)
	props map[string]string
	// cut: the input ended inside this event.
	cut bool
	// xml is the event's own XML when the text carries it (Event Viewer's
	// "Copy details as text" ends with an "Event Xml:" section).
	xml string
}

// textEmitter turns property sets into Events and delivers them in order,
// holding them back while the day/month order of the file's dates is open.
type textEmitter struct {
	// provider and channel are what the Get-WinEvent command printed
	// above the events names, for views that leave them out.
	provider, channel string
	ctx               context.Context
	st                *Stats
	fn                func(*Event) error
	order             wintext.DateOrder
	decided           bool
	pending           []pendingText
	n                 int
	xb                builder
}

type pendingText struct {
	ev   *Event
	time string
}

func (em *textEmitter) skip(line, records int, err error) {
	em.st.Skipped = append(em.st.Skipped, ChunkError{Line: line, Records: records, Err: err})
}

func (em *textEmitter) add(te *textEvent) error {
	em.n++
	if em.n%64 == 0 {
		if err := em.ctx.Err(); err != nil {
			return err
		}
	}
	em.defaults(te)
	ev, err := eventFromProps(te)
	if err != nil {
		em.skip(te.line, 1, err)
		return nil
	}
	if te.cut {
		em.skip(te.line, 0, fmt.Errorf("%w: delivered with what was there", ErrTextTruncated))
	}
	raw := strings.TrimSpace(te.props["TimeCreated"])
	if te.xml != "" {
		if x := em.fromXML(te, ev); x != nil {
			ev = x
			if !x.Time.IsZero() {
				raw = "" // the XML's SystemTime is UTC: nothing to read
			}
		}
	}
	if !em.decided {
		if o := wintext.InferDateOrder(raw); o != wintext.OrderUnknown {
			em.order, em.decided = o, true
		}
	}
	em.pending = append(em.pending, pendingText{ev, raw})
	if em.decided || len(em.pending) >= maxPendingTimes {
		return em.flush()
	}
	return nil
}

// fromXML decodes the XML a text event carries and completes it with what
// only the text has (the rendered message, the printed time). It returns
// nil, and notes it, when the XML is not a readable event.
func (em *textEmitter) fromXML(te *textEvent, text *Event) *Event {
	x := &Event{}
	err := decodeXMLEvent(&em.xb, x, []byte(te.xml))
	if err == nil && x.Provider == "" && x.EventID == 0 {
		err = errors.New("no System element")
	}
	if err != nil {
		em.skip(te.line, 0, fmt.Errorf("%w: its event XML is unreadable (%v); the text fields are used", ErrTextEvent, err))
		return nil
	}
	x.Line, x.EndLine = te.line, text.EndLine
	// The locator of a pasted event is its line, as for every text form.
	x.RecordID = 0
	if x.Message == "" {
		x.Message = text.Message
	}
	if x.Time.IsZero() {
		x.Time = text.Time
	}
	return x
}

// flush delivers the pending events. Without a proven order, times that
// need one are read day-first: every culture that prints d/d/yyyy with a
// 24-hour clock and no year first (en-GB, fr, es, it, pt-BR, …) puts the day
// first, and en-US prints AM/PM, which ParseTimestamp reads month-first.
func (em *textEmitter) flush() error {
	if len(em.pending) == 0 {
		return nil
	}
	order := em.order
	if !em.decided {
		order = wintext.DayFirst
	}
	for _, p := range em.pending {
		if p.time != "" {
			ts, _ := wintext.ParseTimestamp(p.time, wintext.OrderUnknown)
			if ts.Ambiguous {
				ts, _ = wintext.ParseTimestamp(p.time, order)
				if !em.decided {
					em.st.DateOrderGuessed = true
				}
			}
			if ts.Time.IsZero() {
				em.skip(p.ev.Line, 0, fmt.Errorf("%w %q", ErrTextTime, p.time))
			} else {
				p.ev.Time, p.ev.LocalTime = ts.Time.UTC(), true
			}
		}
		em.st.Records++
		if err := em.fn(p.ev); err != nil {
			em.pending = em.pending[:0]
			return err
		}
	}
	em.pending = em.pending[:0]
	return nil
}

// levelNames maps LevelDisplayName, in the languages support meets most,
// for exports that carry only the display name (Format-List's default view
// has neither; "fl *" and Export-Csv have both).
//
// Sources of the localized names: the Event Viewer help of Windows in each
// language, "Event properties" page (forsenergy.com/<lang>/eventviewer/html/
// 386a877a-220a-4a7f-9238-7bacdee90279.htm: de-de Kritisch/Fehler/Warnung/
// Informationen, fr-fr Critique/Erreur/Avertissement/Informations, pt-pt
// Crítico/Erro/Aviso/Informação); pasted events and Microsoft support
// articles quoting Event Viewer (see detailLabelSets) for it-IT Errore,
// Informazioni, pt-BR erro, ja-JP エラー/警告/情報, zh-CN 信息, and a German
// "Save Selected Events" CSV (see viewerHeader) for Informationen. The
// remaining ones (es Advertencia, Información, Crítico; it Avviso, Critico;
// pt-BR Informações; zh-CN 错误, 警告, 关键) follow the same Windows
// terminology and could not be checked against a paste.
var levelNames = map[string]uint8{
	"critical": 1, "error": 2, "warning": 3, "information": 4, "verbose": 5,
	"kritisch": 1, "fehler": 2, "warnung": 3, "informationen": 4, "ausführlich": 5,
	"critique": 1, "erreur": 2, "avertissement": 3, "informations": 4, "commentaires": 5,
	"crítico": 1, "advertencia": 3, "información": 4, "detallado": 5,
	"critico": 1, "errore": 2, "avviso": 3, "informazioni": 4, "dettagliato": 5,
	"erro": 2, "aviso": 3, "informações": 4, "informação": 4, "detalhado": 5,
	"重大": 1, "エラー": 2, "警告": 3, "情報": 4, "詳細": 5,
	"关键": 1, "错误": 2, "信息": 4, "详细": 5,
}

func eventFromProps(te *textEvent) (*Event, error) {
	p := te.props
	get := func(k string) string { return strings.TrimSpace(p[k]) }
	idText := get("Id")
	id, err := strconv.ParseUint(idText, 10, 16)
	if err != nil {
		if te.cut {
			return nil, fmt.Errorf("%w: no event id before the end", ErrTextTruncated)
		}
		return nil, fmt.Errorf("%w: event id %q", ErrTextEvent, idText)
	}
	ev := &Event{
		Line:     te.line,
		EndLine:  max(te.end, te.line),
		EventID:  uint16(id),
		Provider: get("ProviderName"),
		Channel:  get("LogName"),
		Computer: get("MachineName"),
		UserSID:  get("UserId"),
		Message:  strings.TrimRight(p["Message"], " \t\r\n"),
	}
	if g := get("ProviderId"); g != "" {
		ev.ProviderGUID = "{" + strings.Trim(g, "{}") + "}"
	}
	if n, err := strconv.ParseUint(get("RecordId"), 10, 64); err == nil {
		ev.RecordID = n
	}
	if n, err := strconv.ParseUint(get("Qualifiers"), 10, 16); err == nil {
		ev.Qualifiers, ev.HasQualifiers = uint16(n), true
	}
	if n, err := strconv.ParseUint(get("Version"), 10, 8); err == nil {
		ev.Version = uint8(n)
	}
	if n, err := strconv.ParseUint(get("Level"), 10, 8); err == nil {
		ev.Level = uint8(n)
	} else if n, ok := levelNames[strings.ToLower(get("LevelDisplayName"))]; ok {
		ev.Level = n
	}
	if n, err := strconv.ParseUint(get("Task"), 10, 16); err == nil {
		ev.Task = uint16(n)
	}
	if n, err := strconv.ParseUint(get("Opcode"), 10, 8); err == nil {
		ev.Opcode = uint8(n)
	}
	// Keywords is an Int64 in .NET: the usual 0x8000… prints negative.
	if k := get("Keywords"); k != "" {
		if n, err := strconv.ParseInt(k, 10, 64); err == nil {
			ev.Keywords = uint64(n)
		} else if n, ok := parseUint(k); ok {
			ev.Keywords = n
		}
	}
	return ev, nil
}

// listProperty splits a Format-List line "Name   : value". Names are .NET
// property names: a letter, then letters and digits.
func listProperty(l string) (key, value string, ok bool) {
	i := strings.IndexByte(l, ':')
	if i < 2 {
		return "", "", false
	}
	key = strings.TrimRight(l[:i], " ")
	if key == "" || len(key) > 64 || !isASCIILetter(key[0]) || key[len(key)-1] == ' ' {
		return "", "", false
	}
	for j := 0; j < len(key); j++ {
		if !isASCIILetter(key[j]) && (key[j] < '0' || key[j] > '9') {
			return "", "", false
		}
	}
	value = l[i+1:]
	value = strings.TrimPrefix(value, " ")
	return key, value, true
}

func isASCIILetter(c byte) bool { return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' }

// lineReader reads lines with their numbers, bounded in length.
type lineReader struct {
	r    *bufio.Reader
	line int
	buf  []byte
}

// next returns the next line without its end of line. long is set when the
// line was longer than maxTextLine (the rest is dropped). eof is set with
// the last line when the input did not end with a newline.
func (lr *lineReader) next() (s string, long, noEOL bool, err error) {
	lr.buf = lr.buf[:0]
	for {
		piece, err := lr.r.ReadSlice('\n')
		if len(lr.buf)+len(piece) <= maxTextLine {
			lr.buf = append(lr.buf, piece...)
		} else {
			long = true
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return "", false, false, err
		}
		if len(lr.buf) == 0 && errors.Is(err, io.EOF) {
			return "", false, false, io.EOF
		}
		lr.line++
		b := lr.buf
		noEOL = errors.Is(err, io.EOF)
		b = bytes.TrimSuffix(b, []byte("\n"))
		b = bytes.TrimSuffix(b, []byte("\r"))
		return string(b), long, noEOL, nil
	}
}

// nextText returns the next line that can be kept, as valid UTF-8: a line
// longer than maxTextLine is listed in Stats.Skipped and passed over.
func (lr *lineReader) nextText(em *textEmitter) (l string, noEOL bool, err error) {
	for {
		l, long, noEOL, err := lr.next()
		if err != nil {
			return "", false, err
		}
		if long {
			em.skip(lr.line, 0, fmt.Errorf("%w: line longer than %d bytes", ErrTextEvent, maxTextLine))
			continue
		}
		if !utf8.ValidString(l) {
			l = strings.ToValidUTF8(l, "\uFFFD")
		}
		// A UTF-8 export opened as ANSI on its way shows "Ã¤" for "ä":
		// localized messages match their codes only once mended.
		l = wintext.FixMojibake(l)
		em.command(l)
		return l, noEOL, nil
	}
}

// walkList parses Format-List output: blocks of "Name : value" lines
// separated by blank lines, values continued on indented lines.
func walkList(br *bufio.Reader, em *textEmitter) error {
	lw := &listWalk{lr: &lineReader{r: br}, em: em}
	for {
		l, noEOL, err := lw.lr.nextText(em)
		if errors.Is(err, io.EOF) {
			return lw.finish(true, false)
		}
		if err != nil {
			return err
		}
		if strings.TrimSpace(l) == "" {
			lw.blanks++
			continue
		}
		if l[0] == ' ' || l[0] == '\t' {
			lw.continuation(l)
		} else if err := lw.property(l); err != nil {
			return err
		}
		lw.blanks = 0
		if noEOL {
			return lw.finish(true, true)
		}
	}
}

// listWalk is the state of a Format-List walk.
type listWalk struct {
	lr       *lineReader
	em       *textEmitter
	cur      *textEvent      // block being read, nil between blocks
	lastKey  string          // property an indented line continues
	valueCol int             // column where lastKey's value starts
	size     int             // bytes of the block so far
	blanks   int             // blank lines since the last non-blank one
	first    map[string]bool // properties of the first complete block
}

// property starts a property, and a new block when the property repeats
// one of the current block or follows a blank line.
func (lw *listWalk) property(l string) error {
	key, value, ok := listProperty(l)
	if !ok {
		lw.em.skip(lw.lr.line, 0, fmt.Errorf("%w: line is not \"Name : value\"", ErrTextEvent))
		// Format-List prints every line of a block as a property or, indented,
		// as the rest of a value: a line in the first column that is neither
		// is text around the events (a prompt, prose, another command's
		// output), and what follows it is not the block's.
		return lw.finish(false, false)
	}
	if lw.cur != nil {
		if _, dup := lw.cur.props[key]; dup || lw.blanks > 0 {
			if err := lw.finish(false, false); err != nil {
				return err
			}
		}
	}
	if lw.cur == nil {
		lw.cur = &textEvent{line: lw.lr.line, props: map[string]string{}}
	}
	lw.cur.props[key] = strings.TrimRight(value, " ")
	lw.cur.end = lw.lr.line
	lw.lastKey = key
	lw.valueCol = len(l) - len(value)
	lw.size += len(l)
	return nil
}

// continuation adds an indented line to the value of the last property,
// with the blank lines before it, while the block stays within
// maxTextEvent.
func (lw *listWalk) continuation(l string) {
	switch {
	case lw.cur != nil && lw.lastKey != "" && lw.size+len(l) <= maxTextEvent:
		// Keep the value's own indentation: drop only the padding up to
		// the value column.
		pad := 0
		for pad < len(l) && pad < lw.valueCol && l[pad] == ' ' {
			pad++
		}
		lw.cur.props[lw.lastKey] += strings.Repeat("\n", lw.blanks) + "\n" + strings.TrimRight(l[pad:], " \t")
		lw.cur.end = lw.lr.line
		lw.size += len(l)
	case lw.cur == nil && strings.HasPrefix(strings.TrimSpace(l), "ProviderName:"):
		// Group header some views print before a run of events.
	case lw.cur == nil:
		lw.em.skip(lw.lr.line, 0, fmt.Errorf("%w: indented text outside an event", ErrTextEvent))
	}
}

// finish hands the current block on. At the end of the input the block
// may be cut: Format-List prints the same properties for every event, so
// one missing properties the first block had was cut off; without a first
// block to compare, a missing final newline tells.
func (lw *listWalk) finish(atEOF, noEOL bool) error {
	te := lw.cur
	if te == nil {
		return nil
	}
	lw.cur, lw.lastKey, lw.size = nil, "", 0
	switch {
	case atEOF && lw.first != nil:
		te.cut = lacksAny(te.props, lw.first)
	case atEOF:
		te.cut = noEOL
	}
	if lw.first == nil && !te.cut {
		lw.first = map[string]bool{}
		for k := range te.props {
			lw.first[k] = true
		}
	}
	return lw.em.add(te)
}

// lacksAny reports whether props lacks one of the keys.
func lacksAny(props map[string]string, keys map[string]bool) bool {
	for k := range keys {
		if _, ok := props[k]; !ok {
			return true
		}
	}
	return false
}

// walkCSV parses Export-Csv output: an optional "#TYPE …" line, a header
// row, then one row per event, fields quoted (always in Windows PowerShell)
// and possibly spanning lines. The delimiter is "," or, with -UseCulture on
// many European hosts, ";".
func walkCSV(br *bufio.Reader, em *textEmitter) error {
	cr := &csvReader{r: br, line: 1}
	var header []string
	for {
		fields, line, err := cr.next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		var cut *csvCut
		switch {
		case errors.As(err, &cut):
			if header != nil {
				em.skip(line, 1, fmt.Errorf("%w: %s", ErrTextTruncated, cut.msg))
			}
			return nil
		case err != nil:
			return err
		}
		if header == nil {
			if len(fields) == 1 && strings.HasPrefix(fields[0], "#") {
				continue // #TYPE line
			}
			if !isCSVHeader(strings.Join(fields, ",")) {
				em.skip(line, 0, fmt.Errorf("%w: not the Export-Csv header", ErrTextEvent))
				continue
			}
			header = fields
			continue
		}
		if len(fields) != len(header) {
			em.skip(line, 0, fmt.Errorf("%w: %d fields, the header has %d", ErrTextEvent, len(fields), len(header)))
			continue
		}
		te := &textEvent{line: line, end: cr.end, props: make(map[string]string, len(header))}
		for i, h := range header {
			te.props[h] = strings.ToValidUTF8(strings.ReplaceAll(fields[i], "\r\n", "\n"), "\uFFFD")
		}
		if err := em.add(te); err != nil {
			return err
		}
	}
}

// csvCut reports a row the input ended in the middle of.
type csvCut struct{ msg string }

func (e *csvCut) Error() string { return e.msg }

// csvReader reads CSV rows with the line each starts on. Unlike
// encoding/csv it bounds a row's size (an unbalanced quote must not pull the
// rest of a large file into one field) and learns the delimiter from the
// header row.
type csvReader struct {
	r     *bufio.Reader
	line  int
	delim byte
	field []byte
	end   int // last line of the row next returned
}

func (c *csvReader) next() (fields []string, line int, err error) {
	// Skip empty lines between rows.
	for {
		b, err := c.r.Peek(1)
		if err != nil {
			return nil, c.line, io.EOF
		}
		if b[0] != '\n' && b[0] != '\r' {
			break
		}
		c.r.ReadByte()
		if b[0] == '\n' {
			c.line++
		}
	}
	line = c.line
	if c.delim == 0 {
		c.delim = ','
		if head, _ := c.r.Peek(4096); bytes.Count(head, []byte(`";"`)) > bytes.Count(head, []byte(`","`)) {
			c.delim = ';'
		}
	}
	size := 0
	inQuotes, quoted := false, false
	c.field = c.field[:0]
	for {
		ch, err := c.r.ReadByte()
		if err != nil {
			if inQuotes {
				return nil, line, &csvCut{msg: fmt.Sprintf("quoted field opened on or after line %d never closed", line)}
			}
			fields = append(fields, string(c.field))
			c.end = c.line
			return fields, line, nil
		}
		size++
		if size > maxTextEvent {
			return nil, line, &csvCut{msg: fmt.Sprintf("row longer than %d bytes", maxTextEvent)}
		}
		switch {
		case inQuotes && ch == '"':
			if nb, _ := c.r.Peek(1); len(nb) == 1 && nb[0] == '"' {
				c.r.ReadByte()
				c.field = append(c.field, '"')
			} else {
				inQuotes = false
			}
		case inQuotes:
			if ch == '\n' {
				c.line++
			}
			c.field = append(c.field, ch)
		case ch == '"' && len(c.field) == 0 && !quoted:
			inQuotes, quoted = true, true
		case ch == c.delim:
			fields = append(fields, string(c.field))
			c.field = c.field[:0]
			quoted = false
		case ch == '\r':
		case ch == '\n':
			c.end = c.line
			c.line++
			fields = append(fields, string(c.field))
			return fields, line, nil
		default:
			c.field = append(c.field, ch)
		}
	}
}

var (
	// winEventCmdRe is a Get-WinEvent command line, as pasted with its
	// prompt above its output.
	winEventCmdRe = regexp.MustCompile(`(?i)\bGet-WinEvent\b`)
	// providerArgRe and logArgRe read one literal provider or log name,
	// from a parameter or a FilterHashtable; wildcards and lists name no
	// single one.
	providerArgRe = regexp.MustCompile(`(?i)(?:-ProviderName\s+|\bProviderName\s*=\s*)['"]?([A-Za-z][\w.-]*(?:/[\w.-]+)?)['"]?(?:[\s;})]|$)`)
	logArgRe      = regexp.MustCompile(`(?i)(?:-LogName\s+|\bLogName\s*=\s*)(?:'([A-Za-z][\w. -]*(?:/[\w.-]+)?)'|"([A-Za-z][\w. -]*(?:/[\w.-]+)?)"|([A-Za-z][\w.-]*(?:/[\w.-]+)?))(?:[\s;})]|$)`)
	// channelProviderRe is a channel named after its provider, the way
	// Windows names the Hyper-V, VHDMP and other component logs
	// ("Microsoft-Windows-Hyper-V-VMMS-Admin", "…-VHDMP-Operational").
	channelProviderRe = regexp.MustCompile(`^(Microsoft-Windows-[\w.-]+?(?: [\w.-]+)*)[-/](?:Admin|Operational|Analytic|Debug|Diagnostic)$`)
)

// isWinEventCmd is winEventCmdRe.MatchString, run only on a line that
// holds "get-winevent" in any ASCII case: every match does (none of its
// letters folds to a non-ASCII one), and sniffing runs it on every line of
// a text's head.
func isWinEventCmd(l string) bool {
	return hasFoldASCII(l, "get-winevent") && winEventCmdRe.MatchString(l)
}

// hasFoldASCII reports whether s contains sub, a lower-case ASCII string,
// with the ASCII letters of s in either case.
func hasFoldASCII(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		j := 0
		for ; j < len(sub); j++ {
			c := s[i+j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != sub[j] {
				break
			}
		}
		if j == len(sub) {
			return true
		}
	}
	return false
}

// command notes the provider or log a Get-WinEvent command line names.
// Views that select properties (Format-List TimeCreated,Id,Message, a
// table without the ProviderName group header) leave them out of the
// events, and rules need them.
func (em *textEmitter) command(l string) {
	if !isWinEventCmd(l) {
		return
	}
	em.provider, em.channel = "", ""
	if m := providerArgRe.FindStringSubmatch(l); m != nil {
		em.provider = m[1]
	}
	if m := logArgRe.FindStringSubmatch(l); m != nil {
		// A quoted name may hold spaces ("Microsoft-Windows-Windows
		// Defender/Operational").
		em.channel = m[1] + m[2] + m[3]
		if p := channelProviderRe.FindStringSubmatch(em.channel); p != nil && em.provider == "" {
			em.provider = p[1]
		}
	}
}

// defaults fills an event's provider and log from the command line when
// the view printed neither.
func (em *textEmitter) defaults(te *textEvent) {
	if strings.TrimSpace(te.props["ProviderName"]) == "" && em.provider != "" {
		te.props["ProviderName"] = em.provider
	}
	if strings.TrimSpace(te.props["LogName"]) == "" && em.channel != "" {
		te.props["LogName"] = em.channel
	}
}
