package rules

import (
	"slices"
	"strings"
	"time"

	"github.com/hvtriage/hvtriage/evidence"
)

// index groups evidence by kind, in a stable order (time, then place), so
// signals scan only what they can match and cited evidence reads
// chronologically.
type index struct {
	byKind map[evidence.Kind][]*evidence.Evidence
	// Events are also grouped by provider and ID: a bundle holds up to
	// millions of them and most signals name both.
	eventsByPID      map[providerID][]*evidence.Evidence
	eventsByProvider map[string][]*evidence.Evidence
	eventsByID       map[string][]*evidence.Evidence
}

func newIndex(evs []evidence.Evidence) *index {
	ix := &index{byKind: map[evidence.Kind][]*evidence.Evidence{}, eventsByPID: map[providerID][]*evidence.Evidence{},
		eventsByProvider: map[string][]*evidence.Evidence{}, eventsByID: map[string][]*evidence.Evidence{}}
	for i := range evs {
		e := &evs[i]
		ix.byKind[e.Kind] = append(ix.byKind[e.Kind], e)
	}
	for _, list := range ix.byKind {
		slices.SortStableFunc(list, chronological)
	}
	for _, e := range ix.byKind[evidence.KindEvent] {
		p, id := strings.ToLower(e.Attrs[evidence.AttrProvider]), e.Attrs[evidence.AttrEventID]
		ix.eventsByPID[providerID{p, id}] = append(ix.eventsByPID[providerID{p, id}], e)
		ix.eventsByProvider[p] = append(ix.eventsByProvider[p], e)
		ix.eventsByID[id] = append(ix.eventsByID[id], e)
	}
	return ix
}

// chronological orders evidence by time, then by place in the bundle.
func chronological(a, b *evidence.Evidence) int {
	if c := a.Time.Compare(b.Time); c != 0 {
		return c
	}
	if a.Less(b) {
		return -1
	}
	if b.Less(a) {
		return 1
	}
	return 0
}

// of returns the evidence of one kind.
func (ix *index) of(k evidence.Kind) []*evidence.Evidence { return ix.byKind[k] }

func (ix *index) match(s *Signal) []*evidence.Evidence {
	if s.Check != "" {
		return checks[s.Check](ix)
	}
	candidates, merged := ix.candidates(s)
	var hits []*evidence.Evidence
	for _, e := range candidates {
		if s.matches(e) {
			hits = append(hits, e)
		}
	}
	if merged {
		slices.SortFunc(hits, chronological)
	}
	return hits
}

// candidates narrows the evidence a signal must look at. For events named
// by provider and/or ID it gathers the matching groups; merged says the
// result joins several groups and must be sorted again.
func (ix *index) candidates(s *Signal) (list []*evidence.Evidence, merged bool) {
	if s.Kind != evidence.KindEvent {
		return ix.byKind[s.Kind], false
	}
	providers, ids := valuesOf(*s, evidence.AttrProvider), valuesOf(*s, evidence.AttrEventID)
	var groups [][]*evidence.Evidence
	switch {
	case len(providers) > 0 && len(ids) > 0:
		for _, p := range providers {
			for _, id := range ids {
				groups = append(groups, ix.eventsByPID[providerID{strings.ToLower(p), id}])
			}
		}
	case len(providers) > 0:
		for _, p := range providers {
			groups = append(groups, ix.eventsByProvider[strings.ToLower(p)])
		}
	case len(ids) > 0:
		for _, id := range ids {
			groups = append(groups, ix.eventsByID[id])
		}
	default:
		return ix.byKind[evidence.KindEvent], false
	}
	if len(groups) == 1 {
		return groups[0], false
	}
	return slices.Concat(groups...), true
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
