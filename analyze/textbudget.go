package analyze

import (
	"container/heap"
	"fmt"
)

// maxTextEvidenceBundle bounds the evidence kept from text files (command
// outputs, Export-Clixml files, backup product logs, free text) across the
// whole bundle. maxTextEvidence bounds one file; a bundle of thousands of
// files each near that bound must not fill memory either. Real bundles
// give a few thousand items.
const maxTextEvidenceBundle = 100_000

// textBudget keeps the first maxTextEvidenceBundle items of text evidence
// in the order of the files' paths, then of the items in each file,
// whichever file is analyzed first: when the kept items pass the limit, the
// items of the file with the greatest path are dropped first, from its
// end. So the result does not depend on the workers' timing, and memory
// holds at most the limit plus the files being analyzed. Dropped items
// are counted on their file (fileOutcome.textDropped), and the inventory
// notes the count. It is used under outputDedup's lock, which also drops
// the evidence of repeated outputs.
type textBudget struct {
	limit int
	kept  int
	files map[int]int // index in outcomes -> items it keeps, for files that keep some
	last  maxHeap     // those indexes; stale entries are skipped
}

func newTextBudget(limit int) *textBudget {
	return &textBudget{limit: limit, files: map[int]int{}}
}

// add counts the evidence of outcomes[i], a text file just analyzed, and
// drops what is over the limit.
func (b *textBudget) add(outcomes []fileOutcome, i int) {
	n := len(outcomes[i].extraction.Evidence)
	if b == nil || n == 0 {
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
		o := &outcomes[j]
		ev := o.extraction.Evidence
		keep := len(ev) - cut
		clear(ev[keep:]) // the dropped items' strings and maps can go
		o.extraction.Evidence = ev[:keep]
		if keep == 0 {
			o.extraction.Evidence = nil
		}
		o.textDropped += cut
		b.files[j] -= cut
		b.kept -= cut
		if b.files[j] == 0 {
			delete(b.files, j)
			heap.Pop(&b.last)
		}
	}
}

// forget takes outcomes[i] out of the count: its evidence was dropped as a
// copy of another file's, which holds the same records.
func (b *textBudget) forget(outcomes []fileOutcome, i int) {
	if b == nil {
		return
	}
	b.kept -= b.files[i]
	delete(b.files, i)
	outcomes[i].textDropped = 0
}

// textDroppedNote is the inventory note of a file whose evidence was cut
// by the bundle's limit.
func textDroppedNote(n int) string {
	return fmt.Sprintf("%d more records not kept as evidence (the bundle keeps at most %d from text files; the files listed first keep theirs)", n, maxTextEvidenceBundle)
}

// maxHeap is a heap of outcome indexes, the greatest on top.
type maxHeap []int

func (h maxHeap) Len() int           { return len(h) }
func (h maxHeap) Less(i, j int) bool { return h[i] > h[j] }
func (h maxHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *maxHeap) Push(x any)        { *h = append(*h, x.(int)) }
func (h *maxHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
