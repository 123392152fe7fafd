package report

import (
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/hvtriage/hvtriage/rules"
)

// Terminal writes the short summary printed when no report file is asked
// for. color adds ANSI colours to severities; callers pass false when
// NO_COLOR is set or the output is not a terminal.
func Terminal(w io.Writer, d *Document, color bool) error {
	fmt.Fprintf(w, "hvtriage: %s (%d files, %d bytes)\n\n", plain(d.Bundle.Name), d.Bundle.Files, d.Bundle.Bytes)
	if len(d.Findings) == 0 {
		fmt.Fprintln(w, "No finding.")
	} else {
		t := tablewriter.NewTable(w,
			tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{Symbols: tw.NewSymbols(tw.StyleASCII)})),
			tablewriter.WithHeaderAutoFormat(tw.Off),
			tablewriter.WithHeaderAlignment(tw.AlignLeft),
			tablewriter.WithRowAlignment(tw.AlignLeft),
			tablewriter.WithRowAutoWrap(tw.WrapNone),
		)
		t.Header([]string{"Severity", "Conf", "Cause", "Title", "VMs", "Key evidence"})
		for _, f := range d.Findings {
			key := ""
			if len(f.Evidence) > 0 {
				key = plain(f.Evidence[0].Source + " " + f.Evidence[0].Locator)
			}
			if err := t.Append([]string{severityLabel(f.Severity, color), confidence(f.Confidence), f.Cause,
				f.Title, plain(strings.Join(f.VMs, ", ")), key}); err != nil {
				return err
			}
		}
		if err := t.Render(); err != nil {
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
