package report

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"
	"time"
)

//go:embed templates/report.html.tmpl
var templateFS embed.FS

// htmlTemplate is parsed once; html/template escapes every value by
// context, which matters because file names, VM names and event text come
// from the customer's bundle. No function here returns template.HTML, and
// the only template.CSS is a width computed from a number.
var htmlTemplate = template.Must(template.New("report.html.tmpl").Funcs(template.FuncMap{
	"percent":      confidence,
	"percentWidth": func(c float64) template.CSS { return template.CSS(fmt.Sprintf("%d%%", int(c*100+0.5))) },
	"join":         strings.Join,
	"bytes":        func(n int64) string { return bytesIEC(uint64(max(n, 0))) },
	"f1":           func(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) },
	"add":          addNum,
	"shortTime":    shortTime,
	"notIn": func(n int, list []numbered) bool {
		for _, x := range list {
			if x.Num == n {
				return false
			}
		}
		return true
	},
}).ParseFS(templateFS, "templates/report.html.tmpl"))

// HTML writes one self-contained page: inline CSS and SVG, no scripts, no
// external resources, and a Content-Security-Policy that forbids loading
// any.
type HTML struct{}

// Write renders the document.
func (HTML) Write(w io.Writer, d *Document) error {
	var buf bytes.Buffer
	if err := htmlTemplate.Execute(&buf, buildHTMLView(d)); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// addNum adds a constant to a layout coordinate (int or float64).
func addNum(a any, b float64) float64 {
	switch v := a.(type) {
	case int:
		return float64(v) + b
	case float64:
		return v + b
	}
	return b
}

// shortTime prints an RFC 3339 time as "2006-01-02 15:04:05" (UTC), with
// the fraction only when there is one.
func shortTime(s string) string {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return s
	}
	t = t.UTC()
	if t.Nanosecond() != 0 {
		return t.Format("2006-01-02 15:04:05.000")
	}
	return t.Format("2006-01-02 15:04:05")
}
