package evidence

// Problem is something in a bundle file that could not be read, and where:
// the reader's own words, the place they point at kept as a Locator (a
// line, a byte offset, a record), and the reader's typed error when the
// problem came as one (vhdx.FormatError, evtx.ChunkError…), so that
// errors.Is and errors.As still work on it. Reports print String.
type Problem struct {
	Msg string  // as the reader words it, its locator included
	At  Locator // where in the file; zero: the file as a whole, or not known
	Err error   // the reader's error; nil when the problem came as text
}

// String is the problem as reports print it.
func (p Problem) String() string { return p.Msg }

// Error makes a Problem an error; Unwrap gives the reader's own error, so
// errors.Is and errors.As see through it.
func (p Problem) Error() string { return p.Msg }

// Unwrap returns the reader's error, if the problem came from one.
func (p Problem) Unwrap() error { return p.Err }

// ProblemTexts renders problems as reports print them.
func ProblemTexts(ps []Problem) []string {
	if ps == nil {
		return nil
	}
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return out
}

// TextProblems wraps problems that came as plain text, with no locator.
func TextProblems(msgs ...string) []Problem {
	if msgs == nil {
		return nil
	}
	out := make([]Problem, len(msgs))
	for i, m := range msgs {
		out[i] = Problem{Msg: m}
	}
	return out
}
