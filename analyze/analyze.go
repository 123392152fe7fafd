// Package analyze turns a bundle into findings: it opens the bundle, sorts
// every file into a kind, hands each file to the extractor for that kind,
// gathers the evidence, rebuilds the disk chains, and runs the rule engine.
//
// The data flows one way: bundle → files → extractors → evidence → rules →
// findings. A failure inside one file becomes a problem listed against that
// file; only an unreadable bundle or a cancelled context stops Run.
package analyze

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hvtriage/hvtriage/analyze/extract"
	"github.com/hvtriage/hvtriage/evidence"
	"github.com/hvtriage/hvtriage/rules"
	"github.com/hvtriage/hvtriage/vhdx"
)

// File statuses of the inventory (contract.md).
const (
	StatusParsed     = "parsed"
	StatusPartial    = "partial"
	StatusUnreadable = "unreadable"
	StatusIgnored    = "ignored"
)

// FileRecord is one line of the bundle inventory.
type FileRecord struct {
	Path     string
	Kind     string
	Status   string
	Size     int64
	Records  int
	Problems []evidence.Problem // what could not be read, and where
	Notes    []string           // how the file was read (encoding guesses), not damage
	// Evidence counts the evidence items citing the file, and
	// GaveEvidence says whether the file gave usable evidence (defined at
	// Result.Decide, which sets both).
	Evidence     int
	GaveEvidence bool
}

// BundleInfo identifies the bundle analyzed.
type BundleInfo struct {
	Name   string
	SHA256 string
	Files  int
	Bytes  int64
}

// Result is everything an analysis produced. It holds no wall-clock time,
// so the same bundle always gives the same result.
type Result struct {
	Bundle    BundleInfo
	Inventory []FileRecord
	Evidence  []evidence.Evidence
	Chains    vhdx.ChainSet // every differencing chain rebuilt from the disk headers
	Activity  []Activity    // every event counted per hour, channel and level, for the timeline
	Outcome   rules.Outcome
	Coverage  evidence.Coverage
	Verdict   Verdict // set by Decide: findings, clean or inconclusive
	// The models reports render, set by Decide: the chains with the VMs
	// each disk belongs to, and the timeline (activity per hour, each VM's
	// evidence).
	ChainView Chains
	Timeline  Timeline
}

// Options configure Run.
type Options struct {
	Engine     *rules.Engine
	Extractors []Extractor // nil: DefaultExtractors()
	Limits     Limits
	Workers    int // files analyzed in parallel; 0: one per CPU
	// FileTimeout bounds the time spent on one file, so one pathological
	// file cannot stall the run; what was read before is kept. 0: 5 minutes.
	FileTimeout time.Duration
	Logger      *slog.Logger // nil: silent
	// Progress, when set, is called after each file with the running
	// totals. Calls come from the worker goroutines but never overlap.
	Progress func(Progress)
}

// Progress reports how far an analysis is.
type Progress struct {
	FilesDone, FilesTotal int
	BytesDone, BytesTotal int64
	// A batch of bundles (hvtriage analyze --batch) adds up the files of
	// the bundles started so far and counts the bundles; 0 for one bundle.
	BundlesDone, BundlesTotal int
}

// The extractors' types, from package extract: an extractor, what it is
// handed and what it returns.
type (
	Extractor  = extract.Extractor
	Input      = extract.Input
	Extraction = extract.Extraction
	Activity   = extract.Activity
)

// DefaultExtractors is the explicit, ordered list of extractors
// (extract.Default).
func DefaultExtractors() []Extractor { return extract.Default() }

// DefaultFileTimeout is the per-file time budget: generous for a 4 GiB
// event log on a slow laptop, short enough to finish a call.
const DefaultFileTimeout = 5 * time.Minute

// Run analyzes the bundle at path.
func Run(ctx context.Context, bundlePath string, opt Options) (*Result, error) {
	if opt.Limits == (Limits{}) {
		opt.Limits = DefaultLimits()
	}
	b, err := OpenBundle(bundlePath, opt.Limits)
	if err != nil {
		return nil, err
	}
	defer b.Close()
	return analyzeBundle(ctx, b, opt)
}

func analyzeBundle(ctx context.Context, b *Bundle, opt Options) (*Result, error) {
	if opt.Engine == nil {
		cat, err := rules.Default()
		if err != nil {
			return nil, err
		}
		opt.Engine = rules.NewEngine(cat)
	}
	if opt.Extractors == nil {
		opt.Extractors = DefaultExtractors()
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.FileTimeout == 0 {
		opt.FileTimeout = DefaultFileTimeout
	}
	// The bundle's digest reads every byte once more; it runs beside the
	// analysis instead of before it, and takes the small files' sums from
	// the analysis, which reads them whole.
	digest := b.startDigest()

	outcomes := make([]fileOutcome, len(b.Entries))
	clearParallel(outcomes)
	budget := extract.NewEventBudget()
	dedup := newOutputDedup(newTextBudget(maxTextEvidenceBundle))
	lim := b.lim.withDefaults()
	activity, coverage := newActivityBudget(lim.MaxActivity), newCoverageBudget(lim.MaxCoverage)
	workers := cmp.Or(opt.Workers, runtime.GOMAXPROCS(0))
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		progress = Progress{FilesTotal: len(b.Entries)}
		// next is the index of the next file to analyze: each worker
		// takes its own, instead of being handed files through a channel
		// by another goroutine (two goroutine switches per file, which
		// many small files make a large share of the run).
		next atomic.Int64
	)
	for _, e := range b.Entries {
		progress.BytesTotal += e.Size
	}
	for range workers {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= len(b.Entries) {
					return
				}
				outcomes[i] = analyzeFile(ctx, b.Entries[i], opt, budget)
				dedup.add(outcomes, i)
				activity.add(outcomes, i)
				coverage.add(outcomes, i)
				if opt.Progress != nil {
					mu.Lock()
					progress.FilesDone++
					progress.BytesDone += b.Entries[i].Size
					opt.Progress(progress)
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	mergeDuplicateEvents(outcomes)
	mergeDuplicateOutputs(outcomes)
	for i := range outcomes {
		if n := outcomes[i].textDropped; n > 0 {
			outcomes[i].record.Notes = append(outcomes[i].record.Notes, textDroppedNote(n))
		}
		outcomes[i].record.Notes = append(outcomes[i].record.Notes, boundsNotes(&outcomes[i], lim)...)
	}
	res := &Result{Coverage: evidence.Coverage{}}
	// Sized once: grown by doubling, the copies of these lists (20,000
	// inventory rows for as many small files) were paged in and copied
	// again at each step, on one core while the other waits.
	evidenceItems := 0
	for i := range outcomes {
		evidenceItems += len(outcomes[i].extraction.Evidence)
	}
	if n := len(outcomes) + len(b.Archives) + len(b.Rejected); n > 0 { // nil stays nil
		res.Inventory = make([]FileRecord, 0, n)
	}
	if evidenceItems > 0 {
		res.Evidence = make([]evidence.Evidence, 0, evidenceItems)
	}
	var disks []vhdx.Disk
	for _, o := range outcomes {
		disks = append(disks, o.extraction.Disks...)
		res.Activity = append(res.Activity, o.extraction.Activity...)
		res.Inventory = append(res.Inventory, o.record)
		res.Evidence = append(res.Evidence, o.extraction.Evidence...)
		for _, k := range o.extraction.Coverage {
			res.Coverage.Add(k)
		}
		if o.record.Status == StatusParsed || o.record.Status == StatusPartial {
			res.Coverage.Add("file:" + o.record.Kind)
		}
	}
	for _, a := range b.Archives {
		rec := FileRecord{Path: a.Path, Kind: KindZip, Status: StatusParsed, Size: a.Size, Records: a.Entries}
		if a.Damage != "" {
			rec.Status, rec.Problems = StatusPartial, evidence.TextProblems(a.Damage)
		}
		res.Inventory = append(res.Inventory, rec)
	}
	for _, r := range b.Rejected {
		res.Inventory = append(res.Inventory, FileRecord{Path: r.Path, Kind: cmp.Or(r.Kind, KindUnknown), Status: r.Status, Problems: evidence.TextProblems(r.Reason)})
	}
	slices.SortFunc(res.Inventory, func(x, y FileRecord) int { return strings.Compare(x.Path, y.Path) })
	res.Activity = mergeActivity(res.Activity)

	var chainEv []evidence.Evidence
	res.Chains, chainEv = buildChains(disks, res.Evidence, everyInventoryIn(b.parts, outcomes))
	res.Evidence = append(res.Evidence, chainEv...)
	correlate(res.Evidence)
	toUTC(res.Evidence)
	// The extractors report what they read; what is known about the
	// products they name (a filter's product, whether a process is an
	// antivirus or Hyper-V's own) is rules data, added to the evidence the
	// report keeps.
	opt.Engine.Annotate(res.Evidence)
	res.Outcome = opt.Engine.Evaluate(res.Evidence, res.Coverage)

	sum, err := digest()
	if err != nil {
		return nil, fmt.Errorf("reading the bundle for its digest: %w", err)
	}
	res.Bundle = BundleInfo{Name: b.Name, SHA256: sum, Files: len(res.Inventory)}
	for _, e := range b.Entries {
		res.Bundle.Bytes += e.Size
	}
	res.Decide()
	return res, nil
}

// clearParallel writes the zeroes of a new outcomes array, half on each
// core, before the workers start. A large allocation comes from the system
// untouched, and if the collector scans it first every page is mapped
// read-only to the zero page: each worker's first write to a page then
// took a copy-on-write fault and a TLB flush on both cores (2% of the run
// on 20,000 small files). Written first, the pages are faulted in once,
// writable; the page faults are most of the clearing's time, and they
// run in parallel.
func clearParallel(outcomes []fileOutcome) {
	var wg sync.WaitGroup
	half := len(outcomes) / 2
	wg.Go(func() { clear(outcomes[:half]) })
	clear(outcomes[half:])
	wg.Wait()
}

type fileOutcome struct {
	record     FileRecord
	extraction Extraction
	// A command output's fingerprint and the number of its records, set
	// by outputDedup or mergeDuplicateOutputs.
	sum           [32]byte
	fingerprinted bool
	records       int
	// text marks a text file, whose evidence counts against the bundle's
	// text budget (newTextBudget); textDropped counts its items that budget dropped.
	text        bool
	textDropped int
	// The timeline buckets (and their events) and coverage keys the
	// bundle's limits cut from the file (itemBudget).
	activityDropped, activityEventsDropped, coverageDropped int
}

// analyzeFile classifies and extracts one file. Whatever goes wrong inside,
// including a panic in parser code, ends up as a problem on this file.
func analyzeFile(ctx context.Context, e *Entry, opt Options, budget *extract.EventBudget) (out fileOutcome) {
	out.record = FileRecord{Path: e.Path, Size: e.Size, Kind: KindUnknown}
	defer e.Release() // the inflated copy, if any, is not needed any more
	defer func() {
		if r := recover(); r != nil {
			out.record.Status = StatusUnreadable
			out.record.Problems = append(out.record.Problems, evidence.Problem{Msg: fmt.Sprintf("internal error while reading the file: %v", r)})
			opt.Logger.Error("extractor panic", "file", e.Path, "panic", r)
		}
	}()
	head, err := readHead(e)
	if err != nil {
		out.record.Status = StatusUnreadable
		out.record.Problems = []evidence.Problem{extract.ErrProblem(err)}
		return out
	}
	whole := int64(len(head)) == e.Size && e.Size < headSize
	if whole {
		e.sum.take(head) // the bundle's digest of a small file of a folder
	}
	c := extract.Classify(opt.Extractors, extract.NewHead(e.Path, head, whole))
	out.record.Kind = c.Kind
	if c.Note != "" {
		out.record.Problems = append(out.record.Problems, evidence.Problem{Msg: c.Note})
	}
	switch c.Extractor.(type) {
	case extract.TextOutputs, extract.BackupLogs, extract.FreeText:
		out.text = true
	}
	if c.Extractor == nil {
		out.record.Status = StatusIgnored
		if c.Kind == KindUnknown && c.Note == "" {
			out.record.Problems = append(out.record.Problems, evidence.Problem{Msg: "content not recognized"})
		}
		return out
	}
	fileCtx, cancel := context.WithTimeout(ctx, opt.FileTimeout)
	defer cancel()
	in := Input{Path: e.Path, Size: e.Size, Kind: c.Kind, Entry: e, Wants: opt.Engine.WantsEvent, Budget: budget, Head: c.Head}
	ext, err := c.Extractor.Extract(fileCtx, in)
	if err == nil {
		// A file that mixes forms: the other readers read the rest.
		extract.ReadMixed(fileCtx, in, &ext)
	} else {
		ext.DropText()
	}
	if err != nil && ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
		// The file's own budget ran out, not the run's: keep what was read.
		err = fmt.Errorf("stopped after the per-file time budget of %s; the rest of the file was not read", opt.FileTimeout)
	}
	out.extraction = ext
	out.record.Records = ext.Records
	out.record.Problems = append(out.record.Problems, ext.Problems...)
	out.record.Notes = ext.Notes
	switch {
	case ext.Ignored:
		out.record.Status = StatusIgnored
	case err != nil && ext.Records == 0:
		out.record.Status = StatusUnreadable
		out.record.Problems = append(out.record.Problems, extract.ErrProblem(err))
	case err != nil:
		out.record.Status = StatusPartial
		out.record.Problems = append(out.record.Problems, extract.ErrProblem(err))
	case len(ext.Problems) > 0:
		out.record.Status = StatusPartial
	default:
		out.record.Status = StatusParsed
	}
	return out
}

// mergeActivity adds up the counts of several files (System.evtx of two
// nodes, an EVTX and its XML export) and sorts them.
func mergeActivity(in []Activity) []Activity {
	type key struct {
		hour    int64
		channel string
		level   uint8
	}
	sum := map[key]int{}
	for _, a := range in {
		sum[key{a.Hour.Unix(), a.Channel, a.Level}] += a.Count
	}
	out := make([]Activity, 0, len(sum))
	for k, n := range sum {
		out = append(out, Activity{Hour: time.Unix(k.hour, 0).UTC(), Channel: k.channel, Level: k.level, Count: n})
	}
	slices.SortFunc(out, func(a, b Activity) int {
		return cmp.Or(a.Hour.Compare(b.Hour), strings.Compare(a.Channel, b.Channel), cmp.Compare(a.Level, b.Level))
	})
	return out
}
