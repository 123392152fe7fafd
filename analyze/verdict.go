package analyze

import "github.com/hvtriage/hvtriage/rules"

// VerdictState is the overall answer of an analysis (contract.md).
type VerdictState string

// The verdict states.
const (
	// VerdictFindings: at least one finding of severity low or higher.
	VerdictFindings VerdictState = "findings"
	// VerdictClean: files gave usable evidence and nothing of severity low
	// or higher was found in it.
	VerdictClean VerdictState = "clean"
	// VerdictInconclusive: no file of the bundle gave usable evidence, so
	// the absence of findings says nothing about the host.
	VerdictInconclusive VerdictState = "inconclusive"
)

// Verdict says what an analysis concluded and how much of the bundle it
// rests on.
type Verdict struct {
	State VerdictState
	// FilesRead counts the inventory files that gave usable evidence
	// (FileRecord.GaveEvidence); Files counts every inventory line.
	FilesRead int
	Files     int
	// Evidence counts the evidence items the rules were given.
	Evidence int
}

// Decide fills in the per-file evidence facts of the inventory and the
// verdict, from the inventory, the evidence and the rule outcome. Run calls
// it; it is exported for results assembled by hand (tests, tools).
//
// A file gave usable evidence when it was recognized and read — status
// parsed or partial — and something came out of it: at least one record
// (an event, a writer, a disk, a listed file…) or at least one evidence
// item citing it. So a healthy host's System.evtx whose events no rule
// keeps still counts: its records were read and show nothing wrong. Files
// that do not count: content not recognized, files deliberately skipped
// (a Security.evtx no rule reads, status ignored), unreadable files,
// recognized files from which nothing could be read (a log whose every
// chunk is damaged), and zip archives, which only hold other files.
//
// The state is decided in this order, so the first that applies wins:
// findings when any finding has severity low or higher (findings rest on
// evidence, whatever the file counts say); inconclusive when no file gave
// usable evidence; clean otherwise. A bundle with only info findings is
// thus clean or inconclusive.
// Decide also builds the chain and timeline views reports render.
func (r *Result) Decide() {
	cited := map[string]int{}
	for i := range r.Evidence {
		cited[r.Evidence[i].Source]++
	}
	v := Verdict{Files: len(r.Inventory), Evidence: len(r.Evidence)}
	for i := range r.Inventory {
		f := &r.Inventory[i]
		f.Evidence = cited[f.Path]
		f.GaveEvidence = (f.Status == StatusParsed || f.Status == StatusPartial) &&
			f.Kind != KindZip && (f.Records > 0 || f.Evidence > 0)
		if f.GaveEvidence {
			v.FilesRead++
		}
	}
	switch {
	case hasFindingAtLeast(r.Outcome.Findings, rules.Low):
		v.State = VerdictFindings
	case v.FilesRead == 0:
		v.State = VerdictInconclusive
	default:
		v.State = VerdictClean
	}
	r.Verdict = v
	r.buildViews()
}

func hasFindingAtLeast(fs []rules.Finding, s rules.Severity) bool {
	for _, f := range fs {
		if f.Severity >= s {
			return true
		}
	}
	return false
}
