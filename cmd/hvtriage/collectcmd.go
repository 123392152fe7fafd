package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/hvtriage/hvtriage/collect"
	"github.com/hvtriage/hvtriage/report"
	"github.com/hvtriage/hvtriage/rules"
)

// utf8BOM makes Windows PowerShell 5.1 read the script as UTF-8; without
// it a VM name outside ASCII would be read in the ANSI code page.
const utf8BOM = "\uFEFF"

// runCollectScript writes the collection script for a report, or for
// every input of the catalog when no report is given.
func runCollectScript(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("collect-script", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	out := fs.String("o", "-", "script path")
	positional, err := parseInterleaved(fs, args)
	if err != nil {
		fmt.Fprintf(stderr, "hvtriage collect-script: %v\n\n%s", err, usage)
		return exitUsage
	}
	if len(positional) > 1 {
		fmt.Fprintf(stderr, "hvtriage collect-script: at most one REPORT.json\n\n%s", usage)
		return exitUsage
	}
	cat, err := rules.Default()
	if err != nil {
		fmt.Fprintf(stderr, "hvtriage: %v\n", err)
		return exitFailed
	}
	p := collect.DefaultPlan(cat)
	if len(positional) == 1 {
		doc, err := readReport(positional[0])
		if err != nil {
			fmt.Fprintf(stderr, "hvtriage collect-script: %v\n", err)
			return exitFailed
		}
		p = collect.PlanFromReport(doc, cat)
	}
	script := collect.Script(p, version)
	if *out == "-" {
		_, err = io.WriteString(stdout, script)
	} else {
		err = os.WriteFile(*out, []byte(utf8BOM+script), 0o644)
	}
	if err != nil {
		fmt.Fprintf(stderr, "hvtriage: writing %s: %v\n", *out, err)
		return exitFailed
	}
	return exitOK
}

// readReport reads a JSON report written by hvtriage analyze.
func readReport(path string) (*report.Document, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc report.Document
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("%s: not a JSON report: %w", path, err)
	}
	if doc.Schema != report.Schema {
		return nil, fmt.Errorf("%s: %w (schema %q, want %q)", path, errNotReport, doc.Schema, report.Schema)
	}
	return &doc, nil
}

var errNotReport = errors.New("not an hvtriage report")
