package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvtriage/hvtriage/analyze"
	"github.com/hvtriage/hvtriage/rules"
)

var update = flag.Bool("update", false, "rewrite golden files")

// hostile is what a crafted bundle can put into names and event text.
const hostile = "<script>alert(1)</script>|pipe\n# heading\x1b[31m`tick`[link](http://x)&amp;"

// syntheticResult builds a small analysis by hand, with attacker-chosen
// strings everywhere the bundle can reach.
func syntheticResult(t *testing.T) *analyze.Result {
	t.Helper()
	cat, err := rules.Default()
	require.NoError(t, err)
	cause := cat.Cause("vss-writer-failed")
	require.NotNil(t, cause)
	ev := rules.Evidence{
		Kind: rules.KindVSSWriter, Source: "dir/" + hostile + ".txt", At: rules.AtLine(22),
		Time:    time.Date(2024, 3, 14, 2, 6, 20, 0, time.UTC),
		Summary: "writer " + hostile,
		Attrs:   map[string]string{rules.AttrVM: "VM " + hostile},
	}
	return &analyze.Result{
		Bundle: analyze.BundleInfo{Name: "case " + hostile + ".zip", SHA256: strings.Repeat("ab", 32), Files: 2, Bytes: 1234},
		Inventory: []analyze.FileRecord{
			{Path: "dir/" + hostile + ".txt", Kind: "vssadmin-writers", Status: analyze.StatusParsed, Size: 100, Records: 3},
			{Path: "logs/System.evtx", Kind: "evtx", Status: analyze.StatusPartial, Size: 65536, Records: 41,
				Problems: []string{"evtx: skipped 12 record(s) at byte 0x11000: bad chunk"}},
		},
		Outcome: rules.Outcome{
			Findings: []rules.Finding{{
				Cause: cause, Severity: rules.High, Confidence: 0.87,
				Signals:    []rules.SignalHit{{ID: "writer-failed", Says: "failed", Weight: 0.85, Count: 1}},
				Evidence:   []rules.Cited{{Evidence: ev, Signal: "writer-failed", Says: "failed"}},
				Resolution: []rules.Step{{Text: "Restart VSS.", Command: "net stop vss && net start vss ```" + hostile}},
				VMs:        []string{"VM " + hostile},
				Files:      []string{ev.Source},
			}},
			RuledOut: []rules.RuledOut{{Cause: "storage-connectivity", Why: "no resets"}},
			Missing:  []rules.Missing{{What: "System event log", Collect: "wevtutil epl System System.evtx", Decides: []string{"filesystem-corruption"}}},
		},
	}
}

func TestGoldenReports(t *testing.T) {
	doc := Build(syntheticResult(t), "test")
	for _, format := range Formats() {
		t.Run(format, func(t *testing.T) {
			w, err := New(format)
			require.NoError(t, err)
			var got bytes.Buffer
			require.NoError(t, w.Write(&got, doc))
			golden := filepath.Join("testdata", "synthetic."+format+".golden")
			if *update {
				require.NoError(t, os.WriteFile(golden, got.Bytes(), 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err)
			assert.Equal(t, string(want), got.String())

			var again bytes.Buffer
			require.NoError(t, w.Write(&again, doc))
			assert.Equal(t, got.String(), again.String(), "same input, same bytes")
		})
	}
}

func TestHostileStringsAreEscaped(t *testing.T) {
	doc := Build(syntheticResult(t), "test")

	var html bytes.Buffer
	require.NoError(t, HTML{}.Write(&html, doc))
	assert.NotContains(t, html.String(), "<script>")
	assert.Contains(t, html.String(), "&lt;script&gt;alert(1)&lt;/script&gt;")
	assert.NotContains(t, html.String(), "\x1b")
	assert.NotContains(t, html.String(), "href=", "bundle text never becomes a link")
	assert.NotContains(t, html.String(), "src=", "nothing is loaded from anywhere")

	var md bytes.Buffer
	require.NoError(t, Markdown{}.Write(&md, doc))
	inFence := false
	for _, line := range strings.Split(md.String(), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			inFence = !inFence // commands are shown verbatim inside fences, which Markdown never interprets
			continue
		}
		if inFence {
			continue
		}
		assert.NotContains(t, line, "&gt;|pipe", "a pipe in bundle text must be escaped, or it adds a table column")
		assert.False(t, strings.HasPrefix(line, "# heading"), "a newline in bundle text must not start a heading")
		assert.NotContains(t, line, "<script>")
		assert.NotContains(t, line, "[link](", "bundle text must not become a link")
		assert.NotContains(t, line, "\x1b")
	}

	var term bytes.Buffer
	require.NoError(t, Terminal(&term, doc, false))
	assert.NotContains(t, term.String(), "\x1b", "no escape sequence reaches the terminal")
	assert.Contains(t, term.String(), "vss-writer-failed")
}

func TestTerminalColor(t *testing.T) {
	doc := Build(syntheticResult(t), "test")
	var plainOut, colored bytes.Buffer
	require.NoError(t, Terminal(&plainOut, doc, false))
	require.NoError(t, Terminal(&colored, doc, true))
	assert.NotContains(t, plainOut.String(), "\x1b[")
	assert.Contains(t, colored.String(), "\x1b[1;31mHIGH\x1b[0m")
}

func TestFormatFromPath(t *testing.T) {
	assert.Equal(t, "html", FormatFromPath("x/Report.HTML"))
	assert.Equal(t, "md", FormatFromPath("r.md"))
	assert.Equal(t, "json", FormatFromPath("r.json"))
	assert.Equal(t, "", FormatFromPath("r.txt"))
	_, err := New("pdf")
	assert.Error(t, err)
}
