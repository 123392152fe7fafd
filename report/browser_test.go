package report

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvtriage/hvtriage/analyze"
	"github.com/hvtriage/hvtriage/internal/evtxwrite"
	"github.com/hvtriage/hvtriage/internal/fixture"
	"github.com/hvtriage/hvtriage/vhdx"
	"github.com/hvtriage/hvtriage/vhdx/vhdxtest"
)

// The browser test loads each HTML report in headless Chromium, the way a
// support engineer opens it: the page must render its findings and chain
// drawings, and the browser must report no script error and no blocked
// load (the Content-Security-Policy would name anything the page tried to
// fetch). Screenshots are kept for people to look at.

// chromium finds a Chromium binary, or "" when none is installed.
func chromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// consoleTrouble matches what Chromium logs for script errors and for
// loads the Content-Security-Policy refused.
var consoleTrouble = regexp.MustCompile(`Uncaught|Refused to|Content[- ]Security[- ]Policy|violates the following`)

// runChromium loads a local file with every network path closed (no
// proxy reachable, no DNS, no background services) and returns stdout and
// the console lines of stderr.
func runChromium(t *testing.T, bin, page string, extra ...string) (string, []string) {
	t.Helper()
	profile := t.TempDir()
	args := []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-extensions", "--disable-default-apps", "--mute-audio",
		"--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND",
		"--enable-logging=stderr", "--v=0", "--hide-scrollbars", "--force-device-scale-factor=1",
		"--user-data-dir=" + profile,
	}
	args = append(args, extra...)
	args = append(args, "file://"+page)
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Run(), "chromium: %s", tail(stderr.String(), 2000))
	var trouble []string
	for _, line := range strings.Split(stderr.String(), "\n") {
		if consoleTrouble.MatchString(line) {
			trouble = append(trouble, line)
		}
	}
	return stdout.String(), trouble
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// artifactDir is where screenshots go: $HVTRIAGE_ARTIFACTS, or a fresh
// temporary folder that outlives the test (its path is logged).
func artifactDir(t *testing.T) string {
	t.Helper()
	if d := os.Getenv("HVTRIAGE_ARTIFACTS"); d != "" {
		require.NoError(t, os.MkdirAll(d, 0o755))
		return d
	}
	d, err := os.MkdirTemp("", "hvtriage-report-shots-")
	require.NoError(t, err)
	return d
}

// moduleRoot walks up from the test's folder to the one holding go.mod.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	require.NoError(t, err)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		require.NotEqual(t, dir, parent, "go.mod not found")
		dir = parent
	}
}

// sampleBundles finds the bundle of every sample: the folder or zip beside
// expected.json in samples/<name>/.
func sampleBundles(t *testing.T, samples string) []string {
	t.Helper()
	dirs, err := os.ReadDir(samples)
	require.NoError(t, err)
	var out []string
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		if _, err := os.Stat(filepath.Join(samples, d.Name(), "expected.json")); err != nil {
			continue
		}
		entries, err := os.ReadDir(filepath.Join(samples, d.Name()))
		require.NoError(t, err)
		for _, e := range entries {
			if e.IsDir() || strings.EqualFold(filepath.Ext(e.Name()), ".zip") {
				out = append(out, filepath.Join(samples, d.Name(), e.Name()))
			}
		}
	}
	return out
}

type browserCase struct {
	name string
	doc  *Document
}

// browserCases are every sample bundle of samples/, the chain
// demonstration bundle and the hostile synthetic document.
func browserCases(t *testing.T) []browserCase {
	t.Helper()
	root := moduleRoot(t)
	var cases []browserCase
	for _, dir := range sampleBundles(t, filepath.Join(root, "samples")) {
		res, err := analyze.Run(t.Context(), dir, analyze.Options{})
		require.NoError(t, err, dir)
		cases = append(cases, browserCase{"sample-" + filepath.Base(filepath.Dir(dir)), Build(res, "test")})
	}
	cases = append(cases, browserCase{"chain-demo", Build(chainDemo(t), "test")})
	cases = append(cases, browserCase{"synthetic-hostile", Build(syntheticResult(t), "test")})
	return cases
}

func TestHTMLInChromium(t *testing.T) {
	bin := chromium()
	if bin == "" {
		t.Skip("chromium is not installed (Debian: apt-get install chromium)")
	}
	if testing.Short() {
		t.Skip("starts a browser per report")
	}
	shots := artifactDir(t)
	t.Logf("screenshots in %s", shots)
	for _, c := range browserCases(t) {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			page := filepath.Join(t.TempDir(), c.name+".html")
			var buf bytes.Buffer
			require.NoError(t, HTML{}.Write(&buf, c.doc))
			require.NoError(t, os.WriteFile(page, buf.Bytes(), 0o644))

			// One browser run both dumps the DOM and takes the screenshot
			// of the first screen, the part people see first.
			top := filepath.Join(shots, c.name+"-top.png")
			dom, trouble := runChromium(t, bin, page, "--dump-dom", "--screenshot="+top, "--window-size=1280,1700")
			assert.Empty(t, trouble, "console errors or refused loads")
			assert.Contains(t, dom, `id="verdict"`)
			for i := range c.doc.Findings {
				assert.Contains(t, dom, fmt.Sprintf(`id="finding-%d"`, i+1), "finding rendered")
			}
			if len(c.doc.Chains.Nodes) > 0 {
				assert.Regexp(t, `<svg[^>]*>\s*(<path class="edge|<g class="disk)`, dom, "chain drawing rendered")
				assert.GreaterOrEqual(t, strings.Count(dom, `<g class="disk`), len(c.doc.Chains.Nodes), "every disk drawn")
			}
			if len(c.doc.Timeline.Activity) > 0 {
				assert.Contains(t, dom, `class="seg-`, "timeline bars rendered")
			}
			assert.NotContains(t, dom, "<script", "no script in the rendered page")
			checkScreenshot(t, top)

			if os.Getenv("HVTRIAGE_ARTIFACTS") != "" {
				// A tall window catches the whole page for people to review.
				full := filepath.Join(shots, c.name+"-full.png")
				_, trouble := runChromium(t, bin, page, "--screenshot="+full, "--window-size=1280,9000")
				assert.Empty(t, trouble)
				checkScreenshot(t, full)
			}
		})
	}
}

// TestChromiumCatchesViolations is the control of the test above: a page
// that runs a script and fetches an image must be caught, or the browser
// test could pass without looking.
func TestChromiumCatchesViolations(t *testing.T) {
	bin := chromium()
	if bin == "" {
		t.Skip("chromium is not installed (Debian: apt-get install chromium)")
	}
	if testing.Short() {
		t.Skip("starts a browser")
	}
	for _, c := range []struct{ name, page, want string }{
		{"csp", `<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"></head>` +
			`<body><p>x</p><script>undefinedFunction()</script><img src="http://192.0.2.1/x.png"></body></html>`, "violates the following Content Security Policy"},
		{"uncaught", `<!DOCTYPE html><html><body><p>x</p><script>undefinedFunction()</script></body></html>`, "Uncaught ReferenceError"},
	} {
		t.Run(c.name, func(t *testing.T) {
			page := filepath.Join(t.TempDir(), "bad.html")
			require.NoError(t, os.WriteFile(page, []byte(c.page), 0o644))
			_, trouble := runChromium(t, bin, page, "--dump-dom")
			assert.Contains(t, strings.Join(trouble, "\n"), c.want, "the console must show the violation")
		})
	}
}

// checkScreenshot asserts the PNG decodes and is not a blank page.
func checkScreenshot(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err)
	b := img.Bounds()
	dark := 0
	for y := b.Min.Y; y < b.Max.Y; y += 4 {
		for x := b.Min.X; x < b.Max.X; x += 4 {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r+g+bl < 3*0x8000 {
				dark++
			}
		}
	}
	assert.Greater(t, dark, 500, "the screenshot shows text")
}

// chainDemo analyzes a bundle built for the chain drawing: APP01's second
// checkpoint was taken before its first checkpoint disk was modified (a
// broken link, 0xC03A000E), a forgotten checkpoint disk hangs off the base
// (an orphan), SQL01's checkpoint lost its parent (0xC03A000D), and the
// System log shows the storage resets of the night.
func chainDemo(t *testing.T) *analyze.Result {
	t.Helper()
	const (
		dir      = `D:\Hyper-V\APP01\Virtual Hard Disks`
		app01ID  = "6F0D2C41-9A3B-4E7C-8B15-2D4F6A9C0E73"
		sql01ID  = "2B7E4A90-5C1D-4E3F-9A62-0D8B7C5E1F34"
		base     = "APP01.vhdx"
		cp1      = "APP01_1C7E9B34-0D5A-4F62-A8B3-5E2C7D9F1A06.avhdx"
		cp2      = "APP01_E4A07B19-6C3D-42F8-9D51-8B0E3F6A2C74.avhdx"
		stale    = "APP01_93D5F0A2-7B4E-4C18-B6A9-2E1F8D0C3B57.avhdx"
		sqlChild = "SQL01_5A8C2E71-3F9B-4D06-8E4A-7C1B0F2D9E68.avhdx"
	)
	win := func(name string) string { return dir + `\` + name }
	open := func(b []byte) *vhdx.File {
		f, err := vhdx.Open(bytes.NewReader(b), int64(len(b)))
		require.NoError(t, err)
		return f
	}
	mk := func(o vhdxtest.Options) []byte {
		b, err := vhdxtest.VHDX(o)
		require.NoError(t, err)
		return b
	}
	baseB := mk(vhdxtest.Options{Seed: "demo-base", VirtualSize: 127 << 30})
	cp1Orig := mk(vhdxtest.ChildOf("demo-cp1", open(baseB), `.\`+base, win(base), ""))
	cp2B := mk(vhdxtest.ChildOf("demo-cp2", open(cp1Orig), `.\`+cp1, win(cp1), ""))
	// cp1 was mounted and written after cp2 was taken: new DataWriteGuid.
	o := vhdxtest.ChildOf("demo-cp1", open(baseB), `.\`+base, win(base), "")
	o.DataWriteGUID, o.Sequence = vhdxtest.GUID("demo-cp1", "mounted"), 7
	cp1B := mk(o)
	staleB := mk(vhdxtest.ChildOf("demo-stale", open(baseB), `.\`+base, win(base), ""))
	sqlParent := mk(vhdxtest.Options{Seed: "demo-sql-base", VirtualSize: 500 << 30})
	sqlB := mk(vhdxtest.ChildOf("demo-sql", open(sqlParent), `.\SQL01.vhdx`, `E:\Hyper-V\SQL01\SQL01.vhdx`, ""))

	h := fixture.Host{Computer: "HV01.contoso.local"}
	day := func(d, hh, mm, ss int) time.Time { return time.Date(2024, 3, d, hh, mm, ss, 0, time.UTC) }
	system := []evtxwrite.Record{
		h.Classic("System", "EventLog", 6005, 32768, fixture.LevelInfo, day(11, 9, 2, 10)),
		h.Classic("System", "Service Control Manager", 7036, 16384, fixture.LevelInfo, day(11, 9, 3, 0), "Hyper-V Virtual Machine Management", "running"),
		h.Classic("System", "Service Control Manager", 7036, 16384, fixture.LevelInfo, day(13, 22, 0, 0), "Volume Shadow Copy", "running"),
	}
	for i := range 6 {
		system = append(system, h.Classic("System", "storahci", 129, 32772, fixture.LevelWarning, day(14, 1, 40+i*3, 0), `\Device\RaidPort0`))
	}
	system = append(system,
		h.Classic("System", "disk", 153, 32772, fixture.LevelWarning, day(14, 1, 52, 13), `\Device\Harddisk1\DR1`, "0x2a81f400", "1", `\Device\00000034`),
		h.Classic("System", "Ntfs", 140, 32772, fixture.LevelWarning, day(14, 2, 3, 0), `D:`, `\Device\HarddiskVolume4`),
	)
	worker := []evtxwrite.Record{
		h.Worker(12140, fixture.LevelError, day(14, 8, 1, 2), "APP01", app01ID,
			fixture.F("Path", win(cp2)),
			fixture.F("ErrorMessage", "The chain of virtual hard disks is corrupted. There is a mismatch in the identifiers of the parent virtual hard disk and differencing disk."),
			fixture.F("Error", "0xC03A000E")),
		h.Worker(12140, fixture.LevelError, day(14, 8, 9, 40), "SQL01", sql01ID,
			fixture.F("Path", `E:\Hyper-V\SQL01\`+sqlChild),
			fixture.F("ErrorMessage", "The system cannot find the file specified."),
			fixture.F("Error", "0xC03A000D")),
	}
	drives := fixture.VMHardDiskDrives([]fixture.Drive{
		{VMName: "APP01", ControllerType: "SCSI", Path: win(cp2)},
		{VMName: "SQL01", ControllerType: "SCSI", Path: `E:\Hyper-V\SQL01\` + sqlChild},
	})
	snaps := fixture.VMSnapshotsList([]fixture.Checkpoint{
		{VMName: "APP01", Name: "Before March updates", Type: "Standard", Created: day(10, 18, 0, 0), ID: "0A1B2C3D-4E5F-4071-8293-A4B5C6D7E8F9",
			VMID: app01ID, Path: `D:\Hyper-V\APP01`, HardDrives: []string{win(base)}},
		{VMName: "APP01", Name: "Before agent upgrade", Type: "Standard", Created: day(12, 18, 0, 0), Parent: "Before March updates",
			ID: "1B2C3D4E-5F60-4182-93A4-B5C6D7E8F90A", VMID: app01ID, Path: `D:\Hyper-V\APP01`, HardDrives: []string{win(cp1)}},
	})
	files := fixture.Files{
		"disks/" + base:         baseB,
		"disks/" + cp1:          cp1B,
		"disks/" + cp2:          cp2B,
		"disks/" + stale:        staleB,
		"disks/" + sqlChild:     sqlB,
		"harddrives.txt":        fixture.UTF16(drives),
		"snapshots.txt":         fixture.UTF16(snaps),
		"EventLogs/System.evtx": fixture.EVTX(system, 81001),
		"EventLogs/Microsoft-Windows-Hyper-V-Worker-Admin.evtx": fixture.EVTX(worker, 301),
	}
	bundle := filepath.Join(t.TempDir(), "HV01_chain_case")
	require.NoError(t, files.WriteDir(bundle))
	res, err := analyze.Run(t.Context(), bundle, analyze.Options{})
	require.NoError(t, err)
	return res
}
