package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hvtriage/hvtriage/analyze"
	"github.com/hvtriage/hvtriage/report"
	"github.com/hvtriage/hvtriage/rules"
)

// version is stamped into reports. It is a constant, not build metadata,
// so reports stay byte-identical across builds of the same release.
const version = "0.1.0"

// Exit codes of the contract.
const (
	exitOK       = 0
	exitFailed   = 1 // the bundle could not be analyzed at all
	exitUsage    = 2
	exitFindings = 3 // a finding at or above --fail-on
	// exitInconclusive (only with --fail-on): no file of the bundle gave
	// usable evidence, so "no finding" would be a false all-clear.
	exitInconclusive = 4
)

const usage = `usage:
  hvtriage analyze [flags] BUNDLE   analyze a bundle (.zip, directory, or a single file)
  hvtriage analyze [flags] --case BUNDLE BUNDLE...
                                    the bundles of one case (a follow-up collection,
                                    one bundle per cluster node) analyzed as one; each
                                    file's source starts with its bundle's name
  hvtriage analyze [flags] BUNDLE BUNDLE...  or  --batch DIR
                                    analyze several bundles in parallel: one report
                                    each in --report-dir, and a summary table
  hvtriage collect-script [-o collect.ps1] [REPORT.json]
                                    a read-only PowerShell script that collects what
                                    the report lists as missing (no report: everything)
  hvtriage diff [-o PATH] [--format F] [--fail-on L] BEFORE AFTER
                                    compare two bundles or JSON reports of one host:
                                    findings fixed, still there, new, no longer checkable;
                                    exit 3 when a new or remaining one is >= L
  hvtriage redact BUNDLE -o OUT.zip [--map MAP.json]
                                    a copy of the bundle with host, domain, user, VM and
                                    share names and IP addresses replaced by pseudonyms;
                                    MAP.json (original → pseudonym) is reused when it
                                    exists, written after, and never put in the copy
  hvtriage rules [CAUSE]            list the rule catalog, or explain one cause
  hvtriage version                  print the version

analyze flags:
  -o PATH        write a report; format from the extension (.html .md .json); repeatable;
                 .jsonl (Timesketch) or .csv: every dated evidence item as a timeline
  --format F     html|md|json, for -o PATH without a telling extension, or -o - (stdout)
  --fail-on L    exit 3 when a finding has severity >= L (info|low|medium|high|critical),
                 and 4 when the analysis is inconclusive (no file gave usable evidence)
  --no-color     no colours in the terminal summary (also: NO_COLOR=1)
  --batch DIR    analyze every .zip and folder in DIR
  --report-dir D with several bundles: write D/<bundle>.<format> for each --format
                 (comma-separated, default json)
  --max-file-size N  largest file read from a bundle, in bytes (default 16 GiB)
  --file-timeout D   time budget per file, e.g. 90s (default 5m)
  --redact       replace names and addresses in the report by pseudonyms (as redact does)
  --map MAP.json with --redact: reuse and update this map of pseudonyms

exit codes: 0 done, 1 a bundle could not be analyzed, 2 usage error,
  3 a finding at or above --fail-on, 4 (only with --fail-on) inconclusive.
  Several bundles: the first that applies of 1, 3, 4, 0.
`

// run is the whole program; main only wires it to the process.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "analyze":
		return runAnalyze(ctx, args[1:], stdout, stderr)
	case "rules":
		return runRules(args[1:], stdout, stderr)
	case "collect-script":
		return runCollectScript(args[1:], stdout, stderr)
	case "diff":
		return runDiff(ctx, args[1:], stdout, stderr)
	case "redact":
		return runRedact(ctx, args[1:], stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintf(stdout, "hvtriage %s\n", version)
		return exitOK
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "hvtriage: unknown command %q\n\n%s", args[0], usage)
	return exitUsage
}

// outputs collects repeated -o flags.
type outputs []string

func (o *outputs) String() string     { return strings.Join(*o, ",") }
func (o *outputs) Set(v string) error { *o = append(*o, v); return nil }

// severityFlag is --fail-on: unset means "never fail on findings".
type severityFlag struct {
	set   bool
	level rules.Severity
}

func (s *severityFlag) String() string {
	if !s.set {
		return ""
	}
	return s.level.String()
}

func (s *severityFlag) Set(v string) error {
	l, err := rules.ParseSeverity(v)
	if err != nil {
		return err
	}
	s.set, s.level = true, l
	return nil
}

type analyzeConfig struct {
	outputs     outputs
	format      string
	failOn      severityFlag
	noColor     bool
	batchDir    string
	asCase      bool     // --case: the bundles are one case, analyzed as one
	skipped     []string // --batch entries that are not bundles (pipes, devices)
	reportDir   string
	maxFileSize int64
	fileTimeout time.Duration
	redact      bool
	mapPath     string
	bundles     []string
}

func (c *analyzeConfig) options(eng *rules.Engine) analyze.Options {
	lim := analyze.DefaultLimits()
	if c.maxFileSize > 0 {
		lim.MaxEntrySize = c.maxFileSize
	}
	return analyze.Options{Engine: eng, Limits: lim, FileTimeout: c.fileTimeout}
}

func parseAnalyzeArgs(args []string, stderr io.Writer) (*analyzeConfig, error) {
	cfg := &analyzeConfig{}
	fs := flag.NewFlagSet("analyze", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Var(&cfg.outputs, "o", "report path")
	fs.StringVar(&cfg.format, "format", "", "report format")
	fs.Var(&cfg.failOn, "fail-on", "severity")
	fs.BoolVar(&cfg.noColor, "no-color", false, "no colours")
	fs.StringVar(&cfg.batchDir, "batch", "", "folder of bundles")
	fs.BoolVar(&cfg.asCase, "case", false, "the bundles are one case")
	fs.StringVar(&cfg.reportDir, "report-dir", "", "folder for batch reports")
	fs.Int64Var(&cfg.maxFileSize, "max-file-size", 0, "largest file")
	fs.DurationVar(&cfg.fileTimeout, "file-timeout", 0, "time budget per file")
	fs.BoolVar(&cfg.redact, "redact", false, "pseudonyms in the report")
	fs.StringVar(&cfg.mapPath, "map", "", "pseudonym map")
	positional, err := parseInterleaved(fs, args)
	if err != nil {
		return nil, err
	}
	cfg.bundles = positional
	if cfg.batchDir != "" {
		found, skipped, err := bundlesIn(cfg.batchDir)
		if err != nil {
			return nil, err
		}
		cfg.bundles = append(cfg.bundles, found...)
		cfg.skipped = skipped
	}
	if len(cfg.bundles) == 0 {
		return nil, errors.New("want a BUNDLE (or --batch DIR), got none")
	}
	if cfg.asCase && cfg.batchDir != "" {
		return nil, errors.New("--case analyzes the bundles named as one case; it does not go with --batch")
	}
	if cfg.mapPath != "" && !cfg.redact {
		return nil, errMapWithoutRedact
	}
	if cfg.batch() {
		if cfg.redact {
			return nil, errors.New("--redact takes one bundle")
		}
		return cfg, cfg.checkBatch()
	}
	if cfg.reportDir != "" {
		return nil, errors.New("--report-dir goes with several bundles; for one bundle use -o")
	}
	if cfg.format != "" {
		if _, err := report.New(cfg.format); err != nil {
			return nil, err
		}
	}
	for _, o := range cfg.outputs {
		if o != "-" && (report.FormatFromPath(o) != "" || timelineFormat(o) != "") {
			continue
		}
		if cfg.format == "" {
			return nil, fmt.Errorf("-o %s: cannot tell the format from the name; add --format (%s)", o, strings.Join(report.Formats(), "|"))
		}
	}
	return cfg, nil
}

func runAnalyze(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 1 && (args[0] == "-h" || args[0] == "--help") {
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	cfg, err := parseAnalyzeArgs(args, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "hvtriage analyze: %v\n\n%s", err, usage)
		return exitUsage
	}
	cat, err := rules.Default()
	if err != nil {
		fmt.Fprintf(stderr, "hvtriage: %v\n", err)
		return exitFailed
	}
	if cfg.batch() {
		return runBatch(ctx, cfg, rules.NewEngine(cat), stdout, stderr)
	}
	bundle := strings.Join(cfg.bundles, " + ")
	opt := cfg.options(rules.NewEngine(cat))
	stopProgress := func() {}
	if wantProgress(stderr) {
		p := newProgressLine(stderr, time.Now)
		p.Run()
		opt.Progress, stopProgress = p.Update, p.Close
	}
	res, err := analyze.RunCase(ctx, cfg.bundles, opt)
	stopProgress()
	if err != nil {
		fmt.Fprintf(stderr, "hvtriage: cannot analyze %s: %v\n", bundle, err)
		return exitFailed
	}
	defer reportPhaseGC()()
	doc := report.Build(res, version)
	if cfg.redact {
		if err := redactDocument(ctx, bundle, cfg.mapPath, doc); err != nil {
			fmt.Fprintf(stderr, "hvtriage: redacting the report: %v\n", err)
			return exitFailed
		}
	}
	if len(cfg.outputs) == 0 {
		if err := report.Terminal(stdout, doc, useColor(stdout, cfg.noColor)); err != nil {
			fmt.Fprintf(stderr, "hvtriage: %v\n", err)
			return exitFailed
		}
	}
	for _, o := range cfg.outputs {
		if tf := timelineFormat(o); tf != "" {
			if err := writeTimeline(o, tf, res); err != nil {
				fmt.Fprintf(stderr, "hvtriage: writing %s: %v\n", o, err)
				return exitFailed
			}
			continue
		}
		if err := writeReport(o, cfg.format, doc, stdout); err != nil {
			fmt.Fprintf(stderr, "hvtriage: writing %s: %v\n", o, err)
			return exitFailed
		}
	}
	code, why := cfg.failOn.judge(doc)
	if why != "" {
		fmt.Fprintf(stderr, "hvtriage: %s\n", why)
	}
	return code
}

// judge is the exit code --fail-on asks for, for one analyzed bundle, and
// why. Without --fail-on it is always 0. A finding at or above the level
// (3) comes before an inconclusive verdict (4): a finding is a result
// drawn from evidence, while inconclusive says there is none. Today they
// can only meet with --fail-on info (an inconclusive verdict has no
// finding of severity low or higher), but the order is fixed here.
func (s *severityFlag) judge(doc *report.Document) (code int, why string) {
	if f := s.firstAtOrAbove(doc); f != nil {
		return exitFindings, fmt.Sprintf("finding %s is %s, at or above --fail-on %s", f.Cause, f.Severity, s.level)
	}
	if s.set && doc.Verdict.Inconclusive() {
		return exitInconclusive, fmt.Sprintf("inconclusive: no file of %s gave usable evidence (%s); exit %d under --fail-on",
			plainText(doc.Bundle.Name), doc.Verdict.From(), exitInconclusive)
	}
	return exitOK, ""
}

// firstAtOrAbove returns the first finding that trips --fail-on, if any.
func (s *severityFlag) firstAtOrAbove(doc *report.Document) *report.Finding {
	if !s.set {
		return nil
	}
	for i := range doc.Findings {
		if doc.Findings[i].Severity >= s.level {
			return &doc.Findings[i]
		}
	}
	return nil
}

// writeReport writes one report. A file is written to a temporary name
// beside it and renamed, so an interrupted run never leaves half a report.
func writeReport(path, format string, doc *report.Document, stdout io.Writer) error {
	if f := report.FormatFromPath(path); f != "" && path != "-" {
		format = f
	}
	w, err := report.New(format)
	if err != nil {
		return err
	}
	if path == "-" {
		return w.Write(stdout, doc)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	// CreateTemp makes the file private; a report is meant to be shared
	// like any other file the user writes.
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := w.Write(tmp, doc); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// timelineFormat is "jsonl" or "csv" for a timeline export path, else "".
func timelineFormat(path string) string {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".jsonl":
		return "jsonl"
	case ".csv":
		return "csv"
	}
	return ""
}

// writeTimeline writes every dated evidence item: Timesketch JSONL or CSV.
func writeTimeline(path, format string, res *analyze.Result) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	events := report.TimelineEvents(res)
	if format == "csv" {
		err = report.WriteTimelineCSV(f, events)
	} else {
		err = report.WriteTimelineJSONL(f, events)
	}
	if err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func useColor(w io.Writer, noColor bool) bool {
	if noColor || os.Getenv("NO_COLOR") != "" {
		return false
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

var errUnknownCause = errors.New("unknown cause")

// parseInterleaved parses flags that may come before, between or after the
// positional arguments, as people type them, and returns the positionals.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return positional, nil
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}
