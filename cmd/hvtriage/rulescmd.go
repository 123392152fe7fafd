package main

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/hvtriage/hvtriage/evidence"
	"github.com/hvtriage/hvtriage/report"
	"github.com/hvtriage/hvtriage/rules"
)

// runRules prints the catalog, or explains one cause.
func runRules(args []string, stdout, stderr io.Writer) int {
	cat, err := rules.Default()
	if err != nil {
		fmt.Fprintf(stderr, "hvtriage: %v\n", err)
		return exitFailed
	}
	switch len(args) {
	case 0:
		if err := catalogTable(stdout, cat); err != nil {
			fmt.Fprintf(stderr, "hvtriage: %v\n", err)
			return exitFailed
		}
		return exitOK
	case 1:
		c := cat.Cause(args[0])
		if c == nil {
			fmt.Fprintf(stderr, "hvtriage rules: %v %q; `hvtriage rules` lists them\n", errUnknownCause, args[0])
			return exitUsage
		}
		explainCause(stdout, cat, c)
		return exitOK
	}
	fmt.Fprintf(stderr, "hvtriage rules: at most one CAUSE\n\n%s", usage)
	return exitUsage
}

func catalogTable(w io.Writer, cat *rules.Catalog) error {
	var rows [][]string
	for _, c := range cat.Causes {
		rows = append(rows, []string{c.ID, c.Area, c.Severity.String(), c.Title, evidenceUsed(c)})
	}
	if err := report.TextTable(w, []string{"ID", "Area", "Severity", "Cause", "Evidence used"}, rows); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "%d causes. `hvtriage rules CAUSE` explains one.\n", len(cat.Causes))
	return err
}

// evidenceUsed summarises the kinds of evidence a cause reads; the Go
// checks are counted (`hvtriage rules CAUSE` names them).
func evidenceUsed(c *rules.Cause) string {
	set := map[string]bool{}
	checks := 0
	for _, s := range c.Signals {
		switch {
		case s.Check != "":
			checks++
		case s.Kind == evidence.KindEvent:
			set["events"] = true
		default:
			set[string(s.Kind)] = true
		}
	}
	var out []string
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	switch checks {
	case 0:
	case 1:
		out = append(out, "1 Go check")
	default:
		out = append(out, fmt.Sprintf("%d Go checks", checks))
	}
	return strings.Join(out, ", ")
}

func explainCause(w io.Writer, cat *rules.Catalog, c *rules.Cause) {
	fmt.Fprintf(w, "%s: %s\nArea %s, severity %s.\n\n%s\n\n", c.ID, c.Title, c.Area, c.Severity, c.Explanation)
	fmt.Fprintln(w, "Raises confidence (weight, what it reads):")
	for _, s := range c.Signals {
		fmt.Fprintf(w, "  %.2f  %s\n        %s\n", s.Weight, s.Says, signalReads(s))
	}
	if len(c.Against) > 0 {
		fmt.Fprintln(w, "\nLowers confidence:")
		for _, s := range c.Against {
			fmt.Fprintf(w, "  %.2f  %s\n        %s\n", s.Weight, s.Says, signalReads(s))
		}
	}
	fmt.Fprintf(w, "\nRuled out when every input below is present and no signal fires: %s.\n\nInputs that decide it:\n", c.Clear)
	for _, id := range c.Needs {
		in := cat.Input(id)
		fmt.Fprintf(w, "  - %s\n      collect: %s\n", in.What, in.Collect)
	}
	fmt.Fprintln(w, "\nResolution:")
	for i, s := range c.Resolution {
		fmt.Fprintf(w, "  %d. [%s] %s\n", i+1, s.Risk, s.Text)
		if len(s.Signals) > 0 {
			fmt.Fprintf(w, "     only when: %s\n", strings.Join(s.Signals, ", "))
		}
		if s.Command != "" {
			fmt.Fprintf(w, "     > %s\n", s.Command)
		}
		if s.Warning != "" {
			fmt.Fprintf(w, "     Warning: %s\n", s.Warning)
		}
	}
}

func signalReads(s rules.Signal) string {
	if s.Check != "" {
		return "Go check " + s.Check
	}
	var parts []string
	for _, k := range sortedKeys(s.Equals) {
		parts = append(parts, k+"="+s.Equals[k])
	}
	for _, k := range sortedKeys(s.AnyOf) {
		parts = append(parts, k+" in ["+strings.Join(s.AnyOf[k], " ")+"]")
	}
	for _, k := range sortedKeys(s.Regex) {
		parts = append(parts, k+" ~ /"+s.Regex[k]+"/")
	}
	return string(s.Kind) + " where " + strings.Join(parts, ", ")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
