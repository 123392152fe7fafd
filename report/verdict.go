package report

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/hvtriage/hvtriage/analyze"
)

// Verdict is the analysis's answer (decided in package analyze) and how
// much of the bundle it rests on, as the JSON contract names it.
type Verdict struct {
	State     string `json:"state"` // findings, clean or inconclusive
	FilesRead int    `json:"files_read"`
	Files     int    `json:"files"`
	Evidence  int    `json:"evidence"`
	// Unread groups the files that gave no usable evidence by the reason,
	// for the explanation of an inconclusive verdict. The inventory of the
	// JSON report already holds each file's status and problems.
	Unread []FileGroup `json:"-"`
}

// The verdict states, as the JSON report writes them.
const (
	StateFindings     = string(analyze.VerdictFindings)
	StateClean        = string(analyze.VerdictClean)
	StateInconclusive = string(analyze.VerdictInconclusive)
)

// Inconclusive reports whether no file of the bundle gave usable evidence.
func (v Verdict) Inconclusive() bool { return v.State == StateInconclusive }

// Clean reports whether evidence was read and nothing of note found in it.
func (v Verdict) Clean() bool { return v.State == StateClean }

// FileGroup is some files that gave no usable evidence for the same reason.
type FileGroup struct {
	Count int
	Why   string   // "not recognized", "unreadable"…
	Exts  []string // the file name extensions seen, sorted
}

// maxGroupExts bounds the extensions listed for one group.
const maxGroupExts = 6

// String reads "7 files not recognized: .txt, .log".
func (g FileGroup) String() string {
	exts := g.Exts
	more := ""
	if len(exts) > maxGroupExts {
		exts, more = exts[:maxGroupExts], ", …"
	}
	return fmt.Sprintf("%s %s: %s%s", plural(g.Count, "file"), g.Why, strings.Join(exts, ", "), more)
}

// The reasons a file gave no usable evidence, in the order they are listed.
var unreadReasons = []string{
	"not recognized",
	"unreadable",
	"recognized, but nothing could be read from them",
	"recognized but not used by any rule",
}

func buildVerdict(res *analyze.Result) Verdict {
	v := Verdict{State: string(res.Verdict.State), FilesRead: res.Verdict.FilesRead, Files: res.Verdict.Files, Evidence: res.Verdict.Evidence}
	groups := map[string]*FileGroup{}
	for _, f := range res.Inventory {
		why := unreadReason(f)
		if why == "" {
			continue
		}
		g := groups[why]
		if g == nil {
			g = &FileGroup{Why: why}
			groups[why] = g
		}
		g.Count++
		ext := strings.ToLower(path.Ext(f.Path))
		if ext == "" || len(ext) > 12 {
			ext = "(no extension)"
		}
		if ext = clean(ext); !slices.Contains(g.Exts, ext) {
			g.Exts = append(g.Exts, ext)
		}
	}
	for _, why := range unreadReasons {
		if g := groups[why]; g != nil {
			slices.Sort(g.Exts)
			v.Unread = append(v.Unread, *g)
		}
	}
	return v
}

// unreadReason says why a file gave no usable evidence, "" when it gave
// some or when it is a zip archive (its files are listed themselves).
func unreadReason(f analyze.FileRecord) string {
	switch {
	case f.GaveEvidence || f.Kind == analyze.KindZip:
		return ""
	case f.Status == analyze.StatusUnreadable:
		return unreadReasons[1]
	case f.Status == analyze.StatusIgnored && f.Kind == analyze.KindUnknown:
		return unreadReasons[0]
	case f.Status == analyze.StatusIgnored:
		return unreadReasons[3]
	}
	return unreadReasons[2]
}

// Summary is the verdict in one sentence, the same in every format:
// "Inconclusive: nothing in this bundle could be read (evidence from 0 of
// 5 files), …".
func (v Verdict) Summary() string { return v.Title() + ": " + v.Detail() }

// Title is the state as a word for people.
func (v Verdict) Title() string {
	switch v.State {
	case StateInconclusive:
		return "Inconclusive"
	case StateClean:
		return "Clean"
	case StateFindings:
		return "Findings"
	}
	return "Verdict " + v.State
}

// Detail is the sentence after the title: how much of the bundle gave
// evidence, and for an inconclusive analysis, that nothing could be read.
func (v Verdict) Detail() string {
	from := v.From()
	switch v.State {
	case StateInconclusive:
		return "nothing in this bundle could be read (" + from + "), so the absence of findings says nothing about the host."
	case StateClean:
		return "no documented cause found in the " + from + "."
	}
	return from + "."
}

// From reads "evidence from 3 of 12 files (57 items)".
func (v Verdict) From() string {
	s := fmt.Sprintf("evidence from %d of %s", v.FilesRead, plural(v.Files, "file"))
	if v.Evidence > 0 {
		s += fmt.Sprintf(" (%s)", plural(v.Evidence, "item"))
	}
	return s
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// maxCollect is how many missing inputs an inconclusive verdict asks for
// first; the Missing evidence section lists them all.
const maxCollect = 3

// collectSteps turns the first missing inputs (those deciding the most
// causes come first) into steps: what to collect before analyzing again.
func collectSteps(d *Document, n int) []Step {
	var out []Step
	for _, m := range d.Missing {
		if len(out) == n {
			break
		}
		out = append(out, Step{Text: "Collect the " + m.What + ".", Command: m.Collect})
	}
	return out
}
