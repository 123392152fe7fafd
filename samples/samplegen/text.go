package samplegen

import (
	"archive/zip"
	"bytes"
	"fmt"
	"strings"
	"time"

	"golang.org/x/text/encoding/unicode"
)

// crlf turns a Go literal into Windows line endings.
func crlf(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n")
}

// utf16File encodes text the way Windows PowerShell 5.1's Out-File and ">"
// write it: UTF-16LE with a BOM and CRLF line endings.
func utf16File(s string) []byte {
	b, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes([]byte(crlf(s)))
	if err != nil {
		panic(err) // the generator's own literals are always encodable
	}
	return b
}

// asciiFile is cmd.exe redirection of ASCII-only output.
func asciiFile(s string) []byte { return []byte(crlf(s)) }

// vssWriter is one block of `vssadmin list writers`.
type vssWriter struct {
	Name, ID, Instance string
	State              int
	LastError          string
}

var writerStateText = map[int]string{0: "Unknown", 1: "Stable", 2: "Waiting for freeze", 3: "Waiting for thaw",
	4: "Waiting for post snapshot", 5: "Waiting for completion"}

// vssadminWriters composes `vssadmin list writers` output.
func vssadminWriters(ws []vssWriter) string {
	var b strings.Builder
	b.WriteString("vssadmin 1.1 - Volume Shadow Copy Service administrative command-line tool\n")
	b.WriteString("(C) Copyright 2001-2013 Microsoft Corp.\n\n")
	b.WriteString("Waiting for responses.\nThese may be delayed if a shadow copy is being prepared.\n\n")
	for _, w := range ws {
		state := writerStateText[w.State]
		if w.State >= 6 {
			state = "Failed"
		}
		fmt.Fprintf(&b, "Writer name: '%s'\n   Writer Id: {%s}\n   Writer Instance Id: {%s}\n   State: [%d] %s\n   Last error: %s\n\n",
			w.Name, w.ID, w.Instance, w.State, state, w.LastError)
	}
	return b.String()
}

// Well-known writer IDs (stable across Windows builds).
const (
	writerHyperV    = "66841cd4-6ded-4f4b-8f17-fd23f8ddc3de"
	writerSystem    = "e8132975-6f93-4464-a53e-1050253ae220"
	writerMetadata  = "75dfb225-e2e4-4d39-9ac9-ffaff65ddf06"
	writerScheduler = "d61d61c8-d73a-4eee-8cdd-f6f9786b7124"
	writerRegistry  = "afbab4a2-367d-4d15-a586-71dbb18f8485"
)

// zipEpoch fixes entry times so zips are byte-for-byte reproducible.
var zipEpoch = time.Date(2024, 3, 14, 9, 0, 0, 0, time.UTC)

// zipFiles packs files without compression: stored entries make the zip
// independent of the compressor's version, so the committed bytes stay
// reproducible.
func zipFiles(files map[string][]byte) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range sortedNames(files) {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store, Modified: zipEpoch})
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(files[name]); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
