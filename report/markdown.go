package report

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/hvtriage/hvtriage/rules"
	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// Markdown writes GitHub-flavoured Markdown that pastes into a ticket.
type Markdown struct{}

// mdCell escapes text from the bundle for a table cell: tablewriter's
// Markdown renderer escapes nothing, a "|" would split the cell and a
// newline would start a new row.
var mdCell = strings.NewReplacer(`\`, `\\`, `|`, `\|`, "&", "&amp;", "<", "&lt;", ">", "&gt;",
	"`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "\r\n", "<br>", "\n", "<br>", "\r", "<br>")

// mdInline escapes text from the bundle inside a paragraph or heading.
var mdInline = strings.NewReplacer(`\`, `\\`, "&", "&amp;", "<", "&lt;", ">", "&gt;", "`", "\\`",
	"*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "#", `\#`, "|", `\|`, "\r\n", " ", "\n", " ", "\r", " ")

// Write renders the document.
func (Markdown) Write(w io.Writer, d *Document) error {
	m := &mdWriter{w: w}
	m.printf("# hvtriage report: %s\n\n", mdInline.Replace(d.Bundle.Name))
	m.printf("Bundle %s, %d files, %d bytes, SHA-256 `%s`. Written by %s %s.\n\n",
		mdInline.Replace(d.Bundle.Name), d.Bundle.Files, d.Bundle.Bytes, d.Bundle.SHA256, d.Tool.Name, d.Tool.Version)

	m.printf("## Verdict\n\n")
	m.printf("**%s**\n\n", d.Verdict.Summary())
	switch {
	case d.Verdict.Inconclusive():
		m.inconclusive(d)
	case len(d.Findings) == 0:
		m.printf("Nothing in the evidence points to a documented cause. See the missing evidence below for what would decide the remaining causes.\n\n")
	default:
		rows := [][]string{}
		for _, f := range d.Findings {
			rows = append(rows, []string{f.Severity.String(), confidence(f.Confidence), "`" + f.Cause + "`", f.Title, mdCell.Replace(strings.Join(f.VMs, ", "))})
		}
		m.table([]string{"Severity", "Confidence", "Cause", "Title", "VMs"}, rows)
		var vms []string
		for _, f := range d.Findings {
			for _, vm := range f.VMs {
				if !slices.Contains(vms, vm) {
					vms = append(vms, vm)
				}
			}
		}
		if len(vms) > 0 {
			m.printf("VMs affected: %s.\n\n", mdInline.Replace(strings.Join(vms, ", ")))
		}
		if steps := firstSteps(d, 3); len(steps) > 0 {
			m.printf("First things to do:\n\n")
			m.steps(steps)
		}
	}

	m.timeline(d)

	m.printf("## Findings\n\n")
	if d.Verdict.Inconclusive() && len(d.Findings) == 0 {
		m.printf("None could be decided: no file of this bundle gave usable evidence.\n\n")
	}
	for _, f := range d.Findings {
		m.finding(f)
	}

	m.vms(d)

	m.printf("## Ruled out\n\n")
	if len(d.RuledOut) == 0 {
		m.printf("Nothing could be ruled out with the evidence in this bundle.\n\n")
	} else {
		rows := [][]string{}
		for _, r := range d.RuledOut {
			rows = append(rows, []string{"`" + r.Cause + "`", r.Why})
		}
		m.table([]string{"Cause", "Why"}, rows)
	}

	m.printf("## Missing evidence\n\n")
	if len(d.Missing) == 0 {
		m.printf("The bundle holds every input the rules need.\n\n")
	} else {
		rows := [][]string{}
		for _, x := range d.Missing {
			rows = append(rows, []string{x.What, "`" + strings.Join(x.Decides, "`, `") + "`", "`" + codeSafe(x.Collect) + "`"})
		}
		m.table([]string{"What", "Decides", "How to collect"}, rows)
	}

	m.printf("## Bundle inventory\n\n")
	rows := [][]string{}
	for _, f := range d.Inventory {
		notes := f.Problems
		for _, n := range f.Notes {
			notes = append(notes, "note: "+n)
		}
		rows = append(rows, []string{mdCell.Replace(f.Path), f.Kind, f.Status, strconv.Itoa(f.Records), mdCell.Replace(strings.Join(notes, "; "))})
	}
	m.table([]string{"File", "Kind", "Status", "Records", "Problems"}, rows)
	return m.err
}

// inconclusive says what the bundle holds and what to collect, when no
// file of it gave usable evidence.
func (m *mdWriter) inconclusive(d *Document) {
	if len(d.Verdict.Unread) > 0 {
		m.printf("What the bundle holds:\n\n")
		for _, g := range d.Verdict.Unread {
			m.printf("- %s\n", mdInline.Replace(g.String()))
		}
		m.printf("\n")
	}
	if steps := collectSteps(d, maxCollect); len(steps) > 0 {
		m.printf("Collect these first and analyze again (every input is listed under Missing evidence):\n\n")
		m.steps(steps)
	} else {
		m.printf("Collect a new bundle with the Hyper-V event logs and command outputs, and analyze it again.\n\n")
	}
}

func (m *mdWriter) finding(f Finding) {
	m.printf("### %s: %s\n\n", strings.ToUpper(f.Severity.String()), f.Title)
	m.printf("Cause `%s`, confidence %s.", f.Cause, confidence(f.Confidence))
	if len(f.VMs) > 0 {
		m.printf(" VMs: %s.", mdInline.Replace(strings.Join(f.VMs, ", ")))
	}
	m.printf("\n\n%s\n\n", f.Explanation)
	m.printf("Evidence:\n\n")
	m.evidence(f.Evidence)
	if len(f.Against) > 0 {
		m.printf("Evidence against:\n\n")
		m.evidence(f.Against)
	}
	m.printf("Resolution:\n\n")
	m.steps(f.Resolution)
}

func (m *mdWriter) steps(steps []Step) {
	for i, s := range steps {
		m.printf("%d. %s *(%s)*\n", i+1, s.Text, s.Risk)
		if s.Warning != "" {
			m.printf("   **Warning:** %s\n", s.Warning)
		}
		if s.Command != "" {
			m.fenced("powershell", s.Command, "   ")
		}
	}
	m.printf("\n")
}

// fenced writes text verbatim in a code block whose fence no backtick run
// of the text can close.
func (m *mdWriter) fenced(lang, text, indent string) {
	fence := fenceFor(text)
	text = strings.TrimSuffix(text, "\n")
	m.printf("\n%s%s%s\n%s%s\n%s%s\n", indent, fence, lang, indent, strings.ReplaceAll(text, "\n", "\n"+indent), indent, fence)
}

func (m *mdWriter) evidence(list []Evidence) {
	rows := [][]string{}
	for _, e := range list {
		rows = append(rows, []string{mdCell.Replace(e.Source), e.Locator, shortTime(e.Time), mdCell.Replace(e.Summary)})
	}
	m.table([]string{"Source", "Where", "Time (UTC)", "What"}, rows)
}

type mdWriter struct {
	w   io.Writer
	err error
}

func (m *mdWriter) printf(format string, args ...any) {
	if m.err == nil {
		_, m.err = fmt.Fprintf(m.w, format, args...)
	}
}

func (m *mdWriter) table(header []string, rows [][]string) {
	if m.err != nil {
		return
	}
	t := tablewriter.NewTable(m.w,
		tablewriter.WithRenderer(renderer.NewMarkdown()),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignment(tw.AlignLeft),
		tablewriter.WithRowAutoWrap(tw.WrapNone),
		tablewriter.WithHeaderAutoWrap(tw.WrapNone),
	)
	t.Header(header)
	if err := t.Bulk(rows); err != nil {
		m.err = err
		return
	}
	if err := t.Render(); err != nil {
		m.err = err
		return
	}
	m.printf("\n")
}

// fenceFor returns a code fence longer than any backtick run in s, so a
// command cannot close its own block.
func fenceFor(s string) string {
	longest, run := 0, 0
	for _, c := range s {
		if c == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return strings.Repeat("`", max(3, longest+1))
}

// codeSafe makes text safe inside an inline code span in a table cell.
func codeSafe(s string) string {
	return strings.NewReplacer("`", "'", "|", `\|`, "\n", " ", "\r", " ").Replace(s)
}

func confidence(c float64) string { return strconv.Itoa(int(c*100+0.5)) + "%" }

// firstSteps picks what to do first without reading the whole report: the
// first step of each finding, most severe first, then the following steps
// of the top finding. Two findings asking for the same step (stop each VM
// concerned) make one step with both commands. A step that rewrites data
// is never among them: it belongs after its finding's copy step, read in
// its finding's full list with its warning.
func firstSteps(d *Document, n int) []Step {
	var out []Step
	add := func(s Step) {
		if s.Risk == rules.RiskRewritesData {
			return
		}
		for i := range out {
			if out[i].Text == s.Text && out[i].Warning == s.Warning {
				if s.Command != "" && !slices.Contains(strings.Split(out[i].Command, "\n"), s.Command) {
					out[i].Command = strings.TrimPrefix(out[i].Command+"\n"+s.Command, "\n")
				}
				return
			}
		}
		if len(out) < n {
			out = append(out, s)
		}
	}
	for _, f := range d.Findings {
		if len(f.Resolution) > 0 {
			add(f.Resolution[0])
		}
	}
	if len(d.Findings) > 0 {
		for _, s := range d.Findings[0].Resolution[min(1, len(d.Findings[0].Resolution)):] {
			if len(out) == n {
				break
			}
			add(s)
		}
	}
	return out
}
