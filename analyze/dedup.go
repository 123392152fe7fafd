package analyze

import (
	"cmp"
	"crypto/sha256"
	"fmt"
	"slices"
	"strconv"
	"sync"

	"github.com/hvtriage/hvtriage/analyze/extract"
	"github.com/hvtriage/hvtriage/evidence"
)

// mergeDuplicateEvents keeps each event once when a bundle holds the same
// log twice (two collectors, a copy in a subfolder, an EVTX beside its XML
// export): counted twice, every event would look twice as frequent and
// findings would escalate. Files are taken in a fixed order, binary logs
// before exports and then by path, so the result does not depend on which
// file was read first; an event already held by an earlier file is taken
// out of the later one, whose inventory entry notes the copy.
func mergeDuplicateEvents(outcomes []fileOutcome) {
	order := make([]int, 0, len(outcomes))
	for i, o := range outcomes {
		if len(o.extraction.Idents) > 0 {
			order = append(order, i)
		}
	}
	if len(order) < 2 {
		return
	}
	slices.SortFunc(order, func(a, b int) int {
		ra, rb := outcomes[a].record, outcomes[b].record
		return cmp.Or(cmp.Compare(kindRank(ra.Kind), kindRank(rb.Kind)), cmp.Compare(ra.Path, rb.Path))
	})
	owner := map[extract.EventIdentity]int{} // identity -> index in outcomes of the file that keeps it
	for _, i := range order {
		o := &outcomes[i]
		also := map[int]int{} // earlier file -> events of this file it already holds
		drop := map[int]bool{}
		for _, r := range o.extraction.Idents {
			first, seen := owner[r.ID]
			if !seen {
				owner[r.ID] = i
				continue
			}
			if first == i {
				continue // the same record twice in one file: the reader delivers it once
			}
			also[first]++
			ev := &o.extraction.Evidence[r.Item]
			if r.Folded {
				n, _ := strconv.Atoi(ev.Attrs[evidence.AttrMore])
				setMore(ev, n-1)
			} else {
				drop[r.Item] = true
			}
		}
		if len(also) == 0 {
			continue
		}
		// A whole copy (every event the rules read is already held, and the
		// file is no longer than the one holding them) would also double
		// the activity chart: its counts are left out with its events.
		copyOf, whole := wholeCopyOf(o, also, outcomes)
		if whole {
			o.extraction.Activity = nil
		}
		kept := o.extraction.Evidence[:0]
		for j, ev := range o.extraction.Evidence {
			more, _ := strconv.Atoi(ev.Attrs[evidence.AttrMore])
			if drop[j] && more <= 0 {
				continue
			}
			if drop[j] {
				// The item itself is a copy but it carries events of this
				// file alone: keep it as their representative.
				setMore(&ev, more-1)
			}
			kept = append(kept, ev)
		}
		o.extraction.Evidence = kept
		firsts := make([]int, 0, len(also))
		for f := range also {
			firsts = append(firsts, f)
		}
		slices.SortFunc(firsts, func(a, b int) int { return cmp.Compare(outcomes[a].record.Path, outcomes[b].record.Path) })
		for _, f := range firsts {
			note := fmt.Sprintf("%d events also in %s (of those rules read); each was counted once", also[f], outcomes[f].record.Path)
			if whole && f == copyOf {
				note += ", and this copy is left out of the timeline"
			}
			o.record.Notes = append(o.record.Notes, note)
		}
	}
}

// wholeCopyOf reports whether every event of o the rules read is held by
// one earlier file that has at least as many records, and which.
func wholeCopyOf(o *fileOutcome, also map[int]int, outcomes []fileOutcome) (int, bool) {
	if len(also) != 1 {
		return 0, false
	}
	for f, n := range also {
		return f, n == len(o.extraction.Idents) && o.record.Records <= outcomes[f].record.Records
	}
	return 0, false
}

func setMore(ev *evidence.Evidence, n int) {
	if n <= 0 {
		delete(ev.Attrs, evidence.AttrMore)
		return
	}
	ev.Attrs[evidence.AttrMore] = strconv.Itoa(n)
}

// kindRank orders the formats an event can come in: the binary log first.
func kindRank(kind string) int {
	switch kind {
	case KindEVTX:
		return 0
	case KindEVTXXML:
		return 1
	}
	return 2
}

// mergeDuplicateOutputs keeps a command output once when the bundle holds
// it twice (two collectors both ran vssadmin, a copy in a subfolder): a
// file whose records are exactly those of an earlier file of the same kind
// gives no evidence of its own, and its inventory entry names the file
// that was counted. Event logs are merged record by record instead
// (mergeDuplicateEvents); disk headers are not evidence lists and stay.
func mergeDuplicateOutputs(outcomes []fileOutcome) {
	order := make([]int, 0, len(outcomes))
	for i := range outcomes {
		o := &outcomes[i]
		if !o.fingerprinted && outputDedupable(o) {
			o.sum, o.fingerprinted, o.records = outputFingerprint(o.record.Kind, o.extraction.Evidence), true, len(o.extraction.Evidence)
		}
		if o.fingerprinted {
			order = append(order, i)
		}
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(outcomes[a].record.Path, outcomes[b].record.Path) })
	first := map[[sha256.Size]byte]int{}
	for _, i := range order {
		o := &outcomes[i]
		f, seen := first[o.sum]
		if !seen {
			first[o.sum] = i
			continue
		}
		o.record.Notes = append(o.record.Notes, fmt.Sprintf("the same %d records as %s; counted once", o.records, outcomes[f].record.Path))
		o.extraction.Evidence = nil
	}
}

// outputDedupable says whether a file's evidence is merged by
// mergeDuplicateOutputs.
func outputDedupable(o *fileOutcome) bool {
	return len(o.extraction.Idents) == 0 && len(o.extraction.Disks) == 0 && len(o.extraction.Evidence) > 0
}

// outputDedup drops the evidence of a repeated command output as soon as
// its file is analyzed, rather than when the run ends: a bundle of the same
// output many times then holds one copy of its records. Of equal files the
// one with the smallest path keeps its evidence, as mergeDuplicateOutputs
// decides, which writes the notes.
type outputDedup struct {
	mu    sync.Mutex
	first map[[sha256.Size]byte]int
	texts *itemBudget // the bundle's bound on text evidence, nil for none
}

func newOutputDedup(texts *itemBudget) *outputDedup {
	return &outputDedup{first: map[[sha256.Size]byte]int{}, texts: texts}
}

// add fingerprints outcomes[i], which its worker has just written.
func (d *outputDedup) add(outcomes []fileOutcome, i int) {
	o := &outcomes[i]
	if !outputDedupable(o) {
		return
	}
	o.sum, o.fingerprinted, o.records = outputFingerprint(o.record.Kind, o.extraction.Evidence), true, len(o.extraction.Evidence)
	d.mu.Lock()
	defer d.mu.Unlock()
	f, seen := d.first[o.sum]
	switch {
	case !seen:
		d.first[o.sum] = i
	case o.record.Path < outcomes[f].record.Path:
		outcomes[f].extraction.Evidence = nil
		outcomes[f].textDropped = 0
		d.texts.forget(f)
		d.first[o.sum] = i
	default:
		o.extraction.Evidence = nil
	}
	if o.text {
		d.texts.add(outcomes, i)
	}
}

// outputFingerprint identifies a file's records whatever the file is
// called: kind, then each item's kind, place, time, summary and attributes.
func outputFingerprint(kind string, evs []evidence.Evidence) [sha256.Size]byte {
	// The bytes fmt.Fprintf wrote before, appended by hand: this runs on
	// every command output, and fmt was most of its cost.
	h := sha256.New()
	buf := make([]byte, 0, 1024)
	buf = append(append(buf, kind...), 0)
	buf = append(strconv.AppendInt(buf, int64(len(evs)), 10), '\n')
	keys := make([]string, 0, 32)
	for _, e := range evs {
		buf = append(append(buf, e.Kind...), 0)
		buf = append(append(buf, e.At.String()...), 0)
		buf = append(strconv.AppendInt(buf, e.Time.UnixNano(), 10), 0)
		buf = append(append(buf, e.Summary...), 0)
		keys = keys[:0]
		for k := range e.Attrs {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			buf = append(append(append(append(buf, k...), '='), e.Attrs[k]...), 0)
		}
		buf = append(buf, '\n')
		if len(buf) >= 4096 { // the hash is the same whatever the writes' sizes
			h.Write(buf)
			buf = buf[:0]
		}
	}
	h.Write(buf)
	var out [sha256.Size]byte
	copy(out[:], h.Sum(nil))
	return out
}
