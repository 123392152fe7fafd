package analyze

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Generators of damaged and hostile archives, built in memory.

// threeEntries is a bundle of two deflated evidence files and a stored
// one, the way Windows' Compress-Archive and Go's zip.Writer write them
// (sizes in data descriptors after each entry).
func threeEntries(t *testing.T) []byte {
	return makeZip(t,
		zipEntry{name: "a/w.txt", data: utf16(t, failedWriters), method: zip.Deflate},
		zipEntry{name: "b/notes.txt", data: bytes.Repeat([]byte("note "), 200), method: zip.Store},
		zipEntry{name: "c/last.txt", data: bytes.Repeat([]byte("last "), 2000), method: zip.Deflate},
	)
}

// headerAt returns the offset of the i-th local file header.
func headerAt(t *testing.T, z []byte, i int) int {
	t.Helper()
	off := -1
	for range i + 1 {
		next := bytes.Index(z[off+1:], []byte("PK\x03\x04"))
		require.GreaterOrEqual(t, next, 0)
		off += next + 1
	}
	return off
}

func centralDirAt(t *testing.T, z []byte) int {
	t.Helper()
	off := bytes.Index(z, []byte("PK\x01\x02"))
	require.Positive(t, off)
	return off
}

// sharedDataZip is a stored zip with n directory entries that all point at
// one local header: each level multiplies what a reader unpacks by n.
func sharedDataZip(payload []byte, n int) []byte {
	le := binary.LittleEndian
	var out []byte
	local := make([]byte, 30)
	le.PutUint32(local, 0x04034b50)
	le.PutUint16(local[4:], 20)
	le.PutUint32(local[14:], crc32.ChecksumIEEE(payload))
	le.PutUint32(local[18:], uint32(len(payload)))
	le.PutUint32(local[22:], uint32(len(payload)))
	le.PutUint16(local[26:], 5)
	out = append(append(append(out, local...), "x.zip"...), payload...)
	cdOff := len(out)
	for i := range n {
		name := fmt.Sprintf("e%03d.zip", i)
		cd := make([]byte, 46)
		le.PutUint32(cd, 0x02014b50)
		le.PutUint16(cd[4:], 20)
		le.PutUint16(cd[6:], 20)
		copy(cd[16:28], local[14:26]) // crc, sizes
		le.PutUint16(cd[28:], uint16(len(name)))
		out = append(append(out, cd...), name...)
	}
	end := make([]byte, 22)
	le.PutUint32(end, 0x06054b50)
	le.PutUint16(end[8:], uint16(n))
	le.PutUint16(end[10:], uint16(n))
	le.PutUint32(end[12:], uint32(len(out)-cdOff))
	le.PutUint32(end[16:], uint32(cdOff))
	return append(out, end...)
}

func bundleRecord(t *testing.T, res *Result, name string) FileRecord {
	t.Helper()
	rec, ok := inventory(res)[name]
	require.True(t, ok, "no inventory record for %s", name)
	return rec
}

func TestDamagedBundleIsSalvaged(t *testing.T) {
	tests := []struct {
		name     string
		damage   func(t *testing.T, z []byte) []byte
		wantRead []string // entries analyzed
		wantLost string   // in the bundle's problem
	}{
		{
			name:     "cut inside the third entry (interrupted upload)",
			damage:   func(t *testing.T, z []byte) []byte { return z[:headerAt(t, z, 2)+40] },
			wantRead: []string{"a/w.txt", "b/notes.txt"},
			wantLost: "c/last.txt",
		},
		{
			name:     "cut inside the central directory",
			damage:   func(t *testing.T, z []byte) []byte { return z[:centralDirAt(t, z)+60] },
			wantRead: []string{"a/w.txt", "b/notes.txt", "c/last.txt"},
			wantLost: "damaged archive",
		},
		{
			name: "zip64 end record pointing nowhere",
			damage: func(t *testing.T, z []byte) []byte {
				z = forceZip64(t, z)
				at := bytes.LastIndex(z, []byte("PK\x06\x06"))
				binary.LittleEndian.PutUint64(z[at+48:], 1<<40) // directory offset
				return z
			},
			wantRead: []string{"a/w.txt", "b/notes.txt", "c/last.txt"},
			wantLost: "damaged archive",
		},
		{
			name: "central directory pointing past the end",
			damage: func(t *testing.T, z []byte) []byte {
				cd := centralDirAt(t, z)
				binary.LittleEndian.PutUint32(z[cd+42:], uint32(len(z)+1000)) // first entry's local header
				return z
			},
			wantRead: []string{"a/w.txt", "b/notes.txt", "c/last.txt"},
			wantLost: `"a/w.txt"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			z := tt.damage(t, bytes.Clone(threeEntries(t)))
			res, err := Run(t.Context(), writeTemp(t, "case.zip", z), Options{})
			require.NoError(t, err)
			inv := inventory(res)
			for _, name := range tt.wantRead {
				require.Contains(t, inv, name)
				assert.LessOrEqual(t, len(inv[name].Problems), 1, name) // at most "content not recognized"
				assert.NotEqual(t, StatusUnreadable, inv[name].Status, name)
			}
			assert.Equal(t, StatusParsed, inv["a/w.txt"].Status)
			if tt.wantLost == "c/last.txt" {
				assert.NotContains(t, inv, "c/last.txt")
			}
			rec := bundleRecord(t, res, "case.zip")
			assert.Equal(t, StatusPartial, rec.Status)
			require.NotEmpty(t, rec.Problems)
			assert.Contains(t, rec.Problems[0].Msg, tt.wantLost)
			assert.Contains(t, causes(res), "vss-writer-failed")
		})
	}
}

func TestDamagedBundleWithoutExtension(t *testing.T) {
	z := threeEntries(t)
	res, err := Run(t.Context(), writeTemp(t, "upload.part", z[:headerAt(t, z, 1)+10]), Options{})
	require.NoError(t, err)
	assert.Equal(t, StatusParsed, inventory(res)["a/w.txt"].Status)
	assert.Equal(t, StatusPartial, bundleRecord(t, res, "upload.part").Status)
}

func TestOverlappingEntriesAreRefused(t *testing.T) {
	inner := makeZip(t, zipEntry{name: "w.txt", data: utf16(t, failedWriters), method: zip.Store})
	res, err := Run(t.Context(), writeTemp(t, "case.zip", sharedDataZip(inner, 3)), Options{})
	require.NoError(t, err)
	inv := inventory(res)
	assert.Equal(t, StatusParsed, inv["e000.zip/w.txt"].Status)
	for _, name := range []string{"e001.zip", "e002.zip"} {
		assert.Equal(t, StatusIgnored, inv[name].Status, name)
		assert.Contains(t, inv[name].Problems[0].Msg, `overlaps entry "e000.zip"`, name)
	}
}

// TestSharedDataBombIsRefused: three levels of 40 directory entries
// sharing one stored copy of the next level would make 2.56 million files
// from a few kilobytes.
func TestSharedDataBombIsRefused(t *testing.T) {
	z := makeZip(t, zipEntry{name: "w.txt", data: utf16(t, failedWriters), method: zip.Store})
	for range 3 {
		z = sharedDataZip(z, 40)
	}
	require.Less(t, len(z), 16<<10)
	res, err := Run(t.Context(), writeTemp(t, "bomb.zip", z), Options{})
	require.NoError(t, err)
	assert.Less(t, len(res.Inventory), 200)
	assert.Contains(t, causes(res), "vss-writer-failed")
}

func TestEntryBudgetAcrossNesting(t *testing.T) {
	var inner []zipEntry
	for i := range 30 {
		inner = append(inner, zipEntry{name: fmt.Sprintf("f%02d.txt", i), data: []byte("x"), method: zip.Store})
	}
	innerZip := makeZip(t, inner...)
	bundle := makeZip(t,
		zipEntry{name: "one.zip", data: innerZip, method: zip.Store},
		zipEntry{name: "two.zip", data: innerZip, method: zip.Deflate},
	)
	lim := DefaultLimits()
	lim.MaxEntries = 40
	b, err := OpenBundle(writeTemp(t, "case.zip", bundle), lim)
	require.NoError(t, err)
	defer b.Close()
	assert.Len(t, b.Entries, 38) // 2 zips + 38 files = 40 entries met
	var reasons []string
	for _, r := range b.Rejected {
		reasons = append(reasons, r.Path+": "+r.Reason)
	}
	assert.Contains(t, reasons, "two.zip: the bundle's budget of 40 files across all nested zips is used up; 22 entries of this archive were not read")
}
