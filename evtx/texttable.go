package evtx

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The default views of Get-WinEvent and Get-EventLog are tables cut at the
// console width (Out-File and ">" keep the cut, "..." or "…" at the end):
//
//	   ProviderName: Microsoft-Windows-Hyper-V-VMMS
//
//	TimeCreated                     Id LevelDisplayName Message
//	-----------                     -- ---------------- -------
//	12/5/2026 3:04:05 AM         19100 Error            'APP01' background disk merge failed to comp...
//
//	   Index Time          EntryType   Source                 InstanceID Message
//	   ----- ----          ---------   ------                 ---------- -------
//	   48213 Dec 05 03:04  Error       Microsoft-Windows-...  3221553302 The description for ...
//
// Column titles are .NET property names and are never translated; values
// (LevelDisplayName, Get-EventLog's month names) are. A table restarts
// under each "ProviderName:" group header of Get-WinEvent.

// tableColumn is one column of a Format-Table header, located by its
// underline: start and end are rune positions of the dashes.
type tableColumn struct {
	name       string
	start, end int
}

// tableUnderline reads the columns of a header line and its underline of
// dashes; ok is false unless every dash run sits under its title.
func tableUnderline(header, dashes string) (cols []tableColumn, ok bool) {
	if strings.TrimSpace(dashes) == "" || strings.Trim(dashes, "- ") != "" {
		return nil, false
	}
	hr, dr := []rune(header), []rune(dashes)
	for i := 0; i < len(dr); {
		if dr[i] != '-' {
			i++
			continue
		}
		j := i
		for j < len(dr) && dr[j] == '-' {
			j++
		}
		if j > len(hr) {
			return nil, false
		}
		name := string(hr[i:j])
		if strings.TrimSpace(name) != name || name == "" {
			return nil, false
		}
		cols = append(cols, tableColumn{name: name, start: i, end: j})
		i = j
	}
	return cols, len(cols) > 0
}

// tableIndex returns the column with the given title, or -1.
func tableIndex(cols []tableColumn, name string) int {
	for i, c := range cols {
		if c.name == name {
			return i
		}
	}
	return -1
}

// psTable describes one of the two table views.
type psTable struct {
	want  []string // titles the header must have
	parse func(t *tableState, r []rune, line int) (*textEvent, error)
}

var (
	winEventTable = psTable{want: []string{"TimeCreated", "Id", "Message"}, parse: winEventRow}
	eventLogTable = psTable{want: []string{"Index", "EntryType", "Source", "InstanceID", "Message"}, parse: eventLogRow}
)

func (p psTable) accepts(cols []tableColumn) bool {
	for _, w := range p.want {
		if tableIndex(cols, w) < 0 {
			return false
		}
	}
	return true
}

func (p psTable) sniff(lines []string) bool {
	for i := 0; i+1 < len(lines); i++ {
		if cols, ok := tableUnderline(lines[i], lines[i+1]); ok && p.accepts(cols) {
			return true
		}
	}
	return false
}

func sniffWinEventTable(lines []string) bool { return winEventTable.sniff(lines) }
func sniffEventLogTable(lines []string) bool { return eventLogTable.sniff(lines) }

func walkWinEventTable(br *bufio.Reader, em *textEmitter) error {
	return walkTable(br, em, winEventTable)
}

func walkEventLogTable(br *bufio.Reader, em *textEmitter) error {
	return walkTable(br, em, eventLogTable)
}

// tableState is what a row is read against.
type tableState struct {
	cols     []tableColumn
	provider string // from the group header, Get-WinEvent only
}

func (t *tableState) col(name string) (tableColumn, bool) {
	if i := tableIndex(t.cols, name); i >= 0 {
		return t.cols[i], true
	}
	return tableColumn{}, false
}

// walkTable reads a table view line by line, one line behind so that a
// header is known by the underline that follows it. Rows are held until
// the next line shows they are complete: with -Wrap, or when a message has
// line breaks, it continues on lines blank up to the Message column.
func walkTable(br *bufio.Reader, em *textEmitter, p psTable) error {
	lr := &lineReader{r: br}
	var (
		t       tableState
		cur     *textEvent
		pending string
		pendN   int // line number of pending, 0 if none
	)
	flush := func() error {
		if cur == nil {
			return nil
		}
		te := cur
		cur = nil
		te.props["Message"] = trimEllipsis(strings.TrimRight(te.props["Message"], " \t\n"))
		return em.add(te)
	}
	handle := func(l string, n int) error {
		trimmed := strings.TrimSpace(l)
		switch {
		case trimmed == "":
			return flush()
		case strings.HasPrefix(trimmed, "ProviderName:"):
			if err := flush(); err != nil {
				return err
			}
			t = tableState{provider: strings.TrimSpace(strings.TrimPrefix(trimmed, "ProviderName:"))}
			return nil
		case t.cols == nil:
			return nil // prompt lines and other text around the table
		}
		r := []rune(l)
		if msg, ok := t.col("Message"); ok && cur != nil && len(r) > msg.start && strings.TrimSpace(string(r[:msg.start])) == "" {
			cur.props["Message"] += "\n" + strings.TrimSpace(string(r[msg.start:]))
			cur.end = n
			return nil
		}
		if err := flush(); err != nil {
			return err
		}
		te, err := p.parse(&t, r, n)
		if err != nil {
			em.skip(n, 0, err)
			return nil
		}
		te.end = n
		cur = te
		return nil
	}
	for {
		l, _, err := lr.nextText(em)
		if errors.Is(err, io.EOF) {
			if pendN > 0 {
				if err := handle(pending, pendN); err != nil {
					return err
				}
			}
			return flush()
		}
		if err != nil {
			return err
		}
		if pendN > 0 {
			if cols, ok := tableUnderline(pending, l); ok && p.accepts(cols) {
				if err := flush(); err != nil {
					return err
				}
				t.cols = cols
				pendN = 0
				continue
			}
			if err := handle(pending, pendN); err != nil {
				return err
			}
		}
		pending, pendN = l, lr.line
	}
}

// trimEllipsis drops the mark Format-Table leaves where it cut a value.
func trimEllipsis(s string) string {
	s = strings.TrimSuffix(s, "...")
	return strings.TrimRight(strings.TrimSuffix(s, "…"), " ")
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// field returns the trimmed runes [from, to) of a row, clamped.
func field(r []rune, from, to int) string {
	from, to = max(0, min(from, len(r))), max(0, min(to, len(r)))
	if from >= to {
		return ""
	}
	return strings.TrimSpace(string(r[from:to]))
}

// winEventRow reads "TimeCreated Id LevelDisplayName Message". Id is right
// aligned after a time of two or three words, so it is the first number
// after them. LevelDisplayName is one word in every language but may be
// double-width (エラー), which shifts the Message column by as many cells:
// the message is what follows the level word.
func winEventRow(t *tableState, r []rune, line int) (*textEvent, error) {
	msg, _ := t.col("Message")
	lvl, hasLevel := t.col("LevelDisplayName")
	end := msg.start
	if hasLevel {
		end = lvl.start
	}
	// An Id wider than its column (a paste aligned by hand) runs into the
	// next one: that column starts after the number.
	for end > 0 && end < len(r) && isDigitRune(r[end-1]) && isDigitRune(r[end]) {
		end++
	}
	msgStart := max(msg.start, end)
	words := strings.Fields(field(r, 0, end))
	provider, nTime := t.provider, -1
	if pc, ok := t.col("ProviderName"); ok && pc.start > 0 && pc.start < end {
		// ft TimeCreated,ProviderName,Id,Message: the provider sits
		// between the time and the id, under its title.
		nTime = rowTimeWords(r, words, pc.start)
	}
	id := -1
	for i := max(nTime, 1); i < len(words); i++ {
		if isDigits(words[i]) {
			id = i
			break
		}
	}
	if id < 0 {
		return nil, fmt.Errorf("%w: no time and event id before column %d", ErrTextEvent, end)
	}
	if nTime > 0 {
		provider = strings.Join(words[nTime:id], " ")
	} else {
		nTime = id
	}
	te := &textEvent{line: line, props: map[string]string{
		"ProviderName": provider,
		"TimeCreated":  strings.Join(words[:nTime], " "),
		"Id":           words[id],
	}}
	rest := r[min(end, len(r)):]
	if hasLevel && strings.TrimSpace(string(r[min(lvl.start, len(r)):min(msg.start, len(r))])) != "" {
		s := strings.TrimLeft(string(rest), " ")
		level, after, _ := strings.Cut(s, " ")
		te.props["LevelDisplayName"] = level
		te.props["Message"] = strings.TrimSpace(after)
	} else {
		te.props["Message"] = field(r, msgStart, len(r))
	}
	return te, nil
}

func isDigitRune(c rune) bool { return c >= '0' && c <= '9' }

// rowTimeWords is how many of a row's first words are its time when a
// ProviderName column starts at col: the words before that column when the
// time ends before it, or else (a time wider than its column) the words up
// to the first one that is neither a number, a date nor an AM/PM mark.
func rowTimeWords(r []rune, words []string, col int) int {
	if col < len(r) && r[col-1] == ' ' && r[col] != ' ' {
		if n := len(strings.Fields(string(r[:col]))); n >= 2 {
			return n
		}
	}
	for i := 1; i < len(words); i++ {
		w := strings.ToUpper(strings.Trim(words[i], "."))
		if w == "AM" || w == "PM" || w == "A.M" || w == "P.M" || w == "午前" || w == "午後" || w == "上午" || w == "下午" {
			continue
		}
		if strings.IndexFunc(w, func(c rune) bool { return c >= '0' && c <= '9' }) == 0 {
			continue
		}
		return i
	}
	return -1
}

// eventLogRow reads "Index Time EntryType Source InstanceID Message".
// InstanceID is the full event identifier: the event ID is its low 16
// bits, the qualifiers the high ones. The time ("Dec 05 03:04") has no
// year and is not read. Source may hold spaces and is cut like the
// message when long.
func eventLogRow(t *tableState, r []rune, line int) (*textEvent, error) {
	entry, _ := t.col("EntryType")
	src, _ := t.col("Source")
	inst, _ := t.col("InstanceID")
	msg, _ := t.col("Message")
	before := strings.TrimRight(string(r[:min(inst.end, len(r))]), " ")
	k := strings.LastIndexByte(before, ' ')
	instText := before[k+1:]
	n, err := strconv.ParseUint(instText, 10, 64)
	if err != nil || n > 1<<32-1 || utf8.RuneCountInString(before[:k+1]) < src.start {
		return nil, fmt.Errorf("%w: no InstanceID under its column", ErrTextEvent)
	}
	source := trimEllipsis(strings.TrimSpace(string([]rune(before[:k+1])[min(src.start, utf8.RuneCountInString(before[:k+1])):])))
	te := &textEvent{line: line, props: map[string]string{
		"ProviderName":     source,
		"LevelDisplayName": field(r, entry.start, src.start),
		"Id":               strconv.FormatUint(n&0xffff, 10),
		"Message":          field(r, msg.start, len(r)),
	}}
	if n>>16 != 0 {
		te.props["Qualifiers"] = strconv.FormatUint(n>>16, 10)
	}
	return te, nil
}
