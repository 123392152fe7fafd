package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvtriage/hvtriage/analyze"
	"github.com/hvtriage/hvtriage/evidence"
	"github.com/hvtriage/hvtriage/rules"
	"github.com/hvtriage/hvtriage/vhdx"
)

// guidOf makes a recognisable GUID for a fixture.
func guidOf(n byte) vhdx.GUID {
	var g vhdx.GUID
	for i := range g {
		g[i] = n*16 + byte(i)
	}
	return g
}

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
	ev := evidence.Evidence{
		Kind: evidence.KindVSSWriter, Source: "dir/" + hostile + ".txt", At: evidence.AtLine(22),
		Time:    time.Date(2024, 3, 14, 2, 6, 20, 0, time.UTC),
		Summary: "writer " + hostile,
		Attrs:   map[string]string{evidence.AttrVM: "VM " + hostile},
	}
	vm := "VM " + hostile
	base, mid, top := "disks/"+hostile+".vhdx", "disks/"+hostile+"_A1B2.avhdx", "disks/"+hostile+"_C3D4.avhdx"
	lost, stray := "disks/lost_E5F6.avhdx", "other/stray.vhdx"
	day := time.Date(2024, 3, 14, 0, 0, 0, 0, time.UTC)
	diskEv := func(p string) evidence.Evidence {
		return evidence.Evidence{Kind: evidence.KindDisk, Source: p, At: evidence.AtOffset(0), Summary: "disk " + p,
			Attrs: map[string]string{evidence.AttrVM: vm}}
	}
	chains := vhdx.ChainSet{
		Nodes: []vhdx.Node{
			{Path: base, HostPath: `D:\VMs\` + hostile + `.vhdx`, Format: vhdx.FormatVHDX, Type: vhdx.DiskTypeDynamic, VirtualSize: 127 << 30, ID: guidOf(1)},
			{Path: mid, Format: vhdx.FormatVHDX, Type: vhdx.DiskTypeDifferencing, VirtualSize: 127 << 30, ID: guidOf(2)},
			{Path: top, Format: vhdx.FormatVHDX, Type: vhdx.DiskTypeDifferencing, VirtualSize: 127 << 30, ID: guidOf(3), Referenced: true, Leaf: true},
			{Path: lost, Format: vhdx.FormatVHDX, Type: vhdx.DiskTypeDifferencing, VirtualSize: 40 << 30, ID: guidOf(4), Leaf: true},
			{Path: stray, Format: vhdx.FormatVHD, Type: vhdx.DiskTypeFixed, VirtualSize: 1 << 30, Corrupt: true, Leaf: true},
		},
		Links: []vhdx.Link{
			{Child: mid, Parent: base, Via: vhdx.ParentPath{Path: `D:\VMs\` + hostile + `.vhdx`}, MatchedBy: "absolute path", Status: vhdx.LinkOK,
				ChildLinkage: []vhdx.GUID{guidOf(1)}, ParentID: guidOf(1), LinkageOffset: 0x300010, ParentIDOffset: 0x20010},
			{Child: top, Parent: mid, Via: vhdx.ParentPath{Path: "x"}, MatchedBy: "relative path", Status: vhdx.LinkBroken,
				Reason: "parent " + hostile + " was modified", ChildLinkage: []vhdx.GUID{guidOf(9)}, ParentID: guidOf(2), LinkageOffset: 0x300010, ParentIDOffset: 0x20010},
			{Child: lost, Via: vhdx.ParentPath{Path: `E:\gone\` + hostile + `.vhdx`}, Status: vhdx.LinkBroken,
				Reason: "parent missing", LinkageOffset: 0x300010, ParentIDOffset: -1},
		},
		Issues: []vhdx.Issue{
			{Kind: vhdx.IssueLinkageMismatch, Severity: vhdx.SeverityError, Code: 0xC03A000E, Child: top, Parent: mid,
				ChildGUID: guidOf(9), ParentGUID: guidOf(2), ChildOffset: 0x300010, ParentOffset: 0x20010, Msg: "parent " + hostile + " was modified"},
			{Kind: vhdx.IssueParentMissing, Severity: vhdx.SeverityError, Code: 0xC03A000D, Child: lost, Parent: `E:\gone\` + hostile + `.vhdx`,
				ChildOffset: 0x300010, ParentOffset: -1, Msg: "parent missing"},
			{Kind: vhdx.IssueOrphan, Severity: vhdx.SeverityWarning, Child: lost, ChildOffset: -1, ParentOffset: -1, Msg: "no VM uses " + lost},
		},
	}
	evs := []evidence.Evidence{ev, diskEv(base), diskEv(mid), diskEv(top),
		{Kind: evidence.KindEvent, Source: "logs/VMMS.evtx", At: evidence.AtRecord(77), Time: day.Add(2*time.Hour + 7*time.Minute),
			Summary: "checkpoint of " + vm + " failed", Attrs: map[string]string{evidence.AttrVM: vm, evidence.AttrLevel: "2"}},
		{Kind: evidence.KindVM, Source: "vms.txt", At: evidence.AtLine(3), Summary: "VM " + hostile,
			Attrs: map[string]string{evidence.AttrVM: vm}},
		{Kind: evidence.KindVM, Source: "vms.txt", At: evidence.AtLine(9), Summary: "VM quiet",
			Attrs: map[string]string{evidence.AttrVM: "quiet"}},
	}
	// Two busy hours, then nothing for four days: the chart compresses
	// the gap.
	activity := []analyze.Activity{
		{Hour: day.Add(1 * time.Hour), Channel: "System", Level: 4, Count: 40},
		{Hour: day.Add(2 * time.Hour), Channel: "System", Level: 2, Count: 6},
		{Hour: day.Add(2 * time.Hour), Channel: "System", Level: 3, Count: 12},
		{Hour: day.Add(2 * time.Hour), Channel: hostile, Level: 1, Count: 1},
		{Hour: day.Add(3 * time.Hour), Channel: "System", Level: 4, Count: 9},
		{Hour: day.Add(98 * time.Hour), Channel: "Application", Level: 2, Count: 3},
	}
	res := &analyze.Result{
		Evidence: evs,
		Chains:   chains,
		Activity: activity,
		Bundle:   analyze.BundleInfo{Name: "case " + hostile + ".zip", SHA256: strings.Repeat("ab", 32), Files: 2, Bytes: 1234},
		Inventory: []analyze.FileRecord{
			{Path: "dir/" + hostile + ".txt", Kind: "vssadmin-writers", Status: analyze.StatusParsed, Size: 100, Records: 3},
			{Path: "logs/System.evtx", Kind: "evtx", Status: analyze.StatusPartial, Size: 65536, Records: 41,
				Problems: evidence.TextProblems("evtx: skipped 12 record(s) at byte 0x11000: bad chunk")},
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
	res.Decide()
	return res
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
	assert.NotContains(t, html.String(), "src=", "nothing is loaded from anywhere")
	for _, m := range regexp.MustCompile(`href="([^"]*)"`).FindAllStringSubmatch(html.String(), -1) {
		assert.Regexp(t, `^#(verdict|timeline|findings|vms|ruled-out|missing|inventory|finding-\d+|vm-\d+)$`, m[1],
			"links only jump inside the page; bundle text never becomes a link")
	}
	// The new sections carry bundle text too: the per-VM heading, the
	// chain drawing's labels and tooltips, the VM timeline.
	page := html.String()
	assert.Contains(t, page, `<h3>VM &lt;script&gt;alert(1)&lt;/script&gt;|pipe`)
	assert.Regexp(t, `<text class="lreason"[^>]*>parent &lt;script&gt;`, page, "chain SVG label escaped")
	assert.Regexp(t, `<title>disks/&lt;script&gt;`, page, "chain SVG tooltip escaped")
	assert.Regexp(t, `<td class="what"><span class="lv lv-error">error</span> checkpoint of VM &lt;script&gt;`, page, "VM timeline escaped")
	assert.Contains(t, page, `<g class="disk missing">`, "a missing parent is drawn")
	assert.Contains(t, page, `<g class="disk orphan">`, "an orphan is marked")
	assert.Contains(t, page, `class="gap-label"`, "a long quiet stretch is compressed")
	assert.Contains(t, page, `id="vm-none"`, "disks no VM names are grouped apart")
	for _, tag := range regexp.MustCompile(`<[a-zA-Z][^>]*`).FindAllString(page, -1) {
		assert.NotRegexp(t, `(?i)^<(script|iframe|object|embed|img|link|a [^>]*javascript)`, tag)
		assert.NotRegexp(t, `(?i)\son[a-z]+=`, tag, "no event handler attribute")
	}

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

	text := md.String()
	assert.Contains(t, text, "## Timeline")
	assert.Contains(t, text, "| 2024-03-14 02:00 | 1        | 6     | 12      |")
	assert.Contains(t, text, "### VM VM &lt;script&gt;alert(1)&lt;/script&gt;\\|pipe \\# heading")
	assert.Contains(t, text, "└── lost_E5F6.avhdx [VHDX differencing, 40 GiB, id 43424140…, ORPHAN]  ← link BROKEN 0xC03A000D: parent missing")
	assert.Contains(t, text, "MISSING PARENT")

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

// TestDeterministic analyzes the same bundle twice (the workers finish in
// any order) and builds each document anew: every format must come out
// byte for byte the same.
func TestDeterministic(t *testing.T) {
	render := func(d *Document) map[string]string {
		out := map[string]string{}
		for _, format := range Formats() {
			w, err := New(format)
			require.NoError(t, err)
			var b bytes.Buffer
			require.NoError(t, w.Write(&b, d))
			out[format] = b.String()
		}
		var term bytes.Buffer
		require.NoError(t, Terminal(&term, d, true))
		out["terminal"] = term.String()
		return out
	}
	first := render(Build(chainDemo(t), "test"))
	for range 3 {
		assert.Equal(t, first, render(Build(chainDemo(t), "test")))
	}
	synthetic := render(Build(syntheticResult(t), "test"))
	for range 3 {
		assert.Equal(t, synthetic, render(Build(syntheticResult(t), "test")))
	}
}

// TestEmptyAnalysis: a bundle with nothing in it still gives a complete
// report in every format, saying so rather than showing empty frames.
func TestEmptyAnalysis(t *testing.T) {
	res := &analyze.Result{Bundle: analyze.BundleInfo{Name: "empty"}}
	res.Decide()
	doc := Build(res, "test")
	for _, format := range Formats() {
		w, err := New(format)
		require.NoError(t, err)
		var b bytes.Buffer
		require.NoError(t, w.Write(&b, doc), format)
		assert.NotEmpty(t, b.String())
	}
	var html bytes.Buffer
	require.NoError(t, HTML{}.Write(&html, doc))
	assert.Contains(t, html.String(), "Inconclusive: nothing in this bundle could be read (evidence from 0 of 0 files)")
	assert.NotContains(t, html.String(), "No finding", "an empty bundle is no all-clear")
	assert.Contains(t, html.String(), "no event log was read")
	assert.NotContains(t, html.String(), "<svg", "no empty chart or chain drawing")
	var js bytes.Buffer
	require.NoError(t, JSON{}.Write(&js, doc))
	assert.Contains(t, js.String(), `"chains": {
    "nodes": [],
    "links": [],
    "issues": []
  },
  "timeline": {
    "activity": [],
    "vms": []
  }`)
}
