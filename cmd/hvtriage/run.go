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
  hvtriage analyze [flags] BUNDLE BUNDLE...  or  --batch DIR
                                    analyze several bundles in parallel: one report
                                    each in --report-dir, and a summary table
  hvtriage rules [CAUSE]            list the rule catalog, or explain one cause
  hvtriage version                  print the version

analyze flags:
  -o PATH        write a report; format from the extension (.html .md .json); repeatable
  --format F     html|md|json, for -o PATH without a telling extension, or -o - (stdout)
  --fail-on L    exit 3 when a finding has severity >= L (info|low|medium|high|critical),
                 and 4 when the analysis is inconclusive (no file gave usable evidence)
  --no-color     no colours in the terminal summary (also: NO_COLOR=1)
  --batch DIR    analyze every .zip and folder in DIR
  --report-dir D with several bundles: write D/<bundle>.<format> for each --format
                 (comma-separated, default json)
  --max-file-size N  largest file read from a bundle, in bytes (default 16 GiB)
  --file-timeout D   time budget per file, e.g. 90s (default 5m)

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
	skipped     []string // --batch entries that are not bundles (pipes, devices)
	reportDir   string
	maxFileSize int64
	fileTimeout time.Duration
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
	fs.StringVar(&cfg.reportDir, "report-dir", "", "folder for batch reports")
	fs.Int64Var(&cfg.maxFileSize, "max-file-size", 0, "largest file")
	fs.DurationVar(&cfg.fileTimeout, "file-timeout", 0, "time budget per file")
	// Flags may come before or after the bundle, as people type them.
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
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
	if cfg.batch() {
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
		if o != "-" && report.FormatFromPath(o) != "" {
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
	bundle := cfg.bundles[0]
	opt := cfg.options(rules.NewEngine(cat))
	stopProgress := func() {}
	if wantProgress(stderr) {
		p := newProgressLine(stderr, time.Now)
		p.Run()
		opt.Progress, stopProgress = p.Update, p.Close
	}
	res, err := analyze.Run(ctx, bundle, opt)
	stopProgress()
	if err != nil {
		fmt.Fprintf(stderr, "hvtriage: cannot analyze %s: %v\n", bundle, err)
		return exitFailed
	}
	doc := report.Build(res, version)
	if len(cfg.outputs) == 0 {
		if err := report.Terminal(stdout, doc, useColor(stdout, cfg.noColor)); err != nil {
			fmt.Fprintf(stderr, "hvtriage: %v\n", err)
			return exitFailed
		}
	}
	for _, o := range cfg.outputs {
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
