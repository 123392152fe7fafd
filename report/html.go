package report

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io"
	"strings"
)

//go:embed templates/report.html.tmpl
var templateFS embed.FS

// htmlTemplate is parsed once; html/template escapes every value by
// context, which matters because file names, VM names and event text come
// from the customer's bundle.
var htmlTemplate = template.Must(template.New("report.html.tmpl").Funcs(template.FuncMap{
	"percent":      confidence,
	"percentWidth": func(c float64) template.CSS { return template.CSS(fmt.Sprintf("%d%%", int(c*100+0.5))) },
	"join":         strings.Join,
	"firstSteps":   firstSteps,
}).ParseFS(templateFS, "templates/report.html.tmpl"))

// HTML writes one self-contained page: inline CSS, no scripts, no external
// resources, and a Content-Security-Policy that forbids loading any.
type HTML struct{}

// Write renders the document.
func (HTML) Write(w io.Writer, d *Document) error {
	var buf bytes.Buffer
	if err := htmlTemplate.Execute(&buf, d); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}
