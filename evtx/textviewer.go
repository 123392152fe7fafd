package evtx

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/hvtriage/hvtriage/wintext"
)

// Event Viewer's "Copy details as text" puts one event on the clipboard as
//
//	Log Name:      Microsoft-Windows-Hyper-V-VMMS-Admin
//	Source:        Microsoft-Windows-Hyper-V-VMMS
//	Date:          12/5/2026 3:04:05 AM
//	Event ID:      19100
//	Task Category: None
//	Level:         Error
//	Keywords:
//	User:          SYSTEM
//	Computer:      HV01.contoso.test
//	Description:
//	<the rendered message, on as many lines as it has>
//	Event Xml:
//	<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">…
//
// with the labels in the language of the Windows it ran on and the date in
// that host's culture. Support cases get it pasted into mails, tickets and
// forum posts: several blocks in a row, indented or behind "> " quote
// markers, with the message's lines wrapped.

// detailField is one labelled field of a "Copy details as text" block.
type detailField uint8

const (
	detailUnknown detailField = iota
	detailLog
	detailSource
	detailDate
	detailID
	detailTask
	detailLevel
	detailKeywords
	detailUser
	detailComputer
	detailDescription
	// The Windows 2000/XP/2003 Event Viewer copied an event as "Event
	// Type:", "Event Source:", "Event Category:", "Event ID:", "Date:",
	// "Time:", "User:", "Computer:", "Description:": no log name, the type
	// first (the level), the time of day on a line of its own.
	detailClassicType
	detailTime
)

// detailProps maps fields to the Get-WinEvent property names the text
// emitter reads, so every text form ends in the same eventFromProps.
var detailProps = [...]string{
	detailLog:         "LogName",
	detailSource:      "ProviderName",
	detailDate:        "TimeCreated",
	detailID:          "Id",
	detailTask:        "TaskDisplayName",
	detailLevel:       "LevelDisplayName",
	detailKeywords:    "KeywordsDisplayNames",
	detailUser:        "UserName",
	detailComputer:    "MachineName",
	detailClassicType: "LevelDisplayName",
	detailTime:        "TimeCreated",
}

// detailLabelSets are the labels of "Copy details as text" per Windows
// display language, as found in real pasted events. Labels are compared
// after normLabel (lower case, ’ as ', no-break spaces as spaces). Event
// Viewer's "Save Selected Events" uses the same words as column titles
// (only "Date and Time" differs), so viewerHeader reads them too.
//
// A language's User or Computer label that no source showed is left out:
// the header accepts any "Label: value" line before Description, so an
// unknown label costs only that field.
var detailLabelSets = []struct {
	lang   string
	labels map[detailField][]string
}{
	// en: pasted blocks in Microsoft support articles (e.g. the TWinUI
	// event 5961 article in MicrosoftDocs/SupportArticles-docs) and on
	// GitHub; "Event Xml:" as Event Viewer prints it.
	{"en", map[detailField][]string{
		detailLog: {"log name"}, detailSource: {"source", "event source"}, detailDate: {"date"}, detailID: {"event id"},
		detailTask: {"task category", "event category"}, detailLevel: {"level"}, detailKeywords: {"keywords"},
		detailUser: {"user"}, detailComputer: {"computer"}, detailDescription: {"description"},
		detailClassicType: {"event type"}, detailTime: {"time"},
	}},
	// de: Azure VM troubleshooting article "troubleshoot-remote-desktop-services-issues"
	// (de-de, all ten labels), a SharePoint 2010 event pasted on a German
	// blog (Datum: 20.07.2010 00:00:01, Ebene: Fehler, Benutzer:
	// NETZWERKDIENST), and the de-de TWinUI 5960 support article.
	{"de", map[detailField][]string{
		detailLog: {"protokollname"}, detailSource: {"quelle"}, detailDate: {"datum"}, detailID: {"ereignis-id"},
		detailTask: {"aufgabenkategorie", "taskkategorie"}, detailLevel: {"ebene"}, detailKeywords: {"schlüsselwörter"},
		detailUser: {"benutzer"}, detailComputer: {"computer"}, detailDescription: {"beschreibung"},
	}},
	// fr: Event Viewer's General tab as reproduced in a French Event Viewer
	// simulation (Nom du journal, Source, ID de l’événement, Niveau,
	// Ordinateur) and the fr-fr Event Viewer help "Event properties" page
	// (Source, ID de l’événement, Niveau); Date, Catégorie de la tâche, Mots
	// clés, Utilisateur and Description are the same help's property names.
	{"fr", map[detailField][]string{
		detailLog: {"nom du journal"}, detailSource: {"source"}, detailDate: {"date"},
		detailID:   {"id de l'événement", "id de l'évènement", "id d'événement"},
		detailTask: {"catégorie de la tâche"}, detailLevel: {"niveau"}, detailKeywords: {"mots clés", "mots-clés"},
		detailUser: {"utilisateur"}, detailComputer: {"ordinateur"}, detailDescription: {"description"},
	}},
	// es: es-es TWinUI 5960 support article (Nombre del registro, Origen,
	// Fecha, Id. de evento, Categoría de tarea, Nivel, Palabras clave,
	// Descripción) and a second translation of it (Nombre de registro,
	// ID. de evento).
	{"es", map[detailField][]string{
		detailLog: {"nombre del registro", "nombre de registro"}, detailSource: {"origen"}, detailDate: {"fecha"},
		detailID: {"id. de evento", "id. del evento"}, detailTask: {"categoría de tarea", "categoría de la tarea"},
		detailLevel: {"nivel"}, detailKeywords: {"palabras clave"}, detailUser: {"usuario"}, detailComputer: {"equipo"},
		detailDescription: {"descripción"},
	}},
	// it: it-it TWinUI 5960 support article (Nome log, Origine, Data, ID
	// evento, Categoria attività, Livello: Errore, Parole chiave,
	// Descrizione), the it-it SQL Server error 17659 article (Nome
	// registro, Livello: Informazioni) and the it-it Storage Migration
	// Service article (Utente).
	{"it", map[detailField][]string{
		detailLog: {"nome log", "nome registro"}, detailSource: {"origine"}, detailDate: {"data"}, detailID: {"id evento"},
		detailTask: {"categoria attività"}, detailLevel: {"livello"}, detailKeywords: {"parole chiave"},
		detailUser: {"utente"}, detailComputer: {"computer"}, detailDescription: {"descrizione"},
	}},
	// pt-BR: pt-br TWinUI 5960 support article (Nome do log, Fonte, Data,
	// ID do evento, Categoria da tarefa, Nível: erro, Palavras-chave,
	// Descrição) and the pt-br AD FS certificate article (usuário,
	// computador).
	// pt-PT: the pt-pt Event Viewer help (Origem, ID do Evento, Nível);
	// "Utilizador" and "Nome do registo" are pt-PT's words for user and log.
	{"pt", map[detailField][]string{
		detailLog: {"nome do log", "nome do registo", "nome do registro"}, detailSource: {"fonte", "origem"},
		detailDate: {"data"}, detailID: {"id do evento", "identificação do evento"}, detailTask: {"categoria da tarefa"},
		detailLevel: {"nível"}, detailKeywords: {"palavras-chave"}, detailUser: {"usuário", "utilizador"},
		detailComputer: {"computador"}, detailDescription: {"descrição"},
	}},
	// ja: events pasted in jpabrs-scem/blog (Azure Backup, VSS 8229), a
	// GitHub issue with a TaskScheduler 201 event and its "イベント XML:"
	// section (日付: 2025/06/02 14:20:21), and a blog post pasting Defrag
	// 259 (ログの名前 … 説明).
	{"ja", map[detailField][]string{
		detailLog: {"ログの名前"}, detailSource: {"ソース"}, detailDate: {"日付"}, detailID: {"イベント id"},
		detailTask: {"タスクのカテゴリ"}, detailLevel: {"レベル"}, detailKeywords: {"キーワード"},
		detailUser: {"ユーザー"}, detailComputer: {"コンピューター"}, detailDescription: {"説明"},
	}},
	// zh-CN: Security 4688 and Sysmon 1 events pasted in a Chinese ATT&CK
	// detection notebook on GitHub (日志名称, 来源, 日期: 2022/12/26 16:54:49,
	// 事件 ID, 任务类别, 级别: 信息, 关键字, 用户, 计算机, 描述).
	{"zh-CN", map[detailField][]string{
		detailLog: {"日志名称"}, detailSource: {"来源"}, detailDate: {"日期"}, detailID: {"事件 id"},
		detailTask: {"任务类别"}, detailLevel: {"级别"}, detailKeywords: {"关键字"},
		detailUser: {"用户"}, detailComputer: {"计算机"}, detailDescription: {"描述"},
	}},
}

// detailLabels indexes detailLabelSets by normalized label. Labels shared
// by languages ("source", "data", "computer") map to the same field.
var detailLabels = indexDetailLabels()

func indexDetailLabels() map[string]detailField {
	m := map[string]detailField{}
	for _, set := range detailLabelSets {
		for f, labels := range set.labels {
			for _, l := range labels {
				m[normLabel(l)] = f
			}
		}
	}
	return m
}

// normLabel folds the ways one label gets written: case, typographic
// apostrophes, the no-break spaces French puts before a colon, runs of
// spaces.
func normLabel(s string) string {
	s = labelFolds.Replace(s)
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// labelFolds is built once: a Replacer builds its tables on first use,
// and normLabel runs on every line with a colon that is sniffed.
var labelFolds = strings.NewReplacer("’", "'", "\u00a0", " ", "\u202f", " ", "\t", " ")

// detailLine splits "Label: value" (also "Label : value" and the
// full-width colon of CJK text). ok is false for a line that is no label
// line at all; f is detailUnknown for a label no language has.
func detailLine(s string) (f detailField, value string, ok bool) {
	i := strings.IndexAny(s, ":：")
	if i <= 0 {
		return detailUnknown, "", false
	}
	label := normLabel(s[:i])
	if label == "" || utf8.RuneCountInString(label) > 32 || strings.Count(label, " ") > 4 {
		return detailUnknown, "", false
	}
	_, w := utf8.DecodeRuneInString(s[i:])
	value = strings.Trim(s[i+w:], " \t\u00a0\u202f")
	return detailLabels[label], value, true
}

// quotePrefix is the indentation and forum quote markers a pasted line
// starts with.
func quotePrefix(l string) string {
	i := 0
	for i < len(l) && (l[i] == ' ' || l[i] == '\t' || l[i] == '>') {
		i++
	}
	return l[:i]
}

// unquote removes a block's own prefix from one of its lines, keeping the
// indentation the message has under it. A line with less (an empty quoted
// line is a bare ">") loses what it has.
func unquote(l, prefix string) string {
	if strings.HasPrefix(l, prefix) {
		return l[len(prefix):]
	}
	return l[len(quotePrefix(l)):]
}

// eventXMLStart tells the first line of the "Event Xml:" section.
func eventXMLStart(s string) bool {
	s = strings.TrimSpace(s)
	return strings.HasPrefix(s, "<Event ") && strings.Contains(s, eventNamespace)
}

func sniffDetails(lines []string) bool {
	var log, id, desc bool
	for _, l := range lines {
		f, _, ok := detailLine(l[len(quotePrefix(l)):])
		if !ok {
			continue
		}
		switch f {
		case detailLog, detailClassicType:
			log = true
		case detailID:
			id = true
		case detailDescription:
			desc = true
		}
		if log && id && desc {
			return true
		}
	}
	return false
}

// detailBlock is one event being read.
type detailBlock struct {
	te     *textEvent
	prefix string
	state  int // detailHeader, detailMessage, detailXML
	last   detailField
	msg    []string
	xml    strings.Builder
	size   int
}

const (
	detailHeader = iota
	detailMessage
	detailXML
)

// walkDetails reads "Copy details as text" blocks. A block starts at its
// Log Name line; header lines run to Description, the message to the next
// block, the end, or the event's XML.
func walkDetails(br *bufio.Reader, em *textEmitter) error {
	lr := &lineReader{r: br}
	var cur *detailBlock
	finish := func(atEOF bool) error {
		if cur == nil {
			return nil
		}
		te := cur.event(atEOF)
		cur = nil
		return em.add(te)
	}
	for {
		l, _, err := lr.nextText(em)
		if errors.Is(err, io.EOF) {
			return finish(true)
		}
		if err != nil {
			return err
		}
		prefix := quotePrefix(l)
		f, value, isLabel := detailLine(l[len(prefix):])
		if isLabel && (f == detailLog || f == detailClassicType) {
			if err := finish(false); err != nil {
				return err
			}
			cur = &detailBlock{te: &textEvent{line: lr.line, props: map[string]string{}}, prefix: prefix}
		}
		if cur == nil || cur.overflows(l, em) {
			continue // prose around the pasted events, or the rest of a long one
		}
		if cur.state == detailMessage && cur.afterBlank() && pasteBreak(strings.TrimSpace(l[len(prefix):])) {
			// A prompt or a separator after the message: the paste goes on
			// with something else (a command and its output, a mail's next
			// part), which is not the event's.
			if err := finish(false); err != nil {
				return err
			}
			continue
		}
		if strings.TrimSpace(l[len(prefix):]) != "" {
			cur.te.end = lr.line
		}
		switch cur.state {
		case detailHeader:
			cur.headerLine(strings.TrimSpace(l[len(prefix):]), f, value, isLabel)
		case detailMessage:
			cur.messageLine(unquote(l, cur.prefix))
		case detailXML:
			cur.xml.WriteString(unquote(l, cur.prefix))
			cur.xml.WriteByte('\n')
		}
	}
}

// pasteBreakRe is a line that starts something other than an event's
// message in a paste: a PowerShell or cmd prompt, or a separator line.
var pasteBreakRe = regexp.MustCompile(`^(?:PS [^>]{0,260}>|[A-Za-z]:\\[^>]{0,260}>|[-=_*~#]{4,}|-{2,} .{1,80} -{2,}$)`)

// pasteBreak reports whether a line (trimmed, unquoted) after a blank line
// ends a "Copy details as text" message.
func pasteBreak(l string) bool { return pasteBreakRe.MatchString(l) }

// afterBlank reports whether the message read so far ends with a blank
// line.
func (b *detailBlock) afterBlank() bool {
	return len(b.msg) > 0 && strings.TrimSpace(b.msg[len(b.msg)-1]) == ""
}

// overflows adds line l to the block's size and reports whether the block
// has grown past maxTextEvent; the first line that does is listed in
// Stats.Skipped.
func (b *detailBlock) overflows(l string, em *textEmitter) bool {
	b.size += len(l)
	if b.size <= maxTextEvent {
		return false
	}
	if b.size-len(l) <= maxTextEvent {
		em.skip(b.te.line, 0, fmt.Errorf("%w: event text longer than %d bytes; the rest is dropped", ErrTextEvent, maxTextEvent))
	}
	return true
}

// headerLine reads a line before Description: a label line (f, value), or
// the wrapped rest of the previous label's value. text is the line without
// its quote prefix, trimmed.
func (b *detailBlock) headerLine(text string, f detailField, value string, isLabel bool) {
	switch {
	case isLabel && f == detailDescription:
		b.state = detailMessage
		if value != "" {
			b.msg = append(b.msg, value)
		}
	case isLabel:
		b.set(f, value)
	case text != "" && b.last != detailUnknown:
		// A header value the paste wrapped.
		k := detailProps[b.last]
		b.te.props[k] = strings.TrimSpace(b.te.props[k] + " " + text)
	}
}

// messageLine reads a line after Description (s, unquoted): a message
// line, or the first line of the event's XML.
func (b *detailBlock) messageLine(s string) {
	if !eventXMLStart(s) {
		b.msg = append(b.msg, strings.TrimRight(s, " \t"))
		return
	}
	// Drop the section's own label ("Event Xml:", "イベント XML:").
	if n := len(b.msg); n > 0 {
		if last := strings.TrimSpace(b.msg[n-1]); strings.HasSuffix(last, ":") && strings.Contains(strings.ToLower(last), "xml") {
			b.msg = b.msg[:n-1]
		}
	}
	b.state = detailXML
	b.xml.WriteString(strings.TrimSpace(s))
	b.xml.WriteByte('\n')
}

// event completes the block's event. A block the input ends before its
// Description was cut off.
func (b *detailBlock) event(atEOF bool) *textEvent {
	// Trailing blank lines belong to the paste, not the message.
	for len(b.msg) > 0 && strings.TrimSpace(b.msg[len(b.msg)-1]) == "" {
		b.msg = b.msg[:len(b.msg)-1]
	}
	for len(b.msg) > 0 && strings.TrimSpace(b.msg[0]) == "" {
		b.msg = b.msg[1:]
	}
	b.te.props["Message"] = strings.Join(b.msg, "\n")
	b.te.xml = b.xml.String()
	b.te.cut = atEOF && b.state == detailHeader
	return b.te
}

// set records one header field.
func (b *detailBlock) set(f detailField, value string) {
	b.last = f
	switch f {
	case detailUnknown, detailDescription:
		return
	case detailUser:
		if strings.HasPrefix(value, "S-1-") {
			b.te.props["UserId"] = value
		}
	case detailDate:
		// Some cultures' dates carry direction marks.
		value = strings.NewReplacer("\u200e", "", "\u200f", "").Replace(value)
		if t := b.te.props["TimeCreated"]; t != "" && !strings.ContainsAny(t, "./-") {
			value += " " + t // the classic form's Time came first
		}
	case detailTime:
		if d := b.te.props["TimeCreated"]; d != "" {
			value = d + " " + value
		}
	}
	b.te.props[detailProps[f]] = value
}

// viewerColumns says which column of a saved-events table holds which
// field; -1 is a field the table lacks.
type viewerColumns struct{ level, date, source, id, task, message int }

// tableTitles are column titles of event tables that other tools and
// scripts write (Export-Csv of a selection, a monitoring tool's export, an
// ad-hoc "Date/Time;Source;EventID;Level;Message" sheet), beside the
// Event Viewer labels of detailLabelSets.
var tableTitles = map[string]detailField{
	"date and time": detailDate, "date/time": detailDate, "datetime": detailDate, "time": detailDate,
	"timecreated": detailDate, "timegenerated": detailDate, "timewritten": detailDate, "timestamp": detailDate,
	"providername": detailSource, "provider": detailSource, "source name": detailSource,
	"eventid": detailID, "id": detailID, "instanceid": detailID, "event id": detailID, "event_id": detailID,
	"leveldisplayname": detailLevel, "entrytype": detailLevel, "type": detailLevel, "severity": detailLevel,
	"message": detailDescription, "description": detailDescription,
}

// viewerHeader recognizes the header row of an event table saved as CSV,
// tab-delimited or semicolon-delimited text: Event Viewer's "Save
// Selected Events" (Level, Date and Time, Source, Event ID, Task Category,
// then an untitled column with the message; a German export reads
// "Ebene,Datum und Uhrzeit,Quelle,Ereignis-ID,Aufgabenkategorie"), and
// the same fields in any order under the titles of tableTitles. A table
// needs a date, a source and an event ID, and a level or a message.
func viewerHeader(l string) (delim byte, cols viewerColumns, ok bool) {
	l = strings.TrimPrefix(l, "\ufeff")
	for _, d := range []byte{',', '\t', ';'} {
		titles := strings.Split(l, string(d))
		if len(titles) < 4 {
			continue
		}
		cols = viewerColumns{-1, -1, -1, -1, -1, -1}
		for i, t := range titles {
			t = normLabel(strings.Trim(strings.TrimSpace(t), `"`))
			f, known := tableTitles[t]
			if !known {
				f = detailLabels[t]
			}
			if f == detailUnknown && strings.Contains(t, " ") {
				// Event Viewer's own date title ("Date and Time", "Datum und
				// Uhrzeit") is in no label set: it sits in the second column.
				if i == 1 {
					f = detailDate
				}
			}
			switch f {
			case detailLevel:
				cols.level = first(cols.level, i)
			case detailDate:
				cols.date = first(cols.date, i)
			case detailSource:
				cols.source = first(cols.source, i)
			case detailID:
				cols.id = first(cols.id, i)
			case detailTask:
				cols.task = first(cols.task, i)
			case detailDescription:
				cols.message = first(cols.message, i)
			}
		}
		if cols.message < 0 && cols.level == 0 && cols.task == 4 {
			cols.message = 5 // Event Viewer's untitled message column
		}
		if cols.date >= 0 && cols.source >= 0 && cols.id >= 0 && (cols.level >= 0 || cols.message >= 0) {
			return d, cols, true
		}
	}
	return 0, viewerColumns{}, false
}

// first keeps the first column a field was found in.
func first(have, i int) int {
	if have >= 0 {
		return have
	}
	return i
}

// viewerHeaderLines bounds where a saved table's header may start: people
// write a line or two about the export above it (which node, which
// filter, what happened).
const viewerHeaderLines = 30

func sniffViewerTable(lines []string) bool {
	for i, l := range lines {
		if i >= viewerHeaderLines {
			break
		}
		if _, _, ok := viewerHeader(l); ok {
			return true
		}
	}
	return false
}

// walkViewerTable reads "Save Selected Events" CSV or text: after the
// header, one row per event, the message quoted when it holds the
// delimiter, a quote or line breaks.
func walkViewerTable(br *bufio.Reader, em *textEmitter) error {
	var delim byte = ','
	head, _ := br.Peek(sniffTextSize)
	for _, l := range wintext.HeadLines(string(head)) {
		if d, _, ok := viewerHeader(l); ok {
			delim = d
			break
		}
	}
	cr := &csvReader{r: br, line: 1, delim: delim}
	var cols viewerColumns
	header := false
	for {
		fields, line, err := cr.next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		var cut *csvCut
		switch {
		case errors.As(err, &cut):
			if header {
				em.skip(line, 1, fmt.Errorf("%w: %s", ErrTextTruncated, cut.msg))
			}
			return nil
		case err != nil:
			return err
		}
		if !header {
			// Lines above the header are the sender's words about the
			// export (which node, which filter), not damaged events: they
			// are left to the other readers.
			if _, c, ok := viewerHeader(strings.Join(fields, string(delim))); ok {
				header, cols = true, c
			}
			continue
		}
		need := max(cols.date, cols.source, cols.id) + 1
		if len(fields) < need {
			em.skip(line, 0, fmt.Errorf("%w: %d fields, an event here has at least %d", ErrTextEvent, len(fields), need))
			continue
		}
		field := func(i int) string {
			if i < 0 || i >= len(fields) {
				return ""
			}
			return strings.ToValidUTF8(strings.ReplaceAll(fields[i], "\r\n", "\n"), "\uFFFD")
		}
		te := &textEvent{line: line, end: cr.end, props: map[string]string{
			"LevelDisplayName": field(cols.level),
			"TimeCreated":      field(cols.date),
			"ProviderName":     field(cols.source),
			"Id":               field(cols.id),
			"TaskDisplayName":  field(cols.task),
		}}
		if m := cols.message; m >= 0 && m < len(fields) {
			msg := field(m)
			if m == max(cols.level, cols.date, cols.source, cols.id, cols.task, cols.message) {
				// The message is the last column: an unquoted message that
				// held the delimiter was split.
				msg = strings.ToValidUTF8(strings.ReplaceAll(strings.Join(fields[m:], string(delim)), "\r\n", "\n"), "\uFFFD")
			}
			te.props["Message"] = msg
		}
		if err := em.add(te); err != nil {
			return err
		}
	}
}
