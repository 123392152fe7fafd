package rules_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvtriage/hvtriage/analyze"
	"github.com/hvtriage/hvtriage/evidence"
	"github.com/hvtriage/hvtriage/internal/fixture"
	"github.com/hvtriage/hvtriage/rules"
)

// bundleResult is one bundle analyzed end to end, with its findings by
// cause, for the catalog tests of every area.
type bundleResult struct {
	t   *testing.T
	res *analyze.Result
	by  map[string]*rules.Finding
}

// analyzeFiles writes the files as a bundle folder and analyzes it with the
// embedded catalog, exactly as the CLI would.
func analyzeFiles(t *testing.T, files fixture.Files) *bundleResult {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, files.WriteDir(dir))
	res, err := analyze.Run(t.Context(), dir, analyze.Options{})
	require.NoError(t, err)
	b := &bundleResult{t: t, res: res, by: map[string]*rules.Finding{}}
	for i := range res.Outcome.Findings {
		f := &res.Outcome.Findings[i]
		b.by[f.Cause.ID] = f
	}
	return b
}

// finding returns the finding of a cause, failing the test when absent.
func (b *bundleResult) finding(cause string) *rules.Finding {
	b.t.Helper()
	f := b.by[cause]
	require.NotNil(b.t, f, "cause %s not found; findings: %v", cause, b.causes())
	return f
}

// has reports whether the cause was found.
func (b *bundleResult) has(cause string) bool { return b.by[cause] != nil }

func (b *bundleResult) causes() []string {
	var out []string
	for _, f := range b.res.Outcome.Findings {
		out = append(out, f.Cause.ID+"("+f.Severity.String()+")")
	}
	return out
}

// ruledOut reports whether the cause was ruled out.
func (b *bundleResult) ruledOut(cause string) bool {
	return slices.ContainsFunc(b.res.Outcome.RuledOut, func(r rules.RuledOut) bool { return r.Cause == cause })
}

// missingFor lists the inputs the report asks for to decide a cause.
func (b *bundleResult) missingFor(cause string) []string {
	var out []string
	for _, m := range b.res.Outcome.Missing {
		if slices.Contains(m.Decides, cause) {
			out = append(out, m.Input)
		}
	}
	return out
}

// cited lists a finding's evidence as "source locator signal".
func cited(f *rules.Finding) []string {
	var out []string
	for _, c := range f.Evidence {
		out = append(out, c.Source+" "+c.At.String()+" "+c.Signal)
	}
	return out
}

// citedAgainst lists a finding's counter-evidence the same way.
func citedAgainst(f *rules.Finding) []string {
	var out []string
	for _, c := range f.Against {
		out = append(out, c.Source+" "+c.At.String()+" "+c.Signal)
	}
	return out
}

// signalIDs lists the signals that fired.
func signalIDs(f *rules.Finding) []string {
	var out []string
	for _, s := range f.Signals {
		out = append(out, s.ID)
	}
	return out
}

// commands joins the finding's filled-in resolution commands.
func commands(f *rules.Finding) string {
	var out []string
	for _, s := range f.Resolution {
		if s.Command != "" {
			out = append(out, s.Command)
		}
	}
	return strings.Join(out, "\n")
}

// ruledOutWhy returns the reason a cause was ruled out, "" when it was not.
func (b *bundleResult) ruledOutWhy(cause string) string {
	for _, r := range b.res.Outcome.RuledOut {
		if r.Cause == cause {
			return r.Why
		}
	}
	return ""
}

// signalOf returns the IDs of a finding's signals that fired, or nil when
// the cause was not found.
func (b *bundleResult) signalsOf(cause string) []string {
	if f := b.by[cause]; f != nil {
		return signalIDs(f)
	}
	return nil
}

// citedAt asserts that the finding cites evidence from source at locator,
// for the given signal, and returns it.
func citedAt(t *testing.T, f *rules.Finding, source string, at evidence.Locator, signal string) *rules.Cited {
	t.Helper()
	require.NotNil(t, f)
	var got []string
	for i := range f.Evidence {
		c := &f.Evidence[i]
		if c.Source == source && c.At == at {
			assert.Contains(t, strings.Split(c.Signal, ", "), signal, "signal of %s %s", source, at)
			return c
		}
		got = append(got, c.Source+" "+c.At.String()+" ["+c.Signal+"]")
	}
	t.Fatalf("finding %s does not cite %s %s; it cites:\n%s", f.Cause.ID, source, at, strings.Join(got, "\n"))
	return nil
}

// lineOf is the 1-based line of text holding sub (text as composed, before
// CRLF conversion, which keeps line numbers).
func lineOf(t *testing.T, text, sub string) evidence.Locator {
	t.Helper()
	for i, l := range strings.Split(text, "\n") {
		if strings.Contains(l, sub) {
			return evidence.AtLine(i + 1)
		}
	}
	t.Fatalf("%q not in text", sub)
	return evidence.Locator{}
}
