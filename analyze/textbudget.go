package analyze

import (
	"fmt"
)

// maxTextEvidenceBundle bounds the evidence kept from text files (command
// outputs, Export-Clixml files, backup product logs, free text) across the
// whole bundle. maxTextEvidence bounds one file; a bundle of thousands of
// files each near that bound must not fill memory either. Real bundles
// give a few thousand items.
const maxTextEvidenceBundle = 100_000

// newTextBudget keeps the first limit items of text evidence across the
// bundle (an itemBudget): the items of the file with the greatest path are
// dropped first, from its end, and counted on their file
// (fileOutcome.textDropped) for the inventory note. It is used under
// outputDedup's lock, which also drops the evidence of repeated outputs.
func newTextBudget(limit int) *itemBudget {
	return &itemBudget{limit: limit, files: map[int]int{},
		count: func(o *fileOutcome) int { return len(o.extraction.Evidence) },
		cut: func(o *fileOutcome, keep int) {
			ev := o.extraction.Evidence
			o.textDropped += len(ev) - keep
			clear(ev[keep:]) // the dropped items' strings and maps can go
			o.extraction.Evidence = ev[:keep]
			if keep == 0 {
				o.extraction.Evidence = nil
			}
		}}
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
