package analyze

import (
	"io"

	"github.com/hvtriage/hvtriage/analyze/extract"
)

// Inventory kinds for binary and XML content (extract's); text kinds come
// from cmdout.Sniff.
const (
	KindEVTX           = extract.KindEVTX
	KindEVTXXML        = extract.KindEVTXXML
	KindEVTXText       = extract.KindEVTXText
	KindVHDX           = extract.KindVHDX
	KindVHD            = extract.KindVHD
	KindZip            = extract.KindZip
	KindLocaleMetadata = extract.KindLocaleMetadata
	KindFreeText       = extract.KindFreeText
	KindBackupLog      = extract.KindBackupLog
	KindUnknown        = extract.KindUnknown
)

// AttrDamagedRecord marks evidence from a record decoded out of damaged
// bytes (extract.AttrDamagedRecord).
const AttrDamagedRecord = extract.AttrDamagedRecord

// headSize is how much of a file classification reads: enough for every
// magic and for the first lines of a text output, even in UTF-16.
const headSize = 16 << 10

// classify recognizes a file from its head with the default extractors.
func classify(name string, head []byte) extract.Classification {
	return extract.Classify(extract.Default(), extract.NewHead(name, head, false))
}

// readHead reads the first bytes of an entry.
func readHead(e *Entry) ([]byte, error) {
	if e.hasHead {
		// Read as the folder was listed; the entry lets go of it.
		head := e.head
		e.head, e.hasHead = nil, false
		return head, nil
	}
	rc, err := e.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	buf := make([]byte, min(e.Size, headSize))
	n, err := io.ReadFull(rc, buf)
	if err == io.ErrUnexpectedEOF || err == io.EOF {
		err = nil
	}
	return buf[:n], err
}

// Classify tells what an entry is the way Run sorts files: one of the Kind
// constants above or a cmdout.Kind, and a note when the name and the content
// disagree. Other tools that walk a bundle (the redactor) use it so that a
// file is treated as the analysis will read it.
func Classify(e *Entry) (kind, note string, err error) {
	head, err := readHead(e)
	if err != nil {
		return KindUnknown, "", err
	}
	c := classify(e.Path, head)
	return c.Kind, c.Note, nil
}
