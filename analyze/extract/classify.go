package extract

import (
	"bytes"
	"path"
	"strings"

	"github.com/hvtriage/hvtriage/cmdout"
	"github.com/hvtriage/hvtriage/evtx"
	"github.com/hvtriage/hvtriage/wintext"
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

// Head is a file's first bytes as classification read them, and what the
// sniffers made of them. The sniffers share it: the decoded text, the
// events-as-text sniff and the parse of a whole small output are each
// computed at most once, on first use, so the cheap checks run before the
// costly ones.
type Head struct {
	name  string
	ext   string // lower-case extension of name
	bytes []byte
	whole bool // bytes is the whole file

	binary, binaryDone bool

	text           string // bytes decoded, computed on first use
	decodeProblems []cmdout.Problem
	textDone       bool

	events, eventsDone bool // evtx.SniffDecoded, computed on first use
	// The parse of the whole text by cmdout.SniffDoc, kept for extraction.
	doc         *cmdout.Doc
	docKind     string
	docProblems []cmdout.Problem
}

// NewHead wraps the first bytes of the file name; whole says head is the
// whole file.
func NewHead(name string, head []byte, whole bool) *Head {
	return &Head{name: name, ext: strings.ToLower(path.Ext(name)), bytes: head, whole: whole}
}

// isBinary tells binary content from text (isBinary), computed once.
func (h *Head) isBinary() bool {
	if !h.binaryDone {
		h.binary, h.binaryDone = isBinary(h.bytes), true
	}
	return h.binary
}

// decoded is the head decoded as text, computed once.
func (h *Head) decoded() string {
	if !h.textDone {
		if h.whole {
			h.text, _, h.decodeProblems = wintext.Decode(h.bytes)
		} else {
			// The head was cut from a longer file, maybe inside a
			// character.
			h.text, _, h.decodeProblems = wintext.DecodePrefix(h.bytes)
		}
		h.text = wintext.Mend(h.text)
		h.textDone = true
	}
	return h.text
}

// textEvents says whether the head is events as text (evtx.SniffDecoded,
// on the text the other sniffers read: the head is decoded once).
func (h *Head) textEvents() bool {
	if !h.eventsDone {
		h.events, h.eventsDone = evtx.SniffDecoded(h.decoded()), true
	}
	return h.events
}

// outputKind is cmdout.Sniff's answer; for a whole file the parse is kept.
func (h *Head) outputKind() cmdout.Kind {
	if !h.whole {
		return cmdout.Sniff(h.decoded())
	}
	k, doc, problems := cmdout.SniffDoc(h.decoded())
	h.doc, h.docKind, h.docProblems = doc, string(k), problems
	return k
}

// parsed is the whole small command output of kind as classification
// parsed it, or nil: extraction then does not read, decode and parse it
// again.
func (h *Head) parsed(kind string) *parsedText {
	if h == nil || h.doc == nil || h.docKind != kind {
		return nil
	}
	return &parsedText{text: h.text, decodeProblems: h.decodeProblems, doc: h.doc, parseProblems: h.docProblems}
}

// parsedText is a whole small command output as classification read it.
type parsedText struct {
	text           string
	decodeProblems []cmdout.Problem
	doc            *cmdout.Doc
	parseProblems  []cmdout.Problem
}

// Claim is what a sniffer says about a file: the inventory kind it reads
// the file as, and a note when the name and the content disagree (a
// ".evtx" that is not an event log), which becomes a problem in the
// inventory. The zero Claim claims nothing.
type Claim struct {
	Kind string
	Note string
}

// Classification is what a file was recognized as, and by which extractor
// (nil when none claimed it).
type Classification struct {
	Claim
	Extractor Extractor
	Head      *Head
}

// Classify recognizes a file by trying the extractors' sniffers in list
// order; the first claim wins, as image/format.go's sniff does. Content
// comes first and the name second: bundles are full of renamed, truncated
// and mis-suffixed files, and a name is only a hint. A file no sniffer
// claims is KindUnknown.
func Classify(list []Extractor, h *Head) Classification {
	for _, x := range list {
		if c := x.Sniff(h); c != (Claim{}) {
			return Classification{Claim: c, Extractor: x, Head: h}
		}
	}
	return Classification{Claim: Claim{Kind: KindUnknown}, Head: h}
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
