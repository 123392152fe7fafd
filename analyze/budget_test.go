package analyze

import (
	"archive/zip"
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvtriage/hvtriage/evidence"
)

func openLimited(t *testing.T, lim Limits, entries ...zipEntry) *Bundle {
	t.Helper()
	b, err := OpenBundle(writeTemp(t, "case.zip", makeZip(t, entries...)), lim)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, b.Close()) })
	return b
}

func entryNamed(t *testing.T, b *Bundle, name string) *Entry {
	t.Helper()
	for _, e := range b.Entries {
		if e.Path == name {
			return e
		}
	}
	t.Fatalf("no entry %s", name)
	return nil
}

// TestReleaseGivesBuffersBack: an inflated copy is held only while its
// file is being read, and a budget that is used up spools or refuses
// instead of growing.
func TestReleaseGivesBuffersBack(t *testing.T) {
	payload := bytes.Repeat([]byte("0123456789abcdef"), 4096) // 64 KiB
	lim := DefaultLimits()
	lim.MaxMemory = 100 << 10 // one 64 KiB buffer in memory at a time
	lim.MaxSpool = 100 << 10  // one 64 KiB temporary file at a time
	b := openLimited(t, lim,
		zipEntry{name: "a.bin", data: payload, method: zip.Deflate},
		zipEntry{name: "b.bin", data: payload, method: zip.Deflate},
		zipEntry{name: "c.bin", data: payload, method: zip.Deflate},
	)
	a, bb, c := entryNamed(t, b, "a.bin"), entryNamed(t, b, "b.bin"), entryNamed(t, b, "c.bin")

	_, err := a.ReaderAt()
	require.NoError(t, err)
	assert.Equal(t, int64(64<<10), b.inMemory)
	ra, err := bb.ReaderAt() // over the memory budget: spooled
	require.NoError(t, err)
	assert.Equal(t, int64(64<<10), b.spooled)
	got := make([]byte, 16)
	_, err = ra.ReadAt(got, 16*100)
	require.NoError(t, err)
	assert.Equal(t, "0123456789abcdef", string(got))

	_, err = c.ReaderAt() // both budgets used up
	require.ErrorContains(t, err, "temporary disk")

	a.Release()
	bb.Release()
	assert.Zero(t, b.inMemory)
	assert.Zero(t, b.spooled)
	_, err = c.ReaderAt()
	require.NoError(t, err)
}

func TestInflationBudgetNamesTheEntry(t *testing.T) {
	lim := DefaultLimits()
	lim.InflateFloor, lim.InflateRatio = 1<<20, 1
	res, err := Run(t.Context(), writeTemp(t, "case.zip", makeZip(t,
		zipEntry{name: "big.txt", data: utf16(t, strings.Repeat(failedWriters, 12000)), method: zip.Deflate},
		zipEntry{name: "w.txt", data: utf16(t, failedWriters), method: zip.Store},
	)), Options{Limits: lim})
	require.NoError(t, err)
	inv := inventory(res)
	assert.Contains(t, fmt.Sprint(evidence.ProblemTexts(inv["big.txt"].Problems)), "big.txt: the bundle's budget of")
	assert.Equal(t, StatusParsed, inv["w.txt"].Status)
}
