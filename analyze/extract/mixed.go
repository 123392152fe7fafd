package extract

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/hvtriage/hvtriage/cmdout"
	"github.com/hvtriage/hvtriage/evidence"
	"github.com/hvtriage/hvtriage/evtx"
)

// Files that people paste together mix forms: a mail with an Event Viewer
// copy in the middle and a dir listing at the end, a Get-WinEvent
// Format-List export followed by icacls output, a backup product's job log
// and a Get-VMSnapshot table. Classification gives such a file one kind,
// and that kind's reader reads its part; ReadMixed then offers the lines it
// did not read to the other text readers, in the precedence of the
// recognizers: events as text, command outputs, backup products' log lines,
// and free-text mentions last. Each reader takes the lines it reads, so a
// line gives evidence once, and every item keeps the line of the whole
// file. The file's kind stays the first reader's.

// mixedKinds are the kinds whose files are text a person may have mixed;
// XML and CliXML are documents of their own.
func mixedKind(kind string) bool {
	switch kind {
	case KindEVTXText, KindBackupLog, KindFreeText:
		return true
	case KindEVTX, KindEVTXXML, KindVHDX, KindVHD, KindZip, KindLocaleMetadata, KindUnknown, string(cmdout.KindCliXML):
		return false
	}
	return cmdoutKinds()[kind]
}

// cmdoutKinds is the set of cmdout's kinds, built once (cmdout.AllKinds
// copies its list on every call, and every file asks).
var cmdoutKinds = sync.OnceValue(func() map[string]bool {
	m := map[string]bool{}
	for _, k := range cmdout.AllKinds() {
		m[string(k)] = true
	}
	return m
})

// maxMixedSegments bounds the runs of unread lines the structured readers
// look at in one file: a large output leaves a few; thousands mean text no
// structured reader is going to claim.
const maxMixedSegments = 1000

// mixedRead is what the other readers got out of the rest of one file.
type mixedRead struct {
	in    Input
	lines []string
	used  []bool // by line number: the line was read by some reader
	// evLines holds the lines that already gave evidence, so that no
	// reader adds a second item for a line another one read.
	evLines map[int64]bool
	counts  []string // what each reader added, for the note
	dropped int      // items the readers dropped over their cap
}

// ReadMixed offers the lines of a text file that its reader did not read
// to the other readers and adds what they found to ext. Call it after the
// file's own extractor succeeded; it drops the text ext held for it.
func ReadMixed(ctx context.Context, in Input, ext *Extraction) {
	defer ext.DropText()
	if ext.Ignored || !mixedKind(in.Kind) {
		return
	}
	text := ext.text
	if text == "" {
		raw, cut, err := readText(in, MaxTextFile)
		if err != nil {
			return
		}
		text, _, _ = decodeText(in, raw, cut, MaxTextFile)
	}
	// Notes, tickets and pasted events are where a bundle says it is about
	// another hypervisor's guest; command outputs are read as they are
	// (and scanning every one of them costs the many-small-files case).
	if proseKind(in.Kind) && cmdout.NamesOtherHypervisor(text) && !containsString(ext.Coverage, evidence.CoverOtherHypervisor) {
		ext.Coverage = append(ext.Coverage, evidence.CoverOtherHypervisor)
	}
	r := &mixedRead{in: in, lines: cmdout.Lines(text), evLines: map[int64]bool{}}
	r.used = make([]bool, len(r.lines)+2)
	for _, s := range ext.covered {
		r.take(s.First, s.Last)
	}
	primaryFree := in.Kind == KindFreeText
	for _, e := range ext.Evidence {
		if e.At.Unit == evidence.UnitLine && !primaryFree {
			r.take(int(e.At.Value), int(e.At.Value))
			r.evLines[e.At.Value] = true
		}
	}
	// Events as text first, again while a pass finds more: one pass reads
	// one form, and a paste may hold two (a Format-List export and an
	// Event Viewer copy).
	for range 3 {
		if ctx.Err() != nil || !r.events(ctx, ext) {
			break
		}
	}
	if ctx.Err() == nil {
		r.inlineEvents(ctx, ext)
	}
	if ctx.Err() == nil && !isOutputKind(in.Kind) {
		r.outputs(ext) // an output's own reader parsed every section already
	}
	if ctx.Err() == nil && in.Kind != KindBackupLog {
		r.backupLog(ext)
	}
	if primaryFree {
		// Free text read first, as the file's own reader; what a structured
		// reader has since read is that reader's.
		kept := ext.Evidence[:0]
		for _, e := range ext.Evidence {
			if e.At.Unit == evidence.UnitLine && e.Attrs[evidence.AttrSourceKind] == KindFreeText && r.used[e.At.Value] {
				ext.Records--
				continue
			}
			kept = append(kept, e)
		}
		ext.Evidence = kept
	} else if ctx.Err() == nil {
		r.freeText(ext)
	}
	if len(r.counts) > 0 {
		ext.Notes = append(ext.Notes, "also read in this file: "+strings.Join(r.counts, ", "))
	}
	if r.dropped > 0 {
		ext.Notes = append(ext.Notes, fmt.Sprintf("%d more items in the rest of the file not kept as evidence (at most %d per reader)", r.dropped, MaxTextEvidence))
	}
}

// proseKind says the kind is a person's text or a paste of events: free
// text, events as text, a backup product's log.
func proseKind(kind string) bool {
	return kind == KindFreeText || kind == KindEVTXText || kind == KindBackupLog
}

// isOutputKind says the kind is a command output's (cmdout.Parse read the
// whole file already).
func isOutputKind(kind string) bool {
	return kind != string(cmdout.KindUnknown) && cmdoutKinds()[kind]
}

// take marks lines first..last as read.
func (r *mixedRead) take(first, last int) {
	for l := max(first, 1); l <= last && l < len(r.used); l++ {
		r.used[l] = true
	}
}

// segments returns the runs of unread lines that hold some text.
func (r *mixedRead) segments() []cmdout.Span {
	var out []cmdout.Span
	for l := 1; l <= len(r.lines); {
		if r.used[l] {
			l++
			continue
		}
		first, text := l, false
		for ; l <= len(r.lines) && !r.used[l]; l++ {
			text = text || strings.TrimSpace(r.lines[l-1]) != ""
		}
		if text {
			out = append(out, cmdout.Span{First: first, Last: l - 1})
			if len(out) == maxMixedSegments {
				break
			}
		}
	}
	return out
}

// segmentText is the text of a run of lines.
func (r *mixedRead) segmentText(s cmdout.Span) string {
	return strings.Join(r.lines[s.First-1:s.Last], "\n") + "\n"
}

// unread says whether a line no reader took holds some text: when none
// does, the readers that read the rest have nothing to read.
func (r *mixedRead) unread() bool {
	for i, l := range r.lines {
		if !r.used[i+1] && strings.TrimSpace(l) != "" {
			return true
		}
	}
	return false
}

// rest is the text with every read line blanked, line numbers kept.
func (r *mixedRead) rest() string {
	var b strings.Builder
	for i, l := range r.lines {
		if !r.used[i+1] {
			b.WriteString(l)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// merge adds one reader's evidence, shifted by off lines, leaving out any
// item on a line that already gave evidence.
func (r *mixedRead) merge(ext *Extraction, part Extraction, off int) int {
	r.dropped += part.dropped
	index := make([]int, len(part.Evidence))
	added := 0
	seen := map[int64]bool{}
	for i, e := range part.Evidence {
		index[i] = -1
		if e.At.Unit == evidence.UnitLine {
			e.At.Value += int64(off)
			if r.evLines[e.At.Value] {
				continue
			}
			seen[e.At.Value] = true
		}
		index[i] = len(ext.Evidence)
		ext.Evidence = append(ext.Evidence, e)
		added++
	}
	for l := range seen {
		r.evLines[l] = true
	}
	for _, id := range part.Idents {
		if j := index[id.Item]; j >= 0 {
			id.Item = j
			ext.Idents = append(ext.Idents, id)
		}
	}
	ext.Activity = append(ext.Activity, part.Activity...)
	for _, k := range part.Coverage {
		if !containsString(ext.Coverage, k) {
			ext.Coverage = append(ext.Coverage, k)
		}
	}
	if added > 0 {
		ext.Records += added
	}
	return added
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// events reads events as text in the unread runs of lines; it reports
// whether it read any.
func (r *mixedRead) events(ctx context.Context, ext *Extraction) bool {
	found := 0
	for _, s := range r.segments() {
		seg := r.segmentText(s)
		if !evtx.SniffText([]byte(seg)) {
			continue
		}
		off := s.First - 1
		c := newEventCollector(r.in)
		n := 0
		stats, err := evtx.WalkText(ctx, strings.NewReader(seg), func(ev *evtx.Event) error {
			ev.Line += off
			ev.EndLine = max(ev.EndLine+off, ev.Line)
			r.take(ev.Line, ev.EndLine)
			n++
			return c.addText(ev)
		})
		if errors.Is(err, errUnusedChannel) || n == 0 {
			continue
		}
		if err != nil && ctx.Err() != nil {
			return false
		}
		part := c.finish(stats)
		r.merge(ext, part, 0)
		found += n
	}
	if found > 0 {
		r.counts = append(r.counts, fmt.Sprintf("%d event(s) as text", found))
	}
	return found > 0
}

// inlineEvents reads Event Viewer copies whose line breaks were lost, one
// block on one unread line (evtx.SplitDetailsLine). The line is not taken:
// the prose and outputs glued before the block stay for the free-text
// scan, and the event's evidence keeps the line.
func (r *mixedRead) inlineEvents(ctx context.Context, ext *Extraction) {
	found := 0
	for l := 1; l <= len(r.lines); l++ {
		if r.used[l] || r.evLines[int64(l)] && r.in.Kind != KindFreeText {
			continue
		}
		block, ok := evtx.SplitDetailsLine(r.lines[l-1])
		if !ok {
			continue
		}
		c := newEventCollector(r.in)
		n := 0
		stats, err := evtx.WalkText(ctx, strings.NewReader(strings.Join(block, "\n")+"\n"), func(ev *evtx.Event) error {
			ev.Line, ev.EndLine = l, l
			n++
			return c.addText(ev)
		})
		if errors.Is(err, errUnusedChannel) || n == 0 || err != nil && ctx.Err() != nil {
			continue
		}
		found += r.merge(ext, c.finish(stats), 0)
	}
	if found > 0 {
		r.counts = append(r.counts, fmt.Sprintf("%d event(s) from a line that lost its line breaks", found))
	}
}

// outputs reads command-output sections in the unread runs of lines.
func (r *mixedRead) outputs(ext *Extraction) {
	var kinds []string
	for _, s := range r.segments() {
		doc, _ := cmdout.Parse(r.segmentText(s))
		if len(doc.Covered) == 0 {
			continue
		}
		off := s.First - 1
		for _, c := range doc.Covered {
			r.take(c.First+off, c.Last+off)
		}
		part := textExtraction(r.in, doc, nil, Extraction{})
		if r.merge(ext, part, off) > 0 {
			for _, k := range doc.Kinds {
				if !containsString(kinds, string(k)) {
					kinds = append(kinds, string(k))
				}
			}
		}
	}
	if len(kinds) > 0 {
		r.counts = append(r.counts, "command output ("+strings.Join(kinds, ", ")+")")
	}
}

// backupLog reads a backup product's log lines among the unread ones,
// when the rest of the file is recognizably that product's.
func (r *mixedRead) backupLog(ext *Extraction) {
	if !r.unread() {
		return
	}
	rest := r.rest()
	if cmdout.SniffBackupLog(rest) == nil {
		return
	}
	log := cmdout.ParseBackupLog(rest)
	if len(log.Entries) == 0 {
		return
	}
	for _, s := range log.Covered {
		r.take(s.First, s.Last)
	}
	m := textMapper{src: r.in.Path}
	product := m.backupEntries(log)
	part := Extraction{Evidence: m.out, Coverage: []string{"file:" + KindBackupLog, "product:" + product}, dropped: m.dropped + log.Dropped}
	name := "backup product"
	if log.Product != nil {
		name = log.Product.Name
	}
	if n := r.merge(ext, part, 0); n > 0 {
		r.counts = append(r.counts, fmt.Sprintf("%d %s log entr%s", n, name, plural(n, "y", "ies")))
	}
}

// freeText reads the mentions in the lines no reader took; they stay weak.
func (r *mixedRead) freeText(ext *Extraction) {
	if !r.unread() {
		return
	}
	found := cmdout.ScanFreeText(cmdout.NormalizeFreeText(r.rest()))
	if len(found) == 0 {
		return
	}
	m := textMapper{src: r.in.Path}
	m.mentions(found)
	part := Extraction{Evidence: m.out, Coverage: []string{"file:" + KindFreeText}, dropped: m.dropped}
	if n := r.merge(ext, part, 0); n > 0 {
		r.counts = append(r.counts, fmt.Sprintf("%d free-text mention%s", n, plural(n, "", "s")))
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// DropText lets go of the text a reader left for ReadMixed, when ReadMixed
// is not called (the extractor failed).
func (x *Extraction) DropText() { x.text, x.covered = "", nil }
