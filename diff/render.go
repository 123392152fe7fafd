package diff

import (
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"strings"
	"unicode"
)

// label is how a status reads in text.
func label(s Status) string {
	switch s {
	case New:
		return "new"
	case StillThere:
		return "still there"
	case Unverifiable:
		return "no longer checkable"
	}
	return "fixed"
}

// Confidence reads "0.90 → 0.75", "0.90 → –" or "– → 0.40".
func (e Entry) Confidence() string {
	f := func(p *float64) string {
		if p == nil {
			return "–"
		}
		return fmt.Sprintf("%.2f", *p)
	}
	return f(e.Before) + " → " + f(e.After)
}

// VMList is the VMs joined for text, "–" for none.
func (e Entry) VMList() string {
	if len(e.VMs) == 0 {
		return "–"
	}
	return strings.Join(e.VMs, ", ")
}

// Label is the status as text.
func (e Entry) Label() string { return label(e.Status) }

// Summary is the one-line count, e.g. "1 new, 2 still there, 0 no longer
// checkable, 3 fixed".
func (d *Diff) Summary() string {
	var parts []string
	for _, c := range d.Counts {
		parts = append(parts, fmt.Sprintf("%d %s", c.N, label(c.Status)))
	}
	return strings.Join(parts, ", ")
}

// plain keeps bundle text from driving a terminal or breaking a table.
func plain(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

// WriteJSON writes the diff as indented JSON.
func (d *Diff) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(d)
}

// WriteText writes the terminal summary.
func (d *Diff) WriteText(w io.Writer) error {
	fmt.Fprintf(w, "hvtriage diff: %s → %s\n%s\n", plain(d.Before), plain(d.After), d.Summary())
	for _, n := range d.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	for _, e := range d.Entries {
		fmt.Fprintf(w, "\n  %-20s %-8s %-12s %s (%s)", e.Label(), e.Severity, e.Confidence(), e.Cause, plain(e.VMList()))
		for _, m := range e.Missing {
			fmt.Fprintf(w, "\n      missing %s: %s", m.Input, plain(m.Collect))
		}
	}
	_, err := fmt.Fprintln(w)
	return err
}

// mdCell escapes text for a Markdown table cell.
func mdCell(s string) string {
	s = plain(s)
	r := strings.NewReplacer("|", "\\|", "\\", "\\\\", "`", "\\`", "*", "\\*", "_", "\\_", "<", "&lt;", ">", "&gt;", "[", "\\[", "]", "\\]")
	return r.Replace(s)
}

// WriteMarkdown writes the diff for a ticket.
func (d *Diff) WriteMarkdown(w io.Writer) error {
	fmt.Fprintf(w, "# hvtriage diff\n\nBefore: %s  \nAfter: %s\n\n%s\n", mdCell(d.Before), mdCell(d.After), d.Summary())
	for _, n := range d.Notes {
		fmt.Fprintf(w, "\n> %s\n", mdCell(n))
	}
	if len(d.Entries) > 0 {
		fmt.Fprintf(w, "\n| Status | Severity | Confidence | Cause | VMs |\n|---|---|---|---|---|\n")
		for _, e := range d.Entries {
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", e.Label(), e.Severity, e.Confidence(), mdCell(e.Cause), mdCell(e.VMList()))
		}
	}
	for _, e := range d.Entries {
		if len(e.Missing) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n**%s** can no longer be checked; collect:\n\n", mdCell(e.Cause))
		for _, m := range e.Missing {
			fmt.Fprintf(w, "- %s: `%s`\n", mdCell(m.What), strings.ReplaceAll(plain(m.Collect), "`", "'"))
		}
	}
	return nil
}

var page = template.Must(template.New("diff").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>hvtriage diff</title>
<style>body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}
.new{background:#fde2e2}.still-there{background:#fff4d6}.no-longer-checkable{background:#eee}.fixed{background:#e2f6e2}code{white-space:pre-wrap}</style>
</head><body>
<h1>hvtriage diff</h1>
<p>Before: {{.Before}}<br>After: {{.After}}</p>
<p>{{.Summary}}</p>
{{range .Notes}}<p><strong>Note:</strong> {{.}}</p>{{end}}
{{if .Entries}}<table><thead><tr><th>Status</th><th>Severity</th><th>Confidence</th><th>Cause</th><th>VMs</th><th>To collect</th></tr></thead><tbody>
{{range .Entries}}<tr class="{{.Status}}"><td>{{.Label}}</td><td>{{.Severity}}</td><td>{{.Confidence}}</td><td>{{.Cause}}<br><small>{{.Title}}</small></td><td>{{.VMList}}</td>
<td>{{range .Missing}}{{.What}}: <code>{{.Collect}}</code><br>{{end}}</td></tr>
{{end}}</tbody></table>{{end}}
</body></html>
`))

// WriteHTML writes a self-contained page without scripts.
func (d *Diff) WriteHTML(w io.Writer) error { return page.Execute(w, d) }

// Write renders the diff in a format: json, md, html or text.
func (d *Diff) Write(w io.Writer, format string) error {
	switch format {
	case "json":
		return d.WriteJSON(w)
	case "md":
		return d.WriteMarkdown(w)
	case "html":
		return d.WriteHTML(w)
	case "text", "":
		return d.WriteText(w)
	}
	return fmt.Errorf("unknown diff format %q (want json, md, html or text)", format)
}
