package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/hvtriage/hvtriage/analyze"
	"github.com/hvtriage/hvtriage/report"
	"github.com/hvtriage/hvtriage/rules"
)

// batch reports whether several bundles are analyzed in one run: what CI
// regression runs and fleet-wide reviews do.
func (c *analyzeConfig) batch() bool { return !c.asCase && (len(c.bundles) > 1 || c.batchDir != "") }

func (c *analyzeConfig) checkBatch() error {
	if len(c.outputs) > 0 {
		return errors.New("-o names one report; with several bundles use --report-dir")
	}
	for _, f := range c.formats() {
		if _, err := report.New(f); err != nil {
			return err
		}
	}
	names := map[string]string{}
	for _, b := range c.bundles {
		n := reportBase(b)
		if prev, dup := names[n]; dup {
			return fmt.Errorf("bundles %s and %s would write reports under the same name %q", prev, b, n)
		}
		names[n] = b
	}
	return nil
}

func (c *analyzeConfig) formats() []string {
	return strings.Split(cmp.Or(c.format, "json"), ",")
}

// bundlesIn lists the bundles of a folder: its zip files and subfolders,
// sorted by name. A named pipe, device or socket, even one named .zip, is
// never opened (a pipe would block the run forever); it is returned in
// skipped with what it is.
func bundlesIn(dir string) (bundles, skipped []string, err error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, err
	}
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		switch {
		case e.IsDir():
			bundles = append(bundles, p)
		case !strings.EqualFold(filepath.Ext(e.Name()), ".zip"):
		case e.Type().IsRegular():
			bundles = append(bundles, p)
		case e.Type()&fs.ModeSymlink != 0:
			// A link to a zip is followed; OpenBundle refuses one to a pipe.
			bundles = append(bundles, p)
		default:
			skipped = append(skipped, fmt.Sprintf("%s: not a regular file (%s); not opened", p, e.Type()))
		}
	}
	if len(bundles) == 0 {
		return nil, skipped, fmt.Errorf("--batch %s: no .zip file or folder in it", dir)
	}
	return bundles, skipped, nil
}

// reportBase names a bundle's reports: the bundle's name without ".zip".
func reportBase(bundle string) string {
	base := filepath.Base(filepath.Clean(bundle))
	return strings.TrimSuffix(base, filepath.Ext(base))
}

// batchProgress adds up the progress of the bundles analyzed at once, so
// one line shows the whole batch: the files of the bundles started so far
// and how many bundles are done.
type batchProgress struct {
	mu     sync.Mutex
	per    map[int]analyze.Progress
	done   map[int]bool
	total  int
	update func(analyze.Progress)
	closed bool
}

func newBatchProgress(bundles int, update func(analyze.Progress)) *batchProgress {
	return &batchProgress{per: map[int]analyze.Progress{}, done: map[int]bool{}, total: bundles, update: update}
}

// bundle returns the Progress callback of bundle i.
func (b *batchProgress) bundle(i int) func(analyze.Progress) {
	return func(p analyze.Progress) {
		b.mu.Lock()
		defer b.mu.Unlock()
		b.per[i] = p
		b.drawLocked()
	}
}

// finished counts bundle i as done, whether it was analyzed or failed.
func (b *batchProgress) finished(i int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.done[i] = true
	b.drawLocked()
}

func (b *batchProgress) drawLocked() {
	if b.closed {
		return
	}
	sum := analyze.Progress{BundlesDone: len(b.done), BundlesTotal: b.total}
	for _, q := range b.per {
		sum.FilesDone += q.FilesDone
		sum.FilesTotal += q.FilesTotal
		sum.BytesDone += q.BytesDone
		sum.BytesTotal += q.BytesTotal
	}
	b.update(sum)
}

// close stops forwarding: the summary table follows.
func (b *batchProgress) close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
}

// batchParallelism says how many bundles are analyzed at once and by how
// many file workers each: every core is used across bundles, and the
// budget of inflated buffers held in memory is shared between them rather
// than multiplied (each bundle's share is at least minBundleMemory; past
// what fits, bundles wait their turn).
func batchParallelism(bundles, procs int, maxMemory int64) (parallel, workers int, memoryEach int64) {
	byMemory := max(1, int(maxMemory/minBundleMemory))
	parallel = max(1, min(bundles, procs, byMemory))
	workers = max(1, (procs+parallel-1)/parallel)
	return parallel, workers, maxMemory / int64(parallel)
}

// minBundleMemory is the smallest share of the in-memory buffer budget a
// bundle of a batch gets: two entries of the largest size held in memory.
const minBundleMemory = 64 << 20

type batchResult struct {
	bundle string
	doc    *report.Document
	err    error
}

// runBatch analyzes the bundles several at a time (see batchParallelism;
// each analysis is itself parallel over files), writes each one's reports,
// and prints a summary in the order the bundles were named, whatever order
// they finish in.
func runBatch(ctx context.Context, cfg *analyzeConfig, eng *rules.Engine, stdout, stderr io.Writer) int {
	if cfg.reportDir != "" {
		if err := os.MkdirAll(cfg.reportDir, 0o755); err != nil {
			fmt.Fprintf(stderr, "hvtriage: %v\n", err)
			return exitFailed
		}
	}
	for _, s := range cfg.skipped {
		fmt.Fprintf(stderr, "hvtriage: skipped %s\n", s)
	}
	results := make([]batchResult, len(cfg.bundles))
	opt := cfg.options(eng)
	if opt.Limits == (analyze.Limits{}) {
		opt.Limits = analyze.DefaultLimits()
	}
	parallel, workers, memoryEach := batchParallelism(len(cfg.bundles), runtime.GOMAXPROCS(0), opt.Limits.MaxMemory)
	opt.Workers, opt.Limits.MaxMemory = workers, memoryEach
	var progress *batchProgress
	closeProgress := func() {}
	if wantProgress(stderr) {
		line := newProgressLine(stderr, time.Now)
		line.Run()
		progress, closeProgress = newBatchProgress(len(cfg.bundles), line.Update), line.Close
	}
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for i, b := range cfg.bundles {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			o := opt
			if progress != nil {
				o.Progress = progress.bundle(i)
			}
			results[i] = analyzeOne(ctx, b, cfg, o)
			if progress != nil {
				progress.finished(i)
			}
		})
	}
	wg.Wait()
	if progress != nil {
		progress.close()
	}
	closeProgress() // the line is erased before the summary is printed

	failed, tripped, inconclusive := 0, 0, 0
	for _, r := range results {
		if r.err != nil {
			failed++
			fmt.Fprintf(stderr, "hvtriage: %s: %v\n", r.bundle, r.err)
			continue
		}
		switch code, _ := cfg.failOn.judge(r.doc); code {
		case exitFindings:
			tripped++
		case exitInconclusive:
			inconclusive++
		}
	}
	if err := batchSummary(stdout, results); err != nil {
		fmt.Fprintf(stderr, "hvtriage: %v\n", err)
		return exitFailed
	}
	if tripped > 0 {
		fmt.Fprintf(stderr, "hvtriage: %d bundle(s) have a finding at or above --fail-on %s\n", tripped, cfg.failOn.level)
	}
	if inconclusive > 0 {
		fmt.Fprintf(stderr, "hvtriage: %d bundle(s) inconclusive: no file gave usable evidence\n", inconclusive)
	}
	return batchExit(failed, tripped, inconclusive)
}

// batchExit combines the bundles' outcomes into one exit code: the first
// that applies of 1 (a bundle could not be analyzed: its result is missing
// altogether), 3 (a finding at or above --fail-on), 4 (a bundle was
// inconclusive under --fail-on), 0. Each bundle's own state is in the
// summary table and its reports.
func batchExit(failed, tripped, inconclusive int) int {
	switch {
	case failed > 0:
		return exitFailed
	case tripped > 0:
		return exitFindings
	case inconclusive > 0:
		return exitInconclusive
	}
	return exitOK
}

func analyzeOne(ctx context.Context, bundle string, cfg *analyzeConfig, opt analyze.Options) batchResult {
	res, err := analyze.Run(ctx, bundle, opt)
	if err != nil {
		return batchResult{bundle: bundle, err: fmt.Errorf("cannot analyze: %w", err)}
	}
	doc := report.Build(res, version)
	if cfg.reportDir != "" {
		for _, f := range cfg.formats() {
			out := filepath.Join(cfg.reportDir, reportBase(bundle)+"."+f)
			if err := writeReport(out, f, doc, io.Discard); err != nil {
				return batchResult{bundle: bundle, doc: doc, err: fmt.Errorf("writing %s: %w", out, err)}
			}
		}
	}
	return batchResult{bundle: bundle, doc: doc}
}

func batchSummary(w io.Writer, results []batchResult) error {
	var rows [][]string
	for _, r := range results {
		if r.err != nil {
			rows = append(rows, []string{plainText(r.bundle), "error", "ERROR: " + plainText(r.err.Error()), "-", "-", "-", "-"})
			continue
		}
		v := r.doc.Verdict
		row := []string{plainText(r.bundle), v.State, "none", "-", "-", "0", fmt.Sprintf("%d of %d", v.FilesRead, v.Files)}
		if v.Inconclusive() && len(r.doc.Findings) == 0 {
			row[2] = "nothing could be read"
		}
		if len(r.doc.Findings) > 0 {
			top := r.doc.Findings[0]
			row[2], row[3], row[4], row[5] = top.Cause, top.Severity.String(), fmt.Sprintf("%.0f%%", top.Confidence*100), fmt.Sprint(len(r.doc.Findings))
		}
		rows = append(rows, row)
	}
	return report.TextTable(w, []string{"Bundle", "Verdict", "Top cause", "Severity", "Conf", "Findings", "Files read"}, rows)
}

// plainText keeps control characters of file names out of the terminal.
func plainText(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, s)
}
