package rules

import (
	"cmp"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hvtriage/hvtriage/evidence"
)

// Tuning of the engine. The numbers are deliberately few and global so that
// a cause's behaviour is decided by its signal weights in the catalog.
const (
	// ReportThreshold is the lowest confidence that still yields a finding.
	ReportThreshold = 0.2
	// DecidedThreshold is the confidence above which a cause needs no more
	// input; below it, its missing inputs are listed.
	DecidedThreshold = 0.6
	// MaxCitedPerSignal bounds the evidence listed per signal so that a
	// bundle with ten thousand resets still gives a readable report; the
	// full count is kept in SignalHit.Count.
	MaxCitedPerSignal = 8
	// WeakFactor scales the weight of a signal whose every hit is weak
	// evidence (AttrWeak: read from free text). A sentence in a ticket is
	// a report of a record, not the record: it can raise a cause, and
	// with structured evidence confirm it, but alone a strong signal
	// (0.75) only reaches about 0.38, below the medium band. One
	// structured hit among the weak ones restores the full weight.
	WeakFactor = 0.5
	// BurstGap is how close in time two hits of one signal must be to
	// count as one incident: a controller that retries twelve I/Os within
	// a second had one stall, not twelve.
	BurstGap = 10 * time.Second
)

// Cited is one evidence item in a finding, with the signal it matched.
type Cited struct {
	evidence.Evidence
	Signal string
	Says   string
}

// SignalHit summarises how often a signal matched.
type SignalHit struct {
	ID     string
	Says   string
	Weight float64
	Count  int
	// Incidents is how many separate incidents the hits make (hits
	// close together in time are one); it is what the weight repeats on.
	Incidents int
}

// Finding is one cause the bundle points to.
type Finding struct {
	Cause      *Cause
	Severity   Severity
	Confidence float64
	Signals    []SignalHit
	Evidence   []Cited
	Against    []Cited
	Resolution []Step // with placeholders filled from the evidence
	VMs        []string
	Files      []string
}

// RuledOut is a cause the bundle's evidence excludes.
type RuledOut struct {
	Cause string
	Why   string
}

// Missing is an input the bundle lacks, and the causes it would decide.
type Missing struct {
	Input   string // the catalog input's ID
	What    string
	Collect string
	Decides []string
}

// Outcome is everything the engine concludes about a bundle.
type Outcome struct {
	Findings []Finding
	RuledOut []RuledOut
	Missing  []Missing
}

// Engine evaluates a catalog against evidence.
type Engine struct {
	cat *Catalog
	// Which events any signal can use, so extractors can drop the rest
	// early: by provider+ID, by provider alone, by ID alone, or all.
	eventsByProviderID map[providerID]bool
	eventsByProvider   map[string]bool
	eventsByID         map[string]bool
	allEvents          bool
}

type providerID struct {
	provider string
	id       string
}

// NewEngine prepares a catalog for evaluation.
func NewEngine(cat *Catalog) *Engine {
	e := &Engine{
		cat:                cat,
		eventsByProviderID: map[providerID]bool{},
		eventsByProvider:   map[string]bool{},
		eventsByID:         map[string]bool{},
	}
	for _, c := range cat.Causes {
		for _, list := range [][]Signal{c.Signals, c.Against} {
			for _, s := range list {
				if s.Kind == evidence.KindEvent {
					e.indexEventSignal(s)
				}
			}
		}
	}
	for _, events := range checkEvents {
		for _, ev := range events {
			if p, id, ok := strings.Cut(ev, ":"); ok {
				e.eventsByProviderID[providerID{strings.ToLower(p), id}] = true
			} else {
				e.eventsByProvider[strings.ToLower(ev)] = true
			}
		}
	}
	return e
}

func (e *Engine) indexEventSignal(s Signal) {
	providers := valuesOf(s, evidence.AttrProvider)
	ids := valuesOf(s, evidence.AttrEventID)
	switch {
	case len(providers) > 0 && len(ids) > 0:
		for _, p := range providers {
			for _, id := range ids {
				e.eventsByProviderID[providerID{strings.ToLower(p), id}] = true
			}
		}
	case len(providers) > 0:
		for _, p := range providers {
			e.eventsByProvider[strings.ToLower(p)] = true
		}
	case len(ids) > 0:
		for _, id := range ids {
			e.eventsByID[id] = true
		}
	default:
		e.allEvents = true
	}
}

func valuesOf(s Signal, attr string) []string {
	if v, ok := s.Equals[attr]; ok {
		return []string{v}
	}
	return s.AnyOf[attr]
}

// WantsEvent reports whether any signal could match an event from this
// provider with this ID. Extractors call it before building evidence so
// that irrelevant events cost nothing.
func (e *Engine) WantsEvent(provider string, eventID uint16) bool {
	if e.allEvents {
		return true
	}
	id := strconv.Itoa(int(eventID))
	p := strings.ToLower(provider)
	return e.eventsByProviderID[providerID{p, id}] || e.eventsByProvider[p] || e.eventsByID[id]
}

// Catalog returns the catalog the engine evaluates.
func (e *Engine) Catalog() *Catalog { return e.cat }

// Annotate adds the product knowledge of the rules side (see
// Products.Annotate) to evidence the extractors produced, in place. Call
// it once, before Evaluate, on the evidence kept for the report, so that
// the report shows the attributes the signals matched.
func (e *Engine) Annotate(evs []evidence.Evidence) { defaultProducts.Annotate(evs) }

// Evaluate runs every cause of the catalog over the evidence. cov says what
// the bundle holds, to tell "ruled out" from "not collected".
func (e *Engine) Evaluate(evs []evidence.Evidence, cov evidence.Coverage) Outcome {
	kept, aside := scopeNoise(evs, cov)
	ix := newIndex(kept)
	asideIx := newAsideIndex(aside)
	facts := newVMFacts(ix)
	var out Outcome
	missing := map[string]*Missing{}
	for _, c := range e.cat.Causes {
		f, ok := evaluateCause(c, ix, facts)
		switch {
		case ok:
			out.Findings = append(out.Findings, f)
		case e.allNeedsCovered(c, cov):
			out.RuledOut = append(out.RuledOut, RuledOut{Cause: c.ID, Why: asideIx.ruledOutWhy(c)})
		}
		if ok && f.Confidence >= DecidedThreshold {
			continue
		}
		for _, id := range c.Needs {
			in := e.cat.Input(id)
			if cov.Has(in.Have...) {
				continue
			}
			m := missing[id]
			if m == nil {
				m = &Missing{Input: id, What: in.What, Collect: in.Collect}
				missing[id] = m
			}
			m.Decides = append(m.Decides, c.ID)
		}
	}
	var explained []RuledOut
	out.Findings, explained = explain(out.Findings)
	out.RuledOut = append(out.RuledOut, explained...)
	slices.SortFunc(out.Findings, func(a, b Finding) int {
		return cmp.Or(
			cmp.Compare(b.Severity, a.Severity),
			cmp.Compare(b.Confidence, a.Confidence),
			cmp.Compare(a.Cause.ID, b.Cause.ID),
		)
	})
	for _, m := range missing {
		slices.Sort(m.Decides)
		m.Decides = slices.Compact(m.Decides)
		out.Missing = append(out.Missing, *m)
	}
	// The input that decides the most causes comes first: collect it first.
	slices.SortFunc(out.Missing, func(a, b Missing) int {
		return cmp.Or(cmp.Compare(len(b.Decides), len(a.Decides)), cmp.Compare(a.Input, b.Input))
	})
	return out
}

func (e *Engine) allNeedsCovered(c *Cause, cov evidence.Coverage) bool {
	for _, id := range c.Needs {
		if !cov.Has(e.cat.Input(id).Have...) {
			return false
		}
	}
	return true
}

// evaluateCause combines the cause's signals into one confidence. Distinct
// signals combine like independent witnesses (noisy-OR); repeated hits of
// the same signal add only a little, because a hundred copies of one event
// are one witness repeating itself. Counter-signals scale the result down.
func evaluateCause(c *Cause, ix *index, facts vmFacts) (Finding, bool) {
	f := Finding{Cause: c}
	disbelief := 1.0
	for i := range c.Signals {
		s := &c.Signals[i]
		hits := routeHits(c, s, ix.match(s))
		if len(hits) == 0 {
			continue
		}
		n := countHits(hits)
		inc := countIncidents(hits, s.IncidentMinutes)
		w := s.Weight
		if allWeak(hits) {
			w *= WeakFactor
		}
		disbelief *= math.Pow(1-w, repeatFactor(inc))
		f.Signals = append(f.Signals, SignalHit{ID: s.ID, Says: s.Says, Weight: s.Weight, Count: n, Incidents: inc})
		f.Evidence = append(f.Evidence, cite(s, hits)...)
	}
	if len(f.Signals) == 0 {
		return Finding{}, false
	}
	f.Evidence = mergeCited(f.Evidence)
	confidence := 1 - disbelief
	for i := range c.Against {
		s := &c.Against[i]
		hits := ix.match(s)
		if len(hits) == 0 {
			continue
		}
		confidence *= 1 - s.Weight
		f.Against = append(f.Against, cite(s, hits)...)
	}
	f.Confidence = math.Round(confidence*100) / 100
	if f.Confidence < ReportThreshold {
		return Finding{}, false
	}
	f.Severity = severityFor(c.Severity, f.Confidence)
	f.VMs, f.Files = scope(f.Evidence)
	f.Resolution = fillSteps(c.Resolution, f.Evidence, facts)
	return f, true
}

// allWeak reports whether every hit is weak evidence (AttrWeak).
func allWeak(hits []*evidence.Evidence) bool {
	for _, h := range hits {
		if h.Attrs[evidence.AttrWeak] != "true" {
			return false
		}
	}
	return true
}

// countHits counts the matched items and the identical ones an extractor
// folded into them (AttrMore).
func countHits(hits []*evidence.Evidence) int {
	n := len(hits)
	for _, h := range hits {
		if more, err := strconv.Atoi(h.Attrs[evidence.AttrMore]); err == nil && more > 0 {
			n += more
		}
	}
	return n
}

// countIncidents counts the separate incidents among a signal's hits: a
// hit less than BurstGap (or the signal's IncidentMinutes) after the
// previous one about the same VM (or no VM) belongs to the same incident.
// Hits without a time, and the identical copies an extractor folded into
// one item, count as they are.
func countIncidents(hits []*evidence.Evidence, minutes int) int {
	gap := BurstGap
	if minutes > 0 {
		gap = time.Duration(minutes) * time.Minute
	}
	times := map[string][]time.Time{}
	n := 0
	for _, h := range hits {
		if more, err := strconv.Atoi(h.Attrs[evidence.AttrMore]); err == nil && more > 0 {
			n += more
		}
		if h.Time.IsZero() {
			n++
			continue
		}
		vm := strings.ToLower(h.VM())
		times[vm] = append(times[vm], h.Time)
	}
	for _, ts := range times {
		slices.SortFunc(ts, time.Time.Compare)
		for i, t := range ts {
			if i == 0 || t.Sub(ts[i-1]) >= gap {
				n++
			}
		}
	}
	return n
}

func repeatFactor(n int) float64 {
	return 1 + math.Log2(float64(min(n, 16)))/4
}

// severityFor lowers a cause's severity when the evidence is weak, so that
// a lone warning never shows up as a high-severity finding.
func severityFor(s Severity, confidence float64) Severity {
	switch {
	case confidence >= DecidedThreshold:
		return s
	case confidence >= 0.4:
		return max(Low, s-1)
	default:
		return min(s, Low)
	}
}

func cite(s *Signal, hits []*evidence.Evidence) []Cited {
	out := make([]Cited, 0, min(len(hits), MaxCitedPerSignal))
	for _, h := range hits[:min(len(hits), MaxCitedPerSignal)] {
		out = append(out, Cited{Evidence: *h, Signal: s.ID, Says: s.Says})
	}
	return out
}

// mergeCited lists an item once even when several signals rest on it,
// naming all of them.
func mergeCited(cited []Cited) []Cited {
	type key struct {
		source string
		at     evidence.Locator
		kind   evidence.Kind
	}
	pos := map[key]int{}
	out := cited[:0:0]
	for _, c := range cited {
		k := key{c.Source, c.At, c.Kind}
		if i, ok := pos[k]; ok {
			out[i].Signal += ", " + c.Signal
			out[i].Says += "; " + c.Says
			continue
		}
		pos[k] = len(out)
		out = append(out, c)
	}
	return out
}

func scope(cited []Cited) (vms, files []string) {
	for _, c := range cited {
		if vm := c.VM(); vm != "" {
			vms = append(vms, vm)
		}
		files = append(files, c.Source)
	}
	sort.Strings(vms)
	sort.Strings(files)
	return slices.Compact(vms), slices.Compact(files)
}
