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
	"io"
	"log/slog"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hvtriage/hvtriage/cmdout"
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
	Problems []string // what could not be read, and where
	Notes    []string // how the file was read (encoding guesses), not damage
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
	Evidence  []rules.Evidence
	Chains    vhdx.ChainSet // every differencing chain rebuilt from the disk headers
	Activity  []Activity    // every event counted per hour, channel and level, for the timeline
	Outcome   rules.Outcome
	Coverage  rules.Coverage
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

// Input is one file handed to an extractor.
type Input struct {
	Path   string
	Size   int64
	Kind   string
	Entry  *Entry
	Engine *rules.Engine // lets extractors drop events no rule can use

	budget *eventBudget // shared by every file of the run
	// head is what classification read; whole says it is the whole file
	// (small files), which text extractors then do not read again.
	head   []byte
	whole  bool
	parsed *parsedText // a whole command output, decoded and parsed
}

// Extraction is what an extractor got out of one file.
type Extraction struct {
	Evidence []rules.Evidence
	Records  int      // items read: events, writers, disks…
	Problems []string // what could not be read, and where
	Notes    []string // observations that are not damage (an encoding switch)
	Coverage []string // coverage keys the file provides ("channel:system")
	Disks    []vhdx.Disk
	Activity []Activity // event counts per hour, channel and level
	// Ignored marks a file the extractor deliberately skipped (with the
	// reason in Problems), as opposed to one it failed to read.
	Ignored bool
	// idents lists the identity of every event rules want, for merging
	// the same events found in several files.
	idents []identRef
}

// Extractor turns the files of some kinds into evidence.
type Extractor interface {
	Name() string
	Kinds() []string
	Extract(ctx context.Context, in Input) (Extraction, error)
}

// DefaultExtractors is the explicit registry of extractors.
func DefaultExtractors() []Extractor {
	return []Extractor{EventLogs{}, EventXML{}, EventText{}, TextOutputs{}, DiskHeaders{}, BackupLogs{}, FreeText{}}
}

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
	byKind := map[string]Extractor{}
	for _, x := range opt.Extractors {
		for _, k := range x.Kinds() {
			byKind[k] = x
		}
	}

	// The bundle's digest reads every byte once more; it runs beside the
	// analysis instead of before it, and takes the small files' sums from
	// the analysis, which reads them whole.
	digest := b.startDigest()

	outcomes := make([]fileOutcome, len(b.Entries))
	budget := newEventBudget()
	dedup := newOutputDedup(newTextBudget(maxTextEvidenceBundle))
	workers := cmp.Or(opt.Workers, runtime.GOMAXPROCS(0))
	jobs := make(chan int)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		progress = Progress{FilesTotal: len(b.Entries)}
	)
	for _, e := range b.Entries {
		progress.BytesTotal += e.Size
	}
	for range workers {
		wg.Go(func() {
			for i := range jobs {
				outcomes[i] = analyzeFile(ctx, b.Entries[i], byKind, opt, budget)
				dedup.add(outcomes, i)
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
feed:
	for i := range b.Entries {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
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
	}
	res := &Result{Coverage: rules.Coverage{}}
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
			rec.Status, rec.Problems = StatusPartial, []string{a.Damage}
		}
		res.Inventory = append(res.Inventory, rec)
	}
	for _, r := range b.Rejected {
		res.Inventory = append(res.Inventory, FileRecord{Path: r.Path, Kind: cmp.Or(r.Kind, KindUnknown), Status: r.Status, Problems: []string{r.Reason}})
	}
	slices.SortFunc(res.Inventory, func(x, y FileRecord) int { return strings.Compare(x.Path, y.Path) })
	res.Activity = mergeActivity(res.Activity)

	var chainEv []rules.Evidence
	res.Chains, chainEv = buildChains(disks, res.Evidence, everyInventoryIn(b.parts, outcomes))
	res.Evidence = append(res.Evidence, chainEv...)
	correlate(res.Evidence)
	toUTC(res.Evidence)
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

type fileOutcome struct {
	record     FileRecord
	extraction Extraction
	// A command output's fingerprint and the number of its records, set
	// by outputDedup or mergeDuplicateOutputs.
	sum           [32]byte
	fingerprinted bool
	records       int
	// text marks a text file, whose evidence counts against the bundle's
	// textBudget; textDropped counts its items that budget dropped.
	text        bool
	textDropped int
}

// analyzeFile classifies and extracts one file. Whatever goes wrong inside,
// including a panic in parser code, ends up as a problem on this file.
func analyzeFile(ctx context.Context, e *Entry, byKind map[string]Extractor, opt Options, budget *eventBudget) (out fileOutcome) {
	out.record = FileRecord{Path: e.Path, Size: e.Size, Kind: KindUnknown}
	defer e.Release() // the inflated copy, if any, is not needed any more
	defer func() {
		if r := recover(); r != nil {
			out.record.Status = StatusUnreadable
			out.record.Problems = append(out.record.Problems, fmt.Sprintf("internal error while reading the file: %v", r))
			opt.Logger.Error("extractor panic", "file", e.Path, "panic", r)
		}
	}()
	head, err := readHead(e)
	if err != nil {
		out.record.Status = StatusUnreadable
		out.record.Problems = []string{err.Error()}
		return out
	}
	whole := int64(len(head)) == e.Size && e.Size < headSize
	if whole {
		e.sum.take(head) // the bundle's digest of a small file of a folder
	}
	c := classifyHead(e.Path, head, whole)
	out.record.Kind = c.kind
	if c.note != "" {
		out.record.Problems = append(out.record.Problems, c.note)
	}
	x, ok := byKind[c.kind]
	switch x.(type) {
	case TextOutputs, BackupLogs, FreeText:
		out.text = true
	}
	if !ok {
		out.record.Status = StatusIgnored
		if c.kind == KindUnknown && c.note == "" {
			out.record.Problems = append(out.record.Problems, "content not recognized")
		}
		return out
	}
	fileCtx, cancel := context.WithTimeout(ctx, opt.FileTimeout)
	defer cancel()
	ext, err := x.Extract(fileCtx, Input{Path: e.Path, Size: e.Size, Kind: c.kind, Entry: e, Engine: opt.Engine, budget: budget,
		head: head, whole: whole, parsed: c.parsed})
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
		out.record.Problems = append(out.record.Problems, err.Error())
	case err != nil:
		out.record.Status = StatusPartial
		out.record.Problems = append(out.record.Problems, err.Error())
	case len(ext.Problems) > 0:
		out.record.Status = StatusPartial
	default:
		out.record.Status = StatusParsed
	}
	return out
}

// readText reads a text entry up to limit bytes into one buffer of the
// right size, and one byte more to tell whether there is more: cut says the
// entry holds more than limit bytes: real text files
// are kilobytes to a few megabytes, and a larger one is read up to the limit
// rather than whole, so that many of them cannot fill memory or take minutes.
func readText(in Input, limit int64) (raw []byte, cut bool, err error) {
	if in.whole && int64(len(in.head)) <= limit {
		return in.head, false, nil
	}
	e := in.Entry
	rc, err := e.Open()
	if err != nil {
		return nil, false, err
	}
	defer rc.Close()
	n := max(min(e.Size, limit+1), 0)
	raw = make([]byte, 0, n)
	for int64(len(raw)) < n {
		k, err := rc.Read(raw[len(raw):n])
		raw = raw[:len(raw)+k]
		if err == io.EOF {
			break
		}
		if err != nil {
			return raw, false, err
		}
	}
	if int64(len(raw)) > limit {
		return raw[:limit], true, nil
	}
	return raw, false, nil
}

// decodeText decodes what readText read. A cut file loses its last,
// partial line, and the problem names the file and the limit.
func decodeText(in Input, raw []byte, cut bool, limit int64) (string, []cmdout.Problem, []string) {
	if !cut {
		text, _, problems := cmdout.Decode(raw)
		return text, problems, nil
	}
	// raw's capacity holds the byte past the limit: decoding it as a head
	// tolerates a character cut at the limit.
	text, _, problems := cmdout.DecodeHead(raw[:cap(raw)], len(raw))
	if i := strings.LastIndexByte(text, '\n'); i >= 0 {
		text = text[:i+1]
	}
	return text, problems, []string{cutProblem(in, limit)}
}

// cutProblem says a text file was read only up to the limit.
func cutProblem(in Input, limit int64) string {
	return fmt.Sprintf("%s is %s, over the %s limit for text files: only the first %s were read, the rest was not analyzed",
		in.Path, humanBytes(in.Size), humanBytes(limit), humanBytes(limit))
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
