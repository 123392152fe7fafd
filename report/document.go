// Package report renders an analysis as JSON (the contract CI relies on),
// Markdown (for tickets), self-contained HTML (for people) and a terminal
// summary. Every writer renders the same Document, built once from the
// analysis, so the formats cannot disagree.
package report

import (
	"encoding/json"
	"strings"
	"time"
	"unicode"

	"github.com/hvtriage/hvtriage/analyze"
	"github.com/hvtriage/hvtriage/evidence"
	"github.com/hvtriage/hvtriage/rules"
)

// Schema is the contract's schema identifier.
const Schema = "hvtriage/1"

// Document is the report's content, shaped as the JSON contract.
type Document struct {
	Schema    string       `json:"schema"`
	Verdict   Verdict      `json:"verdict"`
	Tool      Tool         `json:"tool"`
	Bundle    Bundle       `json:"bundle"`
	Inventory []FileEntry  `json:"inventory"`
	Findings  []Finding    `json:"findings"`
	RuledOut  []RuledOut   `json:"ruled_out"`
	Missing   []MissingRow `json:"missing"`
	Chains    Chains       `json:"chains"`
	Timeline  Timeline     `json:"timeline"`
}

// Tool names the program that wrote the report.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Bundle identifies the analyzed bundle.
type Bundle struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
	Files  int    `json:"files"`
	Bytes  int64  `json:"bytes"`
}

// FileEntry is one inventory line.
type FileEntry struct {
	Path     string   `json:"path"`
	Kind     string   `json:"kind"`
	Status   string   `json:"status"`
	Size     int64    `json:"size"`
	Records  int      `json:"records"`
	Problems []string `json:"problems"`
	Notes    []string `json:"notes"`
}

// Finding is one cause with its evidence and resolution.
type Finding struct {
	Cause       string         `json:"cause"`
	Title       string         `json:"title"`
	Area        string         `json:"area"`
	Severity    rules.Severity `json:"severity"`
	Confidence  float64        `json:"confidence"`
	Explanation string         `json:"explanation"`
	VMs         []string       `json:"vms"`
	Files       []string       `json:"files"`
	Signals     []Signal       `json:"signals"`
	Evidence    []Evidence     `json:"evidence"`
	Against     []Evidence     `json:"against"`
	Resolution  []Step         `json:"resolution"`
}

// Signal says which signal of the rule matched and how often.
type Signal struct {
	ID     string  `json:"id"`
	Says   string  `json:"says"`
	Weight float64 `json:"weight"`
	Count  int     `json:"count"`
}

// Evidence is one cited item.
type Evidence struct {
	Source  string `json:"source"`
	Locator string `json:"locator"`
	Time    string `json:"time,omitempty"`
	Summary string `json:"summary"`
	Signal  string `json:"signal"`
}

// Step is one resolution step. Risk says what it does to the host
// (read-only, changes-settings, rewrites-data).
type Step struct {
	Text    string     `json:"text"`
	Command string     `json:"command,omitempty"`
	Risk    rules.Risk `json:"risk"`
	Warning string     `json:"warning,omitempty"`
}

// RuledOut is a cause the evidence excludes.
type RuledOut struct {
	Cause string `json:"cause"`
	Why   string `json:"why"`
}

// MissingRow is an input the bundle lacks.
type MissingRow struct {
	Input   string   `json:"input"`
	What    string   `json:"what"`
	Decides []string `json:"decides"`
	Collect string   `json:"collect"`
}

// Build shapes an analysis result into a Document. version is the tool
// version to stamp; it is the only thing not taken from the bundle.
func Build(res *analyze.Result, version string) *Document {
	d := &Document{
		Schema:  Schema,
		Verdict: buildVerdict(res),
		Tool:    Tool{Name: "hvtriage", Version: version},
		Bundle:  Bundle{Name: clean(res.Bundle.Name), SHA256: res.Bundle.SHA256, Files: res.Bundle.Files, Bytes: res.Bundle.Bytes},
		// Empty lists stay [] rather than null, so consumers need no
		// special case.
		Inventory: []FileEntry{},
		Findings:  []Finding{},
		RuledOut:  []RuledOut{},
		Missing:   []MissingRow{},
	}
	for _, f := range res.Inventory {
		d.Inventory = append(d.Inventory, FileEntry{Path: clean(f.Path), Kind: f.Kind, Status: f.Status, Size: f.Size,
			Records: f.Records, Problems: cleanAll(evidence.ProblemTexts(f.Problems)), Notes: cleanAll(f.Notes)})
	}
	for _, f := range res.Outcome.Findings {
		d.Findings = append(d.Findings, buildFinding(f))
	}
	for _, r := range res.Outcome.RuledOut {
		d.RuledOut = append(d.RuledOut, RuledOut(r))
	}
	for _, m := range res.Outcome.Missing {
		d.Missing = append(d.Missing, MissingRow{Input: m.Input, What: m.What, Decides: nonNil(m.Decides), Collect: m.Collect})
	}
	// The views are copied before cleaning: the analysis result stays as
	// analyze decided it.
	d.Chains = copyView(res.ChainView)
	d.Timeline = copyView(res.Timeline)
	cleanStrings(&d.Chains)
	cleanStrings(&d.Timeline)
	return d
}

func buildFinding(f rules.Finding) Finding {
	out := Finding{
		Cause: f.Cause.ID, Title: f.Cause.Title, Area: f.Cause.Area, Severity: f.Severity,
		Confidence: f.Confidence, Explanation: f.Cause.Explanation,
		VMs: cleanAll(f.VMs), Files: cleanAll(f.Files),
		Signals: []Signal{}, Evidence: []Evidence{}, Against: []Evidence{}, Resolution: []Step{},
	}
	for _, s := range f.Signals {
		out.Signals = append(out.Signals, Signal{ID: s.ID, Says: s.Says, Weight: s.Weight, Count: s.Count})
	}
	for _, c := range f.Evidence {
		out.Evidence = append(out.Evidence, cited(c))
	}
	for _, c := range f.Against {
		out.Against = append(out.Against, cited(c))
	}
	for _, s := range f.Resolution {
		// Commands carry paths and names from the bundle.
		out.Resolution = append(out.Resolution, Step{Text: s.Text, Command: clean(s.Command), Risk: s.Risk, Warning: s.Warning})
	}
	return out
}

func cited(c rules.Cited) Evidence {
	e := Evidence{Source: clean(c.Source), Locator: c.At.String(), Summary: clean(c.Summary), Signal: c.Signal}
	if !c.Time.IsZero() {
		e.Time = c.Time.UTC().Format(time.RFC3339Nano)
	}
	return e
}

// copyView deep-copies a view through JSON, the form it is rendered in.
func copyView[T any](v T) T {
	b, err := json.Marshal(v)
	if err != nil {
		panic("report: a view that cannot be marshalled: " + err.Error()) // a programming error, caught by every test
	}
	var out T
	if err := json.Unmarshal(b, &out); err != nil {
		panic("report: a view that does not round-trip: " + err.Error())
	}
	return out
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// clean removes control characters from text that came from the bundle
// (file names, event text, VM names). Every format is safer without them:
// an escape sequence would drive a terminal, and HTML and JSON consumers
// choke on raw control bytes. Newlines and tabs stay; each writer decides
// how to show them.
func clean(s string) string {
	if strings.IndexFunc(s, isBadControl) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isBadControl(r) {
			return '\uFFFD'
		}
		return r
	}, s)
}

func isBadControl(r rune) bool {
	return (unicode.IsControl(r) && r != '\n' && r != '\t') || r == '\u2028' || r == '\u2029'
}

func cleanAll(list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = clean(s)
	}
	return out
}
