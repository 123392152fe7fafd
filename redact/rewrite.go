package redact

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"unicode"
	"unicode/utf8"

	"github.com/hvtriage/hvtriage/analyze"
	"github.com/hvtriage/hvtriage/cmdout"
)

// rewriter redacts the files of some kinds. rewrite returns the new
// content and notes on parts of the file left out (damaged EVTX pieces), or
// an error saying why the file cannot be redacted safely; such a file is
// left out of the copy.
type rewriter struct {
	name    string
	kinds   func(kind string) bool
	rewrite func(ctx context.Context, m *Map, e *analyze.Entry) (data []byte, notes []string, err error)
}

// rewriters is tried in order; the first whose kinds include the file's
// kind (analyze.Classify) redacts it. Binary formats come first, then the
// XML formats (escaped names matter there), then every text kind, and
// last whatever was not recognized.
var rewriters = []rewriter{
	{"evtx", kindIs(analyze.KindEVTX), rewriteEVTX},
	{"vhdx", kindIs(analyze.KindVHDX), rewriteVHDX},
	{"vhd", kindIs(analyze.KindVHD), rewriteVHD},
	{"xml", kindIs(analyze.KindEVTXXML, string(cmdout.KindCliXML)), rewriteXML},
	{"locale-metadata", kindIs(analyze.KindLocaleMetadata), omit("wevtutil rendered-message archive (binary; the analysis does not read it)")},
	{"text", isTextKind, rewriteText},
	{"unknown", kindIs(analyze.KindUnknown), rewriteUnknown},
}

func kindIs(kinds ...string) func(string) bool {
	return func(k string) bool { return slices.Contains(kinds, k) }
}

func isTextKind(k string) bool {
	if k == analyze.KindEVTXText || k == analyze.KindFreeText || k == analyze.KindBackupLog {
		return true
	}
	return slices.Contains(cmdout.AllKinds(), cmdout.Kind(k))
}

// rewriterFor returns the rewriter of a kind, or nil.
func rewriterFor(kind string) *rewriter {
	for i := range rewriters {
		if rewriters[i].kinds(kind) {
			return &rewriters[i]
		}
	}
	return nil
}

var errTooLarge = fmt.Errorf("larger than the %d MiB the redactor reads", maxRead>>20)

func omit(reason string) func(context.Context, *Map, *analyze.Entry) ([]byte, []string, error) {
	return func(context.Context, *Map, *analyze.Entry) ([]byte, []string, error) {
		return nil, nil, errors.New(reason)
	}
}

// rewriteText redacts a command output or note in its own encoding.
// Column alignment is kept (see applyAligned).
func rewriteText(_ context.Context, m *Map, e *analyze.Entry) ([]byte, []string, error) {
	return transcodeEntry(e, m.applyAligned)
}

func transcodeEntry(e *analyze.Entry, edit func(string) string) ([]byte, []string, error) {
	b, err := readAll(e)
	if err != nil {
		return nil, nil, err
	}
	out, err := cmdout.Transcode(b, edit)
	return out, nil, err
}

// rewriteXML redacts event exports and CliXML as text: pseudonyms hold no
// character XML escapes, and the escaped spellings of originals are
// matched too, so the document stays well-formed.
func rewriteXML(_ context.Context, m *Map, e *analyze.Entry) ([]byte, []string, error) {
	return transcodeEntry(e, m.Apply)
}

// rewriteUnknown redacts text the analysis does not recognize (it is
// shown in the inventory and may be read by a person) and leaves out
// binary data, which cannot be searched for names reliably.
func rewriteUnknown(_ context.Context, m *Map, e *analyze.Entry) ([]byte, []string, error) {
	b, err := readAll(e)
	if err != nil {
		return nil, nil, err
	}
	if isBinaryText(b) {
		return nil, nil, errors.New("unrecognized binary content")
	}
	out, err := cmdout.Transcode(b, m.applyAligned)
	return out, nil, err
}

// isBinaryText tells data from text after decoding in any Windows
// encoding: text is mostly letters, digits, spaces and punctuation.
func isBinaryText(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	head := b[:min(len(b), 64<<10)]
	text, _, _ := cmdout.Decode(head)
	total, odd := 0, 0
	for _, r := range text {
		total++
		switch {
		case r == utf8.RuneError, r == 0:
			odd++
		case r < 0x20 && r != '\t' && r != '\n' && r != '\r' && r != '\f':
			odd++
		case r >= 0x80 && !unicode.IsLetter(r) && !unicode.IsSpace(r):
			odd++ // box drawing and symbols: bytes read as a code page
		}
	}
	return total == 0 || odd*20 > total
}
