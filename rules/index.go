package rules

import (
	"slices"
	"time"
)

// index groups evidence by kind, in a stable order (time, then place), so
// signals scan only what they can match and cited evidence reads
// chronologically.
type index struct {
	byKind map[Kind][]*Evidence
}

func newIndex(evidence []Evidence) *index {
	ix := &index{byKind: map[Kind][]*Evidence{}}
	for i := range evidence {
		e := &evidence[i]
		ix.byKind[e.Kind] = append(ix.byKind[e.Kind], e)
	}
	for _, list := range ix.byKind {
		slices.SortStableFunc(list, func(a, b *Evidence) int {
			if c := a.Time.Compare(b.Time); c != 0 {
				return c
			}
			if a.less(b) {
				return -1
			}
			if b.less(a) {
				return 1
			}
			return 0
		})
	}
	return ix
}

// of returns the evidence of one kind.
func (ix *index) of(k Kind) []*Evidence { return ix.byKind[k] }

func (ix *index) match(s *Signal) []*Evidence {
	if s.Check != "" {
		return checks[s.Check](ix)
	}
	var hits []*Evidence
	for _, e := range ix.byKind[s.Kind] {
		if s.matches(e) {
			hits = append(hits, e)
		}
	}
	return hits
}

// latest is the newest time of any evidence: the moment the bundle was
// collected, as far as its content tells. Checks measure ages against it
// rather than the clock, so the same bundle always gives the same answer.
func (ix *index) latest() time.Time {
	var t time.Time
	for _, list := range ix.byKind {
		if n := len(list); n > 0 && list[n-1].Time.After(t) {
			t = list[n-1].Time
		}
	}
	return t
}
