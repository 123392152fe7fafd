package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
)

// Writer renders a Document in one format. Writers never close w.
type Writer interface {
	Write(w io.Writer, d *Document) error
}

// writers is the registry of formats; adding a format is one type and one
// entry here.
var writers = map[string]Writer{
	"json": JSON{},
	"md":   Markdown{},
	"html": HTML{},
}

// Formats lists the file formats, sorted.
func Formats() []string {
	var out []string
	for f := range writers {
		out = append(out, f)
	}
	slices.Sort(out)
	return out
}

// New returns the writer for a format name.
func New(format string) (Writer, error) {
	w, ok := writers[strings.ToLower(format)]
	if !ok {
		return nil, fmt.Errorf("unknown report format %q (want one of %s)", format, strings.Join(Formats(), ", "))
	}
	return w, nil
}

// FormatFromPath picks a format from a file extension ("" when it tells
// nothing).
func FormatFromPath(p string) string {
	switch strings.ToLower(filepath.Ext(p)) {
	case ".json":
		return "json"
	case ".md", ".markdown":
		return "md"
	case ".html", ".htm":
		return "html"
	}
	return ""
}

// JSON writes the contract's JSON report.
type JSON struct{}

// Write encodes the document with stable indentation.
func (JSON) Write(w io.Writer, d *Document) error {
	var compact bytes.Buffer
	enc := json.NewEncoder(&compact)
	// Commands hold "&&" and "<path>": keep them readable; JSON consumers
	// do not need HTML-safe escaping.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(d); err != nil {
		return err
	}
	// The same bytes as an Encoder with SetIndent("", "  ") writes, which
	// indents into a buffer grown by doubling from nothing (a report of a
	// large bundle is megabytes: most of the encoding's time went to
	// growing and copying it). json.Indent makes room for twice the
	// compact size at once; an indented report is about 1.5 times it.
	var out bytes.Buffer
	if err := json.Indent(&out, compact.Bytes(), "", "  "); err != nil {
		return err
	}
	_, err := w.Write(out.Bytes())
	return err
}
