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

	"github.com/hvtriage/hvtriage/analyze"
	"github.com/hvtriage/hvtriage/diff"
	"github.com/hvtriage/hvtriage/report"
	"github.com/hvtriage/hvtriage/rules"
)

// runDiff compares two bundles or reports of one host, before and after a
// fix.
func runDiff(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var outs outputs
	var failOn severityFlag
	fs := flag.NewFlagSet("diff", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Var(&outs, "o", "diff path")
	format := fs.String("format", "", "json|md|html|text")
	fs.Var(&failOn, "fail-on", "severity")
	positional, err := parseInterleaved(fs, args)
	if err != nil {
		fmt.Fprintf(stderr, "hvtriage diff: %v\n\n%s", err, usage)
		return exitUsage
	}
	if len(positional) != 2 {
		fmt.Fprintf(stderr, "hvtriage diff: want BEFORE and AFTER (bundles or JSON reports), got %d\n\n%s", len(positional), usage)
		return exitUsage
	}
	for _, o := range outs {
		if diffFormat(o, *format) == "" {
			fmt.Fprintf(stderr, "hvtriage diff: -o %s: cannot tell the format from the name; add --format (json|md|html|text)\n", o)
			return exitUsage
		}
	}
	var docs [2]*report.Document
	for i, p := range positional {
		d, err := loadSide(ctx, p)
		if err != nil {
			fmt.Fprintf(stderr, "hvtriage diff: %s: %v\n", p, err)
			return exitFailed
		}
		docs[i] = d
	}
	d := diff.Compare(docs[0], docs[1])
	if len(outs) == 0 {
		outs = outputs{"-"}
	}
	for _, o := range outs {
		if err := writeDiff(o, diffFormat(o, *format), d, stdout); err != nil {
			fmt.Fprintf(stderr, "hvtriage: writing %s: %v\n", o, err)
			return exitFailed
		}
	}
	if failOn.set {
		if e := d.FirstAtOrAbove(failOn.level); e != nil {
			fmt.Fprintf(stderr, "hvtriage: %s finding %s is %s, at or above --fail-on %s\n", e.Label(), e.Cause, e.Severity, failOn.level)
			return exitFindings
		}
	}
	return exitOK
}

// diffFormat is the format for one -o: the extension's, else --format,
// else text for stdout.
func diffFormat(path, format string) string {
	if f := report.FormatFromPath(path); f != "" && path != "-" {
		return f
	}
	if strings.EqualFold(filepath.Ext(path), ".txt") && path != "-" {
		return "text"
	}
	if format != "" {
		return format
	}
	if path == "-" {
		return "text"
	}
	return ""
}

func writeDiff(path, format string, d *diff.Diff, stdout io.Writer) error {
	if path == "-" {
		return d.Write(stdout, format)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := d.Write(f, format); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// loadSide reads a JSON report, or analyzes a bundle.
func loadSide(ctx context.Context, p string) (*report.Document, error) {
	if strings.EqualFold(filepath.Ext(p), ".json") {
		doc, err := readReport(p)
		if err == nil || !errors.Is(err, errNotReport) {
			return doc, err
		}
	}
	cat, err := rules.Default()
	if err != nil {
		return nil, err
	}
	res, err := analyze.Run(ctx, p, analyze.Options{Engine: rules.NewEngine(cat)})
	if err != nil {
		return nil, err
	}
	return report.Build(res, version), nil
}
