package samples

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvtriage/hvtriage/analyze"
	"github.com/hvtriage/hvtriage/cmdout"
	"github.com/hvtriage/hvtriage/evidence"
	"github.com/hvtriage/hvtriage/evtx"
	"github.com/hvtriage/hvtriage/rules"
	"github.com/hvtriage/hvtriage/samples/samplegen"
)

// TestCitedLocatorsResolve opens every file a finding cites and checks that
// the locator points at something real: the EVTX record with that ID, a
// line the text file has, a byte offset inside the disk file. A report a
// support engineer pastes into a ticket must survive someone checking it.
func TestCitedLocatorsResolve(t *testing.T) {
	checked := map[evidence.LocatorUnit]int{}
	for _, s := range samplegen.All() {
		t.Run(s.Name, func(t *testing.T) {
			path := filepath.Join(s.Name, s.Bundle)
			res, err := analyze.Run(t.Context(), path, analyze.Options{})
			require.NoError(t, err)
			b, err := analyze.OpenBundle(path, analyze.DefaultLimits())
			require.NoError(t, err)
			defer b.Close()
			entries := map[string]*analyze.Entry{}
			for _, e := range b.Entries {
				entries[e.Path] = e
			}
			for _, f := range res.Outcome.Findings {
				for _, c := range append(append([]rules.Cited{}, f.Evidence...), f.Against...) {
					e := entries[c.Source]
					if !assert.NotNil(t, e, "%s cites %s, which is not in the bundle", f.Cause.ID, c.Source) {
						continue
					}
					assert.NoError(t, resolves(t.Context(), e, c.At), "%s cites %s %s", f.Cause.ID, c.Source, c.At)
					checked[c.At.Unit]++
				}
			}
		})
	}
	for _, u := range []evidence.LocatorUnit{evidence.UnitRecord, evidence.UnitLine, evidence.UnitOffset} {
		assert.Positive(t, checked[u], "no cited %s locator was checked", u)
	}
	t.Logf("checked locators: %v", checked)
}

func resolves(ctx context.Context, e *analyze.Entry, at evidence.Locator) error {
	v := at.Value
	switch at.Unit {
	case "":
		return nil
	case "offset":
		if v < 0 || v >= e.Size {
			return fmt.Errorf("offset 0x%x outside the file's %d bytes", v, e.Size)
		}
		return nil
	case "line":
		rc, err := e.Open()
		if err != nil {
			return err
		}
		defer rc.Close()
		raw, err := io.ReadAll(rc)
		if err != nil {
			return err
		}
		text, _, _ := cmdout.Decode(raw)
		if n := len(cmdout.Lines(text)); v < 1 || v > int64(n) {
			return fmt.Errorf("line %d, but the file has %d lines", v, n)
		}
		return nil
	case "record":
		ra, err := e.ReaderAt()
		if err != nil {
			return err
		}
		found := false
		walk := func(ev *evtx.Event) error {
			found = found || int64(ev.RecordID) == v
			return nil
		}
		_, err = evtx.Walk(ctx, ra, e.Size, walk)
		if errors.Is(err, evtx.ErrFormat) {
			// An XML export carries record IDs too.
			_, err = evtx.WalkXML(ctx, io.NewSectionReader(ra, 0, e.Size), walk)
		}
		if err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("no record %d in the log", v)
		}
		return nil
	}
	return fmt.Errorf("unknown locator unit %q (%s)", at.Unit, strconv.FormatInt(v, 10))
}
