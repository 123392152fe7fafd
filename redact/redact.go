package redact

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/hvtriage/hvtriage/analyze"
)

// Omitted is a file left out of the redacted copy, with the reason.
type Omitted struct {
	Path   string // original path in the bundle
	Kind   string
	Reason string
	// Part: only a part of the file was left out (a damaged EVTX piece);
	// the rest is in the copy.
	Part bool
}

// Written is a file of the redacted copy.
type Written struct {
	Path     string // original path in the bundle
	NewPath  string // path in the copy
	Kind     string
	Rewriter string
}

// Result says what went into the copy and what was left out.
type Result struct {
	Written []Written
	Omitted []Omitted
}

// Collect reads every file of the bundle for sensitive values and gives
// each a pseudonym in m (values already in m keep theirs).
func Collect(ctx context.Context, b *analyze.Bundle, m *Map) error {
	f := newFound()
	f.scan(b.Name)
	for _, e := range b.Entries {
		if err := ctx.Err(); err != nil {
			return err
		}
		kind, _, err := analyze.Classify(e)
		if err != nil {
			continue // unreadable: it will be left out
		}
		// A file that cannot be read for values is still rewritten with
		// what the other files gave; its own rewriter decides if that is
		// safe (EVTX and disks verify the result).
		_ = collectEntry(ctx, f, e, kind)
	}
	f.fill(m)
	return nil
}

// Write writes the redacted copy of the bundle as a zip to w: every file
// redacted by the rewriter of its kind under its redacted path, nested zips
// rebuilt as nested zips. Files that cannot be redacted safely, and files
// the bundle reader refused, are left out and listed in the Result.
func Write(ctx context.Context, b *analyze.Bundle, m *Map, w io.Writer) (*Result, error) {
	res := &Result{}
	for _, r := range b.Rejected {
		res.Omitted = append(res.Omitted, Omitted{Path: r.Path, Kind: r.Kind, Reason: "refused by the bundle reader: " + r.Reason})
	}
	archives := make([]string, 0, len(b.Archives))
	for _, a := range b.Archives {
		archives = append(archives, a.Path)
	}
	// Deepest first, so an inner zip is finished before its parent.
	slices.SortFunc(archives, func(x, y string) int { return strings.Count(y, "/") - strings.Count(x, "/") })
	zips := map[string]*zipOut{"": newZipOut()}
	for _, a := range archives {
		zips[a] = newZipOut()
	}
	owner := func(p string) (string, string) {
		best := ""
		for _, a := range archives {
			if strings.HasPrefix(p, a+"/") && len(a) > len(best) {
				best = a
			}
		}
		if best == "" {
			return "", p
		}
		return best, strings.TrimPrefix(p, best+"/")
	}
	for _, e := range b.Entries {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		kind, _, err := analyze.Classify(e)
		if err != nil {
			res.Omitted = append(res.Omitted, Omitted{Path: e.Path, Kind: kind, Reason: err.Error()})
			continue
		}
		rw := rewriterFor(kind)
		if rw == nil {
			res.Omitted = append(res.Omitted, Omitted{Path: e.Path, Kind: kind, Reason: "no redactor for this kind of file"})
			continue
		}
		data, notes, err := rw.rewrite(ctx, m, e)
		if err != nil {
			res.Omitted = append(res.Omitted, Omitted{Path: e.Path, Kind: kind, Reason: err.Error()})
			continue
		}
		for _, n := range notes {
			res.Omitted = append(res.Omitted, Omitted{Path: e.Path, Kind: kind, Reason: n, Part: true})
		}
		arch, rel := owner(e.Path)
		newRel := m.Apply(rel)
		if err := zips[arch].add(newRel, data); err != nil {
			return nil, err
		}
		res.Written = append(res.Written, Written{Path: e.Path, NewPath: redactedPath(m, arch, newRel), Kind: kind, Rewriter: rw.name})
	}
	for _, a := range archives {
		data, err := zips[a].finish()
		if err != nil {
			return nil, err
		}
		parent, rel := owner(a)
		if err := zips[parent].add(m.Apply(rel), data); err != nil {
			return nil, err
		}
	}
	data, err := zips[""].finish()
	if err != nil {
		return nil, err
	}
	_, err = w.Write(data)
	return res, err
}

func redactedPath(m *Map, arch, rel string) string {
	if arch == "" {
		return rel
	}
	return path.Join(m.Apply(arch), rel)
}

// zipOut builds one zip in memory. Entries carry a fixed time so that the
// same bundle and map give the same bytes.
type zipOut struct {
	buf bytes.Buffer
	zw  *zip.Writer
}

var zipTime = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

func newZipOut() *zipOut {
	z := &zipOut{}
	z.zw = zip.NewWriter(&z.buf)
	return z
}

func (z *zipOut) add(name string, data []byte) error {
	w, err := z.zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: zipTime})
	if err != nil {
		return fmt.Errorf("zip entry %q: %w", name, err)
	}
	_, err = w.Write(data)
	return err
}

func (z *zipOut) finish() ([]byte, error) {
	if err := z.zw.Close(); err != nil {
		return nil, err
	}
	return z.buf.Bytes(), nil
}
