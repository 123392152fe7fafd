package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/hvtriage/hvtriage/analyze"
)

// progressLine shows how far an analysis is on one terminal line of
// stderr: files, bytes and the estimated time left. It stays silent for
// quick runs (the first second) and is never created for pipes, files or
// CI logs, where a line rewritten with \r is noise.
type progressLine struct {
	w     io.Writer
	now   func() time.Time
	start time.Time

	mu     sync.Mutex
	last   analyze.Progress
	drawn  time.Time // when the line was last written
	shown  bool      // something is on the line and must be cleared
	closed bool
	stop   chan struct{}
	ticked sync.WaitGroup
}

const (
	progressDelay    = time.Second            // quiet before this
	progressInterval = 200 * time.Millisecond // at most one redraw per interval
)

// wantProgress says whether stderr deserves a progress line: a terminal,
// outside CI, with a terminal that understands erasing a line.
func wantProgress(stderr io.Writer) bool {
	if os.Getenv("CI") != "" || os.Getenv("TERM") == "dumb" {
		return false
	}
	return isTerminal(stderr)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func newProgressLine(w io.Writer, now func() time.Time) *progressLine {
	return &progressLine{w: w, now: now, start: now()}
}

// Update records new totals (analyze.Options.Progress) and redraws when
// it is time to.
func (p *progressLine) Update(pr analyze.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.last = pr
	p.drawLocked()
}

// Tick redraws so the elapsed time and the estimate move while one big
// file is being read.
func (p *progressLine) Tick() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.drawLocked()
}

// Run ticks every interval until Close, on the real clock.
func (p *progressLine) Run() {
	p.stop = make(chan struct{})
	p.ticked.Go(func() {
		t := time.NewTicker(progressInterval)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				p.Tick()
			case <-p.stop:
				return
			}
		}
	})
}

// Close stops the ticker and erases the line, so the report or the
// summary that follows starts on a clean line.
func (p *progressLine) Close() {
	if p.stop != nil {
		close(p.stop)
		p.ticked.Wait()
		p.stop = nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.shown = false
	}
	p.closed = true
}

func (p *progressLine) drawLocked() {
	now := p.now()
	if p.closed || p.last.FilesTotal == 0 || now.Sub(p.start) < progressDelay {
		return
	}
	if p.shown && now.Sub(p.drawn) < progressInterval {
		return
	}
	fmt.Fprint(p.w, "\r\x1b[K"+progressText(p.last, now.Sub(p.start)))
	p.drawn, p.shown = now, true
}

// progressText is the line itself: "analyzing 12/340 files, 1.2 of
// 4.0 GiB (30%), about 1m20s left".
func progressText(pr analyze.Progress, elapsed time.Duration) string {
	s := fmt.Sprintf("analyzing %d/%d files", pr.FilesDone, pr.FilesTotal)
	if pr.BundlesTotal > 0 {
		// A batch: the file and byte totals cover only the bundles
		// started so far, so the estimate follows bundles.
		s = fmt.Sprintf("%d/%d bundles done, ", pr.BundlesDone, pr.BundlesTotal) + s
		if pr.BytesTotal > 0 {
			s += ", " + humanBytes(pr.BytesDone) + " read"
		}
		switch {
		case pr.BundlesDone >= pr.BundlesTotal:
			s += ", finishing"
		case pr.BundlesDone > 0:
			left := time.Duration(float64(elapsed) * float64(pr.BundlesTotal-pr.BundlesDone) / float64(pr.BundlesDone))
			s += ", about " + shortDuration(left) + " left"
		default:
			s += ", estimating time left"
		}
		return s
	}
	if pr.BytesTotal > 0 {
		pct := int(float64(pr.BytesDone) * 100 / float64(pr.BytesTotal))
		s += fmt.Sprintf(", %s of %s (%d%%)", humanBytes(pr.BytesDone), humanBytes(pr.BytesTotal), pct)
	}
	// The estimate follows bytes, which track reading time better than
	// file counts; it needs some progress to mean anything.
	switch {
	case pr.BytesDone > 0 && pr.BytesTotal > pr.BytesDone:
		left := time.Duration(float64(elapsed) * float64(pr.BytesTotal-pr.BytesDone) / float64(pr.BytesDone))
		s += ", about " + shortDuration(left) + " left"
	case pr.BytesDone >= pr.BytesTotal && pr.FilesDone >= pr.FilesTotal:
		s += ", finishing"
	default:
		s += ", estimating time left"
	}
	return s
}

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return strconv.FormatInt(n, 10) + " B"
	}
	v, u := float64(n), -1
	for v >= unit && u < 4 {
		v /= unit
		u++
	}
	return strconv.FormatFloat(v, 'f', 1, 64) + " " + []string{"KiB", "MiB", "GiB", "TiB", "PiB"}[u]
}

// shortDuration rounds an estimate to what a person can use: seconds
// under a minute, then minutes and seconds, then hours and minutes.
func shortDuration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return strconv.Itoa(int(d.Round(time.Second)/time.Second)) + "s"
	case d < time.Hour:
		d = d.Round(time.Second)
		return fmt.Sprintf("%dm%02ds", int(d/time.Minute), int(d%time.Minute/time.Second))
	}
	d = d.Round(time.Minute)
	return fmt.Sprintf("%dh%02dm", int(d/time.Hour), int(d%time.Hour/time.Minute))
}
