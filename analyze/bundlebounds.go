package analyze

import (
	"cmp"
	"container/heap"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// The timeline buckets and coverage keys of one event file are bounded
// (extract.MaxChannelsPerFile and the file's bucket limit); these bound
// them across the bundle, so that thousands of files each near their own
// bound cannot fill memory. Real bundles give tens of thousands.
const (
	defaultMaxActivity = 500_000 // timeline buckets (hour, channel, level) of all files
	defaultMaxCoverage = 200_000 // coverage keys of all files, counted per file
)

// itemBudget keeps the first limit items of a per-file list (timeline
// buckets, coverage keys) across the bundle, in the order of the files'
// paths, then of the items in each file, whichever file is analyzed first:
// when the kept items pass the limit, the items of the file with the
// greatest path are cut first, from the end of its list. So the result
// does not depend on the workers' timing, and memory holds at most the
// limit plus the files being analyzed. It bounds text evidence too
// (newTextBudget).
type itemBudget struct {
	mu    sync.Mutex
	limit int
	kept  int
	files map[int]int // index in outcomes -> items it keeps, for files that keep some
	last  maxHeap
	count func(o *fileOutcome) int
	cut   func(o *fileOutcome, keep int) // keeps the first keep items, counting the rest
}

// add counts the items of outcomes[i], a file just analyzed, and cuts what
// is over the limit.
func (b *itemBudget) add(outcomes []fileOutcome, i int) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	n := b.count(&outcomes[i])
	if n == 0 {
		return
	}
	b.kept += n
	b.files[i] = n
	heap.Push(&b.last, i)
	for b.kept > b.limit {
		j := b.last[0]
		if b.files[j] == 0 {
			heap.Pop(&b.last)
			continue
		}
		cut := min(b.kept-b.limit, b.files[j])
		b.cut(&outcomes[j], b.files[j]-cut)
		b.files[j] -= cut
		b.kept -= cut
		if b.files[j] == 0 {
			delete(b.files, j)
			heap.Pop(&b.last)
		}
	}
}

// forget takes outcomes[i] out of the count: its items were dropped for
// another reason (a copy of another file's evidence).
func (b *itemBudget) forget(i int) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.kept -= b.files[i]
	delete(b.files, i)
}

// newActivityBudget bounds the timeline buckets of all files. A file's
// buckets are cut in the order of the timeline (hour, channel, level), so
// the ones kept do not depend on how the file listed them.
func newActivityBudget(limit int) *itemBudget {
	return &itemBudget{limit: limit, files: map[int]int{},
		count: func(o *fileOutcome) int { return len(o.extraction.Activity) },
		cut: func(o *fileOutcome, keep int) {
			a := o.extraction.Activity
			slices.SortFunc(a, func(x, y Activity) int {
				return cmp.Or(x.Hour.Compare(y.Hour), strings.Compare(x.Channel, y.Channel), cmp.Compare(x.Level, y.Level))
			})
			for _, d := range a[keep:] {
				o.activityDropped++
				o.activityEventsDropped += d.Count
			}
			clear(a[keep:])
			o.extraction.Activity = a[:keep:keep]
		}}
}

// newCoverageBudget bounds the coverage keys of all files, each file's
// counted in its own order.
func newCoverageBudget(limit int) *itemBudget {
	return &itemBudget{limit: limit, files: map[int]int{},
		count: func(o *fileOutcome) int { return len(o.extraction.Coverage) },
		cut: func(o *fileOutcome, keep int) {
			c := o.extraction.Coverage
			o.coverageDropped += len(c) - keep
			clear(c[keep:])
			o.extraction.Coverage = c[:keep:keep]
		}}
}

// boundsNotes are the inventory notes of a file whose timeline buckets or
// coverage keys were cut by the bundle's limits.
func boundsNotes(o *fileOutcome, lim Limits) []string {
	var notes []string
	if o.activityDropped > 0 {
		notes = append(notes, fmt.Sprintf("%d timeline buckets (hour, channel and level) of %d events not charted (the bundle charts at most %d buckets; the files listed first keep theirs)",
			o.activityDropped, o.activityEventsDropped, lim.MaxActivity))
	}
	if o.coverageDropped > 0 {
		notes = append(notes, fmt.Sprintf("%d coverage keys (channels, outputs read) not listed (the bundle lists at most %d; the files listed first keep theirs)",
			o.coverageDropped, lim.MaxCoverage))
	}
	return notes
}
