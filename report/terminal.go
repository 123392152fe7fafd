package report

import (
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/hvtriage/hvtriage/rules"
)

// Terminal writes the short summary printed when no report file is asked
// for. color adds ANSI colours to severities; callers pass false when
// NO_COLOR is set or the output is not a terminal.
func Terminal(w io.Writer, d *Document, color bool) error {
	fmt.Fprintf(w, "hvtriage: %s (%d files, %d bytes)\n\n", plain(d.Bundle.Name), d.Bundle.Files, d.Bundle.Bytes)
	fmt.Fprintln(w, stateLabel(d.Verdict, color)+" "+d.Verdict.Detail())
	if d.Verdict.Inconclusive() {
		terminalInconclusive(w, d)
	}
	if len(d.Findings) > 0 {
		fmt.Fprintln(w)
		var rows [][]string
		for _, f := range d.Findings {
			key := ""
			if len(f.Evidence) > 0 {
				key = plain(f.Evidence[0].Source + " " + f.Evidence[0].Locator)
			}
			rows = append(rows, []string{severityLabel(f.Severity, color), confidence(f.Confidence), f.Cause,
				f.Title, plain(strings.Join(f.VMs, ", ")), key})
		}
		if err := TextTable(w, []string{"Severity", "Conf", "Cause", "Title", "VMs", "Key evidence"}, rows); err != nil {
			return err
		}
	}
	problems := 0
	for _, f := range d.Inventory {
		if len(f.Problems) > 0 {
			problems++
		}
	}
	_, err := fmt.Fprintf(w, "\n%d finding(s), %d cause(s) ruled out, %d input(s) missing, %d of %d file(s) with problems.\nWrite a full report with -o report.html (or .md, .json).\n",
		len(d.Findings), len(d.RuledOut), len(d.Missing), problems, len(d.Inventory))
	return err
}

// terminalInconclusive lists what the bundle holds and the first inputs
// to collect.
func terminalInconclusive(w io.Writer, d *Document) {
	if len(d.Verdict.Unread) > 0 {
		fmt.Fprintln(w, "\nWhat the bundle holds:")
		for _, g := range d.Verdict.Unread {
			fmt.Fprintf(w, "  %s\n", plain(g.String()))
		}
	}
	steps := collectSteps(d, maxCollect)
	if len(steps) == 0 {
		fmt.Fprintln(w, "\nCollect a new bundle with the Hyper-V event logs and command outputs, and analyze it again.")
		return
	}
	fmt.Fprintln(w, "\nCollect these first, then analyze again (the full list is in the report's missing evidence):")
	for i, s := range steps {
		fmt.Fprintf(w, "  %d. %s\n     %s\n", i+1, s.Text, plain(s.Command))
	}
}

var stateColors = map[string]string{StateFindings: "\x1b[1;31m", StateClean: "\x1b[1;32m", StateInconclusive: "\x1b[1;33m"}

// stateLabel is the verdict's state in capitals, coloured on request.
func stateLabel(v Verdict, color bool) string {
	label := strings.ToUpper(v.State)
	if !color || stateColors[v.State] == "" {
		return label + ":"
	}
	return stateColors[v.State] + label + "\x1b[0m:"
}

var severityColors = map[rules.Severity]string{
	rules.Critical: "\x1b[1;97;41m", rules.High: "\x1b[1;31m", rules.Medium: "\x1b[33m", rules.Low: "\x1b[36m", rules.Info: "\x1b[2m",
}

func severityLabel(s rules.Severity, color bool) string {
	label := strings.ToUpper(s.String())
	if !color {
		return label
	}
	return severityColors[s] + label + "\x1b[0m"
}

// plain removes control characters (escape sequences included) from text
// that came from the bundle, so a crafted file name cannot drive the
// user's terminal.
func plain(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return '?'
		}
		return r
	}, s)
}
