package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvtriage/hvtriage/analyze"
)

// fakeClock is moved by hand; the progress line never reads the real clock
// in these tests.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time      { return c.t }
func (c *fakeClock) add(d time.Duration) { c.t = c.t.Add(d) }
func newFakeClock() *fakeClock           { return &fakeClock{t: time.Date(2024, 3, 14, 2, 0, 0, 0, time.UTC)} }
func gib(n float64) int64                { return int64(n * (1 << 30)) }
func lastDraw(s string) string           { i := strings.LastIndex(s, "\r\x1b[K"); return s[i+len("\r\x1b[K"):] }
func progressOf(files, of int, done, total int64) analyze.Progress {
	return analyze.Progress{FilesDone: files, FilesTotal: of, BytesDone: done, BytesTotal: total}
}

func TestProgressLine(t *testing.T) {
	clock := newFakeClock()
	var out bytes.Buffer
	p := newProgressLine(&out, clock.now)

	clock.add(300 * time.Millisecond)
	p.Update(progressOf(1, 10, gib(0.5), gib(4)))
	assert.Empty(t, out.String(), "a run shorter than a second shows nothing")

	clock.add(time.Second) // 1.3 s in, 0.5 of 4 GiB: 7 × 1.3 s = 9.1 s left
	p.Update(progressOf(2, 10, gib(0.5), gib(4)))
	assert.Equal(t, "analyzing 2/10 files, 512.0 MiB of 4.0 GiB (12%), about 9s left", lastDraw(out.String()))
	assert.True(t, strings.HasPrefix(out.String(), "\r\x1b[K"), "the line is rewritten in place")

	before := out.Len()
	clock.add(50 * time.Millisecond)
	p.Update(progressOf(3, 10, gib(1), gib(4)))
	assert.Equal(t, before, out.Len(), "no redraw within the interval")

	clock.add(progressInterval)
	p.Tick() // the elapsed time moves even when no file finishes
	assert.Contains(t, lastDraw(out.String()), "analyzing 3/10 files, 1.0 GiB of 4.0 GiB (25%)")

	clock.add(2 * time.Minute)
	p.Update(progressOf(10, 10, gib(4), gib(4)))
	assert.Equal(t, "analyzing 10/10 files, 4.0 GiB of 4.0 GiB (100%), finishing", lastDraw(out.String()))

	p.Close()
	assert.True(t, strings.HasSuffix(out.String(), "finishing\r\x1b[K"), "closing erases the line")
	n := out.Len()
	clock.add(time.Second)
	p.Update(progressOf(10, 10, gib(4), gib(4)))
	p.Close()
	assert.Equal(t, n, out.Len(), "nothing after Close")
}

func TestProgressLineQuickRunLeavesNoTrace(t *testing.T) {
	clock := newFakeClock()
	var out bytes.Buffer
	p := newProgressLine(&out, clock.now)
	for i := range 5 {
		clock.add(100 * time.Millisecond)
		p.Update(progressOf(i+1, 5, int64(i+1)*1000, 5000))
	}
	p.Close()
	assert.Empty(t, out.String(), "no line drawn, none to erase")
}

func TestProgressText(t *testing.T) {
	tests := []struct {
		pr      analyze.Progress
		elapsed time.Duration
		want    string
	}{
		{progressOf(0, 3, 0, 900), 2 * time.Second, "analyzing 0/3 files, 0 B of 900 B (0%), estimating time left"},
		{progressOf(1, 3, gib(1), gib(3)), 90 * time.Second, "analyzing 1/3 files, 1.0 GiB of 3.0 GiB (33%), about 3m00s left"},
		{progressOf(1, 400, gib(1), gib(200)), time.Minute, "analyzing 1/400 files, 1.0 GiB of 200.0 GiB (0%), about 3h19m left"},
		{progressOf(2, 2, 0, 0), time.Second, "analyzing 2/2 files, finishing"},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, progressText(tc.pr, tc.elapsed))
	}
}

func TestWantProgress(t *testing.T) {
	var buf bytes.Buffer
	assert.False(t, wantProgress(&buf), "not a terminal")

	f, err := os.CreateTemp(t.TempDir(), "stderr")
	require.NoError(t, err)
	defer f.Close()
	assert.False(t, wantProgress(f), "a file is not a terminal")

	if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
		defer tty.Close()
		t.Setenv("CI", "true")
		assert.False(t, wantProgress(tty), "never in CI")
		t.Setenv("CI", "")
		t.Setenv("TERM", "dumb")
		assert.False(t, wantProgress(tty), "not on a dumb terminal")
	}
}

// TestProgressNotOnPipes runs the command with stderr captured: no progress
// escape may reach it.
func TestProgressNotOnPipes(t *testing.T) {
	_, _, stderr := runCLI(t, "analyze", sample)
	assert.NotContains(t, stderr, "\x1b[K")
	assert.NotContains(t, stderr, "analyzing ")
}
