package report

import (
	"bufio"
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
	// indents into a buffer grown by doubling from nothing: a report of a
	// large bundle is megabytes, and most of the encoding's time went to
	// growing, zeroing and paging in that buffer. The compact encoding is
	// indented on its way out instead.
	bw := bufio.NewWriterSize(w, 64<<10)
	writeIndented(bw, compact.Bytes())
	return bw.Flush()
}

// writeIndented writes src, compact JSON as encoding/json writes it (no
// space outside strings), indented by two spaces a level as json.Indent
// with no prefix indents it: a new line after an opening bracket, a comma
// and before a closing bracket, a space after a colon, and an empty object
// or list kept as "{}" or "[]". Everything else, strings included, is
// copied as it is, a run of bytes at a time.
func writeIndented(w *bufio.Writer, src []byte) {
	depth := 0
	newline := func() {
		w.WriteByte('\n')
		for range depth {
			w.WriteString("  ")
		}
	}
	for i := 0; i < len(src); {
		c := src[i]
		switch c {
		case '"':
			j := stringEnd(src, i)
			w.Write(src[i:j])
			i = j
			continue
		case '{', '[':
			w.WriteByte(c)
			if i+1 < len(src) && (src[i+1] == '}' || src[i+1] == ']') {
				w.WriteByte(src[i+1])
				i += 2
				continue
			}
			depth++
			newline()
		case '}', ']':
			depth--
			newline()
			w.WriteByte(c)
		case ',':
			w.WriteByte(c)
			newline()
		case ':':
			w.WriteString(": ")
		default:
			j := i + 1
			for j < len(src) && !isJSONPunct(src[j]) {
				j++
			}
			w.Write(src[i:j])
			i = j
			continue
		}
		i++
	}
}

// stringEnd returns the index after the JSON string that starts at
// src[i], a quote.
func stringEnd(src []byte, i int) int {
	for j := i + 1; j < len(src); j++ {
		switch src[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(src)
}

func isJSONPunct(c byte) bool {
	switch c {
	case '"', '{', '[', '}', ']', ',', ':':
		return true
	}
	return false
}
