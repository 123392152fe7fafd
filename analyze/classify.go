package analyze

import (
	"bytes"
	"io"
	"path"
	"strings"

	"github.com/hvtriage/hvtriage/cmdout"
	"github.com/hvtriage/hvtriage/evtx"
	"github.com/hvtriage/hvtriage/vhdx"
)

// Inventory kinds for binary and XML content; text kinds come from
// cmdout.Sniff.
const (
	KindEVTX           = "evtx"
	KindEVTXXML        = "evtx-xml"
	KindEVTXText       = "evtx-text" // events as text: Get-WinEvent, Get-EventLog, Event Viewer copies
	KindVHDX           = "vhdx-header"
	KindVHD            = "vhd-footer"
	KindZip            = "zip"
	KindLocaleMetadata = "locale-metadata"
	KindFreeText       = "free-text" // any other text that mentions a Hyper-V, VSS or storage failure
	KindUnknown        = "unknown"
)

// headSize is how much of a file classification reads: enough for every
// magic and for the first lines of a text output, even in UTF-16.
const headSize = 16 << 10

var mtaExtension = ".mta"

// classification is what a file was recognized as.
type classification struct {
	kind string
	// note explains a name/content disagreement, e.g. a ".evtx" that is not
	// an event log; it becomes a problem in the inventory.
	note string
	// parsed is the decoded and parsed text when the head was the whole
	// file and a command output: extraction then does not read, decode
	// and parse it again.
	parsed *parsedText
}

// parsedText is a whole small command output as classification read it.
type parsedText struct {
	text           string
	decodeProblems []cmdout.Problem
	doc            *cmdout.Doc
	parseProblems  []cmdout.Problem
}

// classify recognizes a file by its content first and its name second:
// bundles are full of renamed, truncated and mis-suffixed files, and a name
// is only a hint.
func classify(name string, head []byte) classification {
	return classifyHead(name, head, false)
}

// classifyHead is classify; whole says head is the whole file.
func classifyHead(name string, head []byte, whole bool) classification {
	ext := strings.ToLower(path.Ext(name))
	switch {
	case evtx.Detect(head):
		// A damaged file signature (one flipped bit is enough) does not
		// make the chunks behind it unreadable: the reader checks each
		// chunk's own signature and reports the bad file header.
		return classification{kind: KindEVTX}
	case vhdx.DetectHead(head) == vhdx.FormatVHDX:
		return classification{kind: KindVHDX}
	case vhdx.DetectHead(head) == vhdx.FormatVHD:
		return classification{kind: KindVHD}
	case ext == ".zip":
		// Real zips were opened by the bundle reader; one that reaches
		// classification did not have the zip signature.
		return classification{kind: KindUnknown, note: "named .zip but is not a zip archive"}
	case ext == mtaExtension && strings.Contains(strings.ToLower(name), "localemetadata"):
		// wevtutil's rendered-message archives: hvtriage renders from the
		// insertion strings and does not need them.
		return classification{kind: KindLocaleMetadata}
	}
	if isBinary(head) {
		switch ext {
		case ".vhd", ".avhd":
			// A fixed VHD has its only footer at the end of the file; the
			// disk reader checks it.
			return classification{kind: KindVHD}
		case ".evtx":
			return classification{kind: KindUnknown, note: "named .evtx but does not start with the event log signature"}
		case ".vhdx", ".avhdx":
			return classification{kind: KindUnknown, note: "named " + ext + " but does not start with the VHDX signature"}
		}
		return classification{kind: KindUnknown}
	}
	text, _, decodeProblems := cmdout.DecodeHead(head, len(head))
	sniff := &textSniff{text: text, head: head, whole: whole}
	for _, r := range textRecognizers {
		if k := r(sniff); k != "" {
			c := classification{kind: k}
			if sniff.doc != nil && k == sniff.docKind {
				c.parsed = &parsedText{text: text, decodeProblems: decodeProblems, doc: sniff.doc, parseProblems: sniff.docProblems}
			}
			return c
		}
	}
	return classification{kind: KindUnknown}
}

// textSniff is what the text recognizers look at. Each check is cheap
// before the costly ones (the events-as-text sniff, a parse of the head)
// run, and those run at most once, only when an earlier recognizer needs
// them.
type textSniff struct {
	text  string
	head  []byte
	whole bool // head is the whole file

	events, eventsDone bool // evtx.SniffText, computed on first use
	// The parse of the whole text by cmdout.SniffDoc, kept for extraction.
	doc         *cmdout.Doc
	docKind     string
	docProblems []cmdout.Problem
}

// textEvents says whether the head is events as text (evtx.SniffText).
func (s *textSniff) textEvents() bool {
	if !s.eventsDone {
		s.events, s.eventsDone = evtx.SniffText(s.head), true
	}
	return s.events
}

// outputKind is cmdout.Sniff's answer; for a whole file the parse is kept.
func (s *textSniff) outputKind() cmdout.Kind {
	if !s.whole {
		return cmdout.Sniff(s.text)
	}
	k, doc, problems := cmdout.SniffDoc(s.text)
	s.doc, s.docKind, s.docProblems = doc, string(k), problems
	return k
}

// textRecognizers decide a text file's kind, in order of precedence:
// structured readers first, free text last. The first that answers wins.
var textRecognizers = []func(*textSniff) string{
	// Event XML; Event Viewer's "Copy details as text" ends with the
	// event's XML but is read as text, which has the rendered message.
	func(s *textSniff) string {
		if evtx.SniffXML(s.text) && !s.textEvents() {
			return KindEVTXXML
		}
		return ""
	},
	// Command outputs, error records included.
	func(s *textSniff) string {
		if k := s.outputKind(); k != cmdout.KindUnknown {
			return string(k)
		}
		return ""
	},
	func(s *textSniff) string {
		if s.textEvents() {
			return KindEVTXText
		}
		return ""
	},
	// Backup products' own logs and job messages, recognized by their
	// structure (line layouts, message ID forms, banners).
	func(s *textSniff) string {
		if cmdout.SniffBackupLog(s.text) != nil {
			return KindBackupLog
		}
		return ""
	},
	// Free text: notes, mails, transcripts and tool logs that mention a
	// Hyper-V, VSS or storage failure.
	func(s *textSniff) string {
		if cmdout.HasMentions(s.text) {
			return KindFreeText
		}
		return ""
	},
}

// isBinary tells binary content from text in any encoding Windows writes.
// UTF-16 text is full of NUL bytes, but they sit on one parity only (the
// high bytes of Latin characters); binary data has NULs anywhere.
func isBinary(head []byte) bool {
	if len(head) == 0 {
		return false
	}
	if bytes.HasPrefix(head, []byte{0xFF, 0xFE}) || bytes.HasPrefix(head, []byte{0xFE, 0xFF}) {
		return false
	}
	var zeros [2]int
	controls := 0
	for i, c := range head {
		switch {
		case c == 0:
			zeros[i%2]++
		case c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f':
			controls++
		}
	}
	half := len(head) / 2
	if half >= 8 && controls*50 < len(head) {
		for p := range 2 {
			if zeros[p]*10 > half*6 && zeros[1-p]*20 < half {
				return false // UTF-16 without a BOM
			}
		}
	}
	return zeros[0]+zeros[1] > 0 || controls*20 > len(head)
}

// readHead reads the first bytes of an entry.
func readHead(e *Entry) ([]byte, error) {
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
	return c.kind, c.note, nil
}
