package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/hvtriage/hvtriage/analyze"
	"github.com/hvtriage/hvtriage/redact"
)

// runRedact is `hvtriage redact BUNDLE -o redacted.zip [--map map.json]`.
func runRedact(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("redact", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	out := fs.String("o", "", "redacted zip to write")
	mapPath := fs.String("map", "", "map file (read when it exists, then written)")
	positional, err := parseInterleaved(fs, args)
	if err != nil {
		fmt.Fprintf(stderr, "hvtriage redact: %v\n\n%s", err, usage)
		return exitUsage
	}
	if len(positional) != 1 || *out == "" {
		fmt.Fprintf(stderr, "hvtriage redact: want one BUNDLE and -o OUTPUT.zip\n\n%s", usage)
		return exitUsage
	}
	bundlePath := positional[0]
	if same(bundlePath, *out) || (*mapPath != "" && same(*mapPath, *out)) {
		fmt.Fprintln(stderr, "hvtriage redact: -o must not be the bundle or the map")
		return exitUsage
	}
	m, err := loadMap(*mapPath)
	if err != nil {
		fmt.Fprintf(stderr, "hvtriage redact: %v\n", err)
		return exitFailed
	}
	b, err := analyze.OpenBundle(bundlePath, analyze.DefaultLimits())
	if err != nil {
		fmt.Fprintf(stderr, "hvtriage: cannot open %s: %v\n", bundlePath, err)
		return exitFailed
	}
	defer b.Close()
	if err := redact.Collect(ctx, b, m); err != nil {
		fmt.Fprintf(stderr, "hvtriage: %v\n", err)
		return exitFailed
	}
	res, err := writeRedacted(ctx, b, m, *out)
	if err != nil {
		fmt.Fprintf(stderr, "hvtriage: writing %s: %v\n", *out, err)
		return exitFailed
	}
	if *mapPath != "" {
		if err := m.SaveFile(*mapPath); err != nil {
			fmt.Fprintf(stderr, "hvtriage: writing the map %s: %v\n", *mapPath, err)
			return exitFailed
		}
	}
	fmt.Fprintf(stdout, "%s: %d files redacted, %d left out, %d values replaced\n", *out, len(res.Written), len(res.Omitted), len(m.Pairs()))
	for _, o := range res.Omitted {
		fmt.Fprintf(stdout, "  left out %s: %s\n", o.Path, o.Reason)
	}
	if *mapPath == "" {
		fmt.Fprintln(stdout, "no --map given: the pseudonyms cannot be traced back or reused for another bundle of this case")
	}
	return exitOK
}

func writeRedacted(ctx context.Context, b *analyze.Bundle, m *redact.Map, out string) (*redact.Result, error) {
	tmp, err := os.CreateTemp(filepath.Dir(out), "."+filepath.Base(out)+".*")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name())
	res, err := redact.Write(ctx, b, m, tmp)
	if err != nil {
		tmp.Close()
		return nil, err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return nil, err
	}
	if err := tmp.Close(); err != nil {
		return nil, err
	}
	return res, os.Rename(tmp.Name(), out)
}

func loadMap(p string) (*redact.Map, error) {
	if p == "" {
		return redact.NewMap(), nil
	}
	return redact.LoadMapFile(p)
}

func same(a, b string) bool {
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	if errA != nil || errB != nil {
		x, _ := filepath.Abs(a)
		y, _ := filepath.Abs(b)
		return x == y
	}
	return os.SameFile(sa, sb)
}

// redactDocument collects the bundle's sensitive values into the map (which
// may hold pseudonyms from an earlier run) and applies it to the report.
func redactDocument(ctx context.Context, bundlePath, mapPath string, doc any) error {
	m, err := loadMap(mapPath)
	if err != nil {
		return err
	}
	b, err := analyze.OpenBundle(bundlePath, analyze.DefaultLimits())
	if err != nil {
		return err
	}
	defer b.Close()
	if err := redact.Collect(ctx, b, m); err != nil {
		return err
	}
	m.ApplyAll(doc)
	if mapPath != "" {
		return m.SaveFile(mapPath)
	}
	return nil
}

var errMapWithoutRedact = errors.New("--map goes with --redact")
