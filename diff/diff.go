// Package diff compares two reports of the same host, before and after a
// fix: which findings are fixed, still there, new, or can no longer be
// checked because AFTER lacks the evidence that decided them. It works on
// report Documents, so either side may be a bundle analyzed now or a JSON
// report written earlier.
package diff

import (
	"cmp"
	"slices"
	"strings"

	"github.com/hvtriage/hvtriage/report"
	"github.com/hvtriage/hvtriage/rules"
)

// Status says what became of a finding.
type Status string

// The statuses, in the order they are shown.
const (
	New           Status = "new"
	StillThere    Status = "still-there"
	Unverifiable  Status = "no-longer-checkable"
	Fixed         Status = "fixed"
	schemaVersion        = "hvtriage-diff/1"
)

var statusOrder = []Status{New, StillThere, Unverifiable, Fixed}

// Entry is one finding compared across the two reports.
type Entry struct {
	Status   Status         `json:"status"`
	Cause    string         `json:"cause"`
	Title    string         `json:"title"`
	VMs      []string       `json:"vms"`
	Severity rules.Severity `json:"severity"`
	// Before and After are the confidences; nil where the finding is absent.
	Before *float64 `json:"confidence_before,omitempty"`
	After  *float64 `json:"confidence_after,omitempty"`
	// Missing lists, for a finding no longer checkable, the inputs AFTER
	// lacks that decide it, with the command to collect each.
	Missing []report.MissingRow `json:"missing,omitempty"`
}

// Diff is the comparison of two reports.
type Diff struct {
	Schema  string   `json:"schema"`
	Before  string   `json:"before"`
	After   string   `json:"after"`
	Entries []Entry  `json:"entries"`
	Counts  []Count  `json:"counts"`
	Notes   []string `json:"notes"`
}

// Count is how many entries have a status.
type Count struct {
	Status Status `json:"status"`
	N      int    `json:"n"`
}

// key matches findings: the same cause for the same VMs.
func key(f *report.Finding) string {
	vms := make([]string, len(f.VMs))
	for i, v := range f.VMs {
		vms[i] = strings.ToLower(v)
	}
	slices.Sort(vms)
	return f.Cause + "\x00" + strings.Join(vms, "\x00")
}

// Compare matches the findings of before and after by cause and VM.
func Compare(before, after *report.Document) *Diff {
	d := &Diff{Schema: schemaVersion, Before: before.Bundle.Name, After: after.Bundle.Name, Entries: []Entry{}, Notes: []string{}}
	inAfter := map[string]*report.Finding{}
	for i := range after.Findings {
		inAfter[key(&after.Findings[i])] = &after.Findings[i]
	}
	matched := map[string]bool{}
	for i := range before.Findings {
		b := &before.Findings[i]
		k := key(b)
		e := Entry{Cause: b.Cause, Title: b.Title, VMs: nonNil(b.VMs), Severity: b.Severity, Before: ptr(b.Confidence)}
		if a := inAfter[k]; a != nil {
			matched[k] = true
			e.Status, e.After, e.Severity = StillThere, ptr(a.Confidence), a.Severity
		} else if miss := missingFor(after, b.Cause); len(miss) > 0 {
			e.Status, e.Missing = Unverifiable, miss
		} else {
			e.Status = Fixed
		}
		d.Entries = append(d.Entries, e)
	}
	for i := range after.Findings {
		a := &after.Findings[i]
		if !matched[key(a)] {
			d.Entries = append(d.Entries, Entry{Status: New, Cause: a.Cause, Title: a.Title, VMs: nonNil(a.VMs), Severity: a.Severity, After: ptr(a.Confidence)})
		}
	}
	slices.SortStableFunc(d.Entries, func(x, y Entry) int {
		return cmp.Or(cmp.Compare(slices.Index(statusOrder, x.Status), slices.Index(statusOrder, y.Status)),
			cmp.Compare(y.Severity, x.Severity), strings.Compare(x.Cause, y.Cause), strings.Compare(strings.Join(x.VMs, ","), strings.Join(y.VMs, ",")))
	})
	for _, s := range statusOrder {
		n := 0
		for _, e := range d.Entries {
			if e.Status == s {
				n++
			}
		}
		d.Counts = append(d.Counts, Count{s, n})
	}
	if after.Verdict.Inconclusive() {
		d.Notes = append(d.Notes, "AFTER is inconclusive: no file of it gave usable evidence, so nothing in it can show a fix")
	}
	return d
}

// missingFor lists the inputs a report lacks that decide a cause.
func missingFor(doc *report.Document, cause string) []report.MissingRow {
	var out []report.MissingRow
	for _, m := range doc.Missing {
		if slices.Contains(m.Decides, cause) {
			out = append(out, m)
		}
	}
	return out
}

// FirstAtOrAbove returns the first new or still-present finding of
// severity level or higher, or nil.
func (d *Diff) FirstAtOrAbove(level rules.Severity) *Entry {
	for i := range d.Entries {
		e := &d.Entries[i]
		if (e.Status == New || e.Status == StillThere) && e.Severity >= level {
			return e
		}
	}
	return nil
}

func ptr(f float64) *float64 { return &f }

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
