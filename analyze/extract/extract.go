// Package extract holds the extractors, which turn the files of a bundle
// into evidence, and the list that orders them (Default). Each extractor
// owns the sniffer that claims its files, built on its reader's own
// detection (evtx.Detect, vhdx.DetectHead, cmdout.Sniff…); Classify tries
// the sniffers in list order and the first claim wins, as image/format.go
// does. The analysis core opens the files, runs the extractor that claimed
// each one, and knows none of them by name.
package extract

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/hvtriage/hvtriage/cmdout"
	"github.com/hvtriage/hvtriage/evidence"
	"github.com/hvtriage/hvtriage/vhdx"
	"github.com/hvtriage/hvtriage/wintext"
)

// Extractor turns the files of some kinds into evidence.
type Extractor interface {
	Name() string
	// Kinds lists the inventory kinds its sniffer claims.
	Kinds() []string
	// Sniff claims a file from its head, or returns the zero Claim. It is
	// cheap: the costly checks of the head are computed once and shared.
	Sniff(h *Head) Claim
	Extract(ctx context.Context, in Input) (Extraction, error)
}

// Opener gives an extractor the content of its file: streamed, or with
// random access (disk headers, EVTX chunks). The core opens and releases
// the file; an extractor closes only the readers it opened.
type Opener interface {
	Open() (io.ReadCloser, error)
	ReaderAt() (io.ReaderAt, error)
}

// Input is one file handed to an extractor.
type Input struct {
	Path  string
	Size  int64
	Kind  string
	Entry Opener
	// Wants says whether any rule reads an event of this provider and ID
	// (rules.Engine.WantsEvent), so that extractors drop the others; nil
	// keeps every event.
	Wants func(provider string, eventID uint16) bool
	// Budget is shared by every file of the run (NewEventBudget); nil
	// bounds nothing across files.
	Budget *EventBudget
	// Head is what classification read; when it is the whole file (small
	// files), text extractors do not read it again.
	Head *Head
}

// Extraction is what an extractor got out of one file.
type Extraction struct {
	Evidence []evidence.Evidence
	Records  int                // items read: events, writers, disks…
	Problems []evidence.Problem // what could not be read, and where
	Notes    []string           // observations that are not damage (an encoding switch)
	Coverage []string           // coverage keys the file provides ("channel:system")
	Disks    []vhdx.Disk
	Activity []Activity // event counts per hour, channel and level
	// Ignored marks a file the extractor deliberately skipped (with the
	// reason in Problems), as opposed to one it failed to read.
	Ignored bool
	// Idents lists the identity of every event rules want, for merging
	// the same events found in several files.
	Idents []IdentRef
	// A text reader leaves the decoded text and the lines it read, so that
	// the other readers can read the rest of a file that mixes forms (see
	// ReadMixed); neither is kept past the file.
	text    string
	covered []cmdout.Span
	// dropped counts a text reader's items over MaxTextEvidence (ReadMixed
	// notes what its readers dropped).
	dropped int
}

// readText reads a text entry up to limit bytes into one buffer of the
// right size, and one byte more to tell whether there is more: cut says the
// entry holds more than limit bytes: real text files
// are kilobytes to a few megabytes, and a larger one is read up to the limit
// rather than whole, so that many of them cannot fill memory or take minutes.
func readText(in Input, limit int64) (raw []byte, cut bool, err error) {
	if h := in.Head; h != nil && h.whole && int64(len(h.bytes)) <= limit {
		return h.bytes, false, nil
	}
	e := in.Entry
	rc, err := e.Open()
	if err != nil {
		return nil, false, err
	}
	defer rc.Close()
	n := max(min(in.Size, limit+1), 0)
	raw = make([]byte, 0, n)
	for int64(len(raw)) < n {
		k, err := rc.Read(raw[len(raw):n])
		raw = raw[:len(raw)+k]
		if err == io.EOF {
			break
		}
		if err != nil {
			return raw, false, err
		}
	}
	if int64(len(raw)) > limit {
		return raw[:limit], true, nil
	}
	return raw, false, nil
}

// decodeText decodes what readText read, without the forum quote markers
// of regions that are mostly quoted (wintext.Unquote). A cut file loses its
// last, partial line, and the problem names the file and the limit.
func decodeText(in Input, raw []byte, cut bool, limit int64) (string, []cmdout.Problem, []evidence.Problem) {
	if !cut {
		text, _, problems := cmdout.Decode(raw)
		return wintext.Mend(text), problems, nil
	}
	// raw's capacity holds the byte past the limit: decoding it as a head
	// tolerates a character cut at the limit.
	text, _, problems := cmdout.DecodeHead(raw[:cap(raw)], len(raw))
	if i := strings.LastIndexByte(text, '\n'); i >= 0 {
		text = text[:i+1]
	}
	return wintext.Mend(text), problems, []evidence.Problem{cutProblem(in, limit)}
}

// cutProblem says a text file was read only up to the limit.
func cutProblem(in Input, limit int64) evidence.Problem {
	return evidence.Problem{Msg: fmt.Sprintf("%s is %s, over the %s limit for text files: only the first %s were read, the rest was not analyzed",
		in.Path, humanBytes(in.Size), humanBytes(limit), humanBytes(limit))}
}
