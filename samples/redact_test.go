package samples

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvtriage/hvtriage/analyze"
	"github.com/hvtriage/hvtriage/cmdout"
	"github.com/hvtriage/hvtriage/evtx"
	"github.com/hvtriage/hvtriage/redact"
	"github.com/hvtriage/hvtriage/report"
	"github.com/hvtriage/hvtriage/rules"
	"github.com/hvtriage/hvtriage/samples/samplegen"
	"github.com/hvtriage/hvtriage/vhdx"
)

// TestRedactSamples redacts every sample bundle and checks that no host,
// domain, VM or user name is left in any file name or file (read the way
// the analysis reads it), and that the redacted bundle gives the same
// findings with the names mapped.
func TestRedactSamples(t *testing.T) {
	cat, err := rules.Default()
	require.NoError(t, err)
	for _, s := range samplegen.All() {
		t.Run(s.Name, func(t *testing.T) {
			src := filepath.Join(s.Name, s.Bundle)
			out := filepath.Join(t.TempDir(), "redacted.zip")
			m := redact.NewMap()
			res := redactBundle(t, src, out, m)
			t.Logf("%d files redacted, %d left out, %d values", len(res.Written), len(res.Omitted), len(m.Pairs()))
			for _, o := range res.Omitted {
				t.Logf("left out %s (%s): %s", o.Path, o.Kind, o.Reason)
			}
			assertNoLeak(t, out, m)

			before, err := analyze.Run(t.Context(), src, analyze.Options{Engine: rules.NewEngine(cat)})
			require.NoError(t, err)
			after, err := analyze.Run(t.Context(), out, analyze.Options{Engine: rules.NewEngine(cat)})
			require.NoError(t, err)
			want, got := report.Build(before, goldenVersion), report.Build(after, goldenVersion)
			m.ApplyAll(want)
			require.Equal(t, len(want.Findings), len(got.Findings), "number of findings")
			for i := range want.Findings {
				w, g := want.Findings[i], got.Findings[i]
				assert.Equal(t, w.Cause, g.Cause)
				assert.Equal(t, w.Severity, g.Severity, w.Cause)
				assert.InDelta(t, w.Confidence, g.Confidence, 1e-9, w.Cause)
				assert.Equal(t, w.VMs, g.VMs, w.Cause)
				assertSameEvidence(t, w.Evidence, g.Evidence, w.Cause)
				assertSameEvidence(t, w.Against, g.Against, w.Cause)
				assert.Equal(t, w.Resolution, g.Resolution, w.Cause)
			}
			assert.Equal(t, want.Verdict.State, got.Verdict.State)
			checkEVTXTools(t, out)
		})
	}
}

// assertSameEvidence compares cited evidence. Summaries are cut to a
// length with "…", so a summary mapped after the cut may end a few
// characters apart from one cut after mapping, and the word stub before
// the "…" may have been replaced (it could begin a name); without that
// stub, the shorter must begin the longer.
func assertSameEvidence(t *testing.T, want, got []report.Evidence, cause string) {
	t.Helper()
	if !assert.Equal(t, len(want), len(got), cause) {
		return
	}
	for i := range want {
		w, g := want[i], got[i]
		ws, gs := strings.TrimSuffix(w.Summary, "…"), strings.TrimSuffix(g.Summary, "…")
		if ws != w.Summary || gs != g.Summary {
			ws, gs = withoutLastWord(ws), withoutLastWord(gs)
			if len(gs) < len(ws) {
				ws, gs = gs, ws
			}
			assert.True(t, strings.HasPrefix(gs, ws), "%s: summary %q, want %q", cause, g.Summary, w.Summary)
			w.Summary, g.Summary = "", ""
		}
		assert.Equal(t, w, g, cause)
	}
}

// withoutLastWord drops the word a cut summary ends in.
func withoutLastWord(s string) string {
	if i := strings.LastIndexAny(s, " '\"|(:"); i >= 0 {
		return s[:i]
	}
	return ""
}

func redactBundle(t *testing.T, src, out string, m *redact.Map) *redact.Result {
	t.Helper()
	b, err := analyze.OpenBundle(src, analyze.DefaultLimits())
	require.NoError(t, err)
	defer b.Close()
	require.NoError(t, redact.Collect(t.Context(), b, m))
	f, err := os.Create(out)
	require.NoError(t, err)
	res, err := redact.Write(t.Context(), b, m, f)
	require.NoError(t, err)
	require.NoError(t, f.Close())
	return res
}

var guidSpan = regexp.MustCompile(`[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}`)

// assertNoLeak reads every file of the redacted bundle the way the
// analysis does and looks for every host, domain, VM and user original.
func assertNoLeak(t *testing.T, zipPath string, m *redact.Map) {
	t.Helper()
	var originals []string
	for _, p := range m.Pairs() {
		switch p.Class {
		case redact.ClassHost, redact.ClassDomain, redact.ClassVM, redact.ClassUser:
			originals = append(originals, strings.ToLower(p.Original))
		}
	}
	require.NotEmpty(t, originals, "no names collected")
	check := func(where, text string) {
		text = strings.ToLower(guidSpan.ReplaceAllString(text, ""))
		for _, o := range originals {
			for i := strings.Index(text, o); i >= 0; i = next(text, o, i) {
				if wholeToken(text, i, i+len(o)) {
					t.Errorf("%s still holds %q: …%s…", where, o, text[max(0, i-40):min(len(text), i+len(o)+40)])
					break
				}
			}
		}
	}
	b, err := analyze.OpenBundle(zipPath, analyze.DefaultLimits())
	require.NoError(t, err)
	defer b.Close()
	for _, r := range b.Rejected {
		t.Errorf("redacted bundle entry refused: %s: %s", r.Path, r.Reason)
	}
	for _, e := range b.Entries {
		check("file name "+e.Path, e.Path)
		rc, err := e.Open()
		require.NoError(t, err)
		raw, err := io.ReadAll(rc)
		rc.Close()
		require.NoError(t, err)
		text, _, _ := cmdout.Decode(raw)
		check(e.Path+" (decoded text)", text)
		check(e.Path+" (raw bytes)", string(raw))
		switch {
		case bytes.HasPrefix(raw, []byte("ElfFile\x00")):
			var sb strings.Builder
			st, err := evtx.Walk(context.Background(), bytes.NewReader(raw), int64(len(raw)), func(ev *evtx.Event) error {
				sb.WriteString(ev.Computer + "\n" + ev.UserSID + "\n")
				for _, f := range append(ev.Data, ev.UserData...) {
					sb.WriteString(f.Value + "\n")
				}
				sb.Write(ev.Binary)
				return nil
			})
			require.NoError(t, err)
			assert.Empty(t, st.Skipped, e.Path)
			check(e.Path+" (EVTX records)", sb.String())
		case bytes.HasPrefix(raw, []byte("vhdxfile")):
			f, err := vhdx.Open(bytes.NewReader(raw), int64(len(raw)))
			require.NoError(t, err)
			if f.Parent != nil {
				for _, en := range f.Parent.Entries {
					check(e.Path+" (parent locator "+en.Key+")", en.Value)
				}
			}
		}
		if u16, err := utf16Text(raw); err == nil {
			check(e.Path+" (as UTF-16)", u16)
		}
	}
}

func next(text, o string, i int) int {
	j := strings.Index(text[i+1:], o)
	if j < 0 {
		return -1
	}
	return i + 1 + j
}

func wholeToken(s string, i, j int) bool {
	word := func(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }
	return (i == 0 || !word(s[i-1])) && (j == len(s) || !word(s[j]))
}

func utf16Text(b []byte) (string, error) {
	r := make([]rune, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		r = append(r, rune(b[i])|rune(b[i+1])<<8)
	}
	return string(r), nil
}

// checkEVTXTools parses the redacted EVTX files with libevtx's evtxexport
// and python-evtx when they are installed.
func checkEVTXTools(t *testing.T, zipPath string) {
	if testing.Short() {
		return
	}
	b, err := analyze.OpenBundle(zipPath, analyze.DefaultLimits())
	require.NoError(t, err)
	defer b.Close()
	dir := t.TempDir()
	var files []string
	records := map[string]int{} // a log whose records were all damaged is written empty
	for i, e := range b.Entries {
		if !strings.HasSuffix(strings.ToLower(e.Path), ".evtx") {
			continue
		}
		rc, err := e.Open()
		require.NoError(t, err)
		raw, _ := io.ReadAll(rc)
		rc.Close()
		p := filepath.Join(dir, filepath.Base(e.Path)+"-"+string(rune('a'+i%26))+".evtx")
		require.NoError(t, os.WriteFile(p, raw, 0o600))
		files = append(files, p)
		st, err := evtx.Walk(t.Context(), bytes.NewReader(raw), int64(len(raw)), func(*evtx.Event) error { return nil })
		require.NoError(t, err)
		records[p] = st.Records
	}
	if tool, err := exec.LookPath("evtxexport"); err == nil {
		for _, f := range files {
			out, err := exec.Command(tool, "-f", "xml", f).CombinedOutput()
			assert.NoError(t, err, "evtxexport %s: %s", f, out)
			assert.Equal(t, records[f], strings.Count(string(out), "<Event "), "events evtxexport read from %s", f)
		}
	}
	if py, err := exec.LookPath("python3"); err == nil && exec.Command(py, "-c", "import Evtx").Run() == nil {
		for _, f := range files {
			out, err := exec.Command(py, "-c", "import sys, Evtx.Evtx as E\nwith E.Evtx(sys.argv[1]) as l:\n  n=sum(1 for r in l.records() if r.xml())\nprint(n)", f).CombinedOutput()
			assert.NoError(t, err, "python-evtx %s: %s", f, out)
		}
	}
}
