package analyze

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/unicode"
)

func TestNormalizeName(t *testing.T) {
	tests := []struct {
		raw, want string
		wantErr   bool
	}{
		{raw: "logs/System.evtx", want: "logs/System.evtx"},
		{raw: `TSS_HV01\BasicLog\vss.txt`, want: "TSS_HV01/BasicLog/vss.txt"},
		{raw: `C:\MS_DATA\x.txt`, want: "MS_DATA/x.txt"},
		{raw: "/etc/passwd", want: "etc/passwd"},
		{raw: "a/./b//c.txt", want: "a/b/c.txt"},
		{raw: "../../evil.txt", wantErr: true},
		{raw: `..\..\Windows\evil.dll`, wantErr: true},
		{raw: "a/../../b", wantErr: true},
		{raw: "a/../b", wantErr: true}, // any '..' is refused: no real tool writes one
		{raw: "", wantErr: true},
		{raw: "C:", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			got, err := normalizeName(tt.raw)
			if tt.wantErr {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// zipEntry describes one entry of a test archive.
type zipEntry struct {
	name   string
	data   []byte
	method uint16
	mode   os.FileMode
}

func makeZip(t *testing.T, entries ...zipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: e.method}
		if e.mode != 0 {
			h.SetMode(e.mode)
		}
		w, err := zw.CreateHeader(h)
		require.NoError(t, err)
		_, err = w.Write(e.data)
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

func writeTemp(t *testing.T, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, b, 0o644))
	return p
}

func utf16(t *testing.T, s string) []byte {
	t.Helper()
	b, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes([]byte(strings.ReplaceAll(s, "\n", "\r\n")))
	require.NoError(t, err)
	return b
}

const failedWriters = `vssadmin 1.1 - Volume Shadow Copy Service administrative command-line tool
(C) Copyright 2001-2013 Microsoft Corp.

Writer name: 'Microsoft Hyper-V VSS Writer'
   Writer Id: {66841cd4-6ded-4f4b-8f17-fd23f8ddc3de}
   Writer Instance Id: {a9d35e10-4c7b-4f2a-8e61-3b0d9c2f7e58}
   State: [9] Failed
   Last error: Timed out

`

func inventory(res *Result) map[string]FileRecord {
	out := map[string]FileRecord{}
	for _, f := range res.Inventory {
		out[f.Path] = f
	}
	return out
}

func causes(res *Result) []string {
	var out []string
	for _, f := range res.Outcome.Findings {
		out = append(out, f.Cause.ID)
	}
	return out
}

// TestHostileZipKeepsTheRest is the bundle reader's promise: a zip bomb, a
// path-traversal name and other hostile entries are each refused with a
// message naming the entry, and every other file is still analyzed.
func TestHostileZipKeepsTheRest(t *testing.T) {
	inner := makeZip(t, zipEntry{name: "nested/writers.txt", data: utf16(t, failedWriters), method: zip.Deflate})
	bomb := bytes.Repeat([]byte{0}, 80<<20) // 80 MiB of zeros deflate to ~80 KiB
	bundle := makeZip(t,
		zipEntry{name: "writers.txt", data: utf16(t, failedWriters), method: zip.Deflate},
		zipEntry{name: "../../etc/cron.d/evil", data: []byte("* * * * * root sh"), method: zip.Store},
		zipEntry{name: `..\..\Windows\System32\evil.dll`, data: []byte("MZ"), method: zip.Store},
		zipEntry{name: "bomb.vhdx", data: bomb, method: zip.Deflate},
		zipEntry{name: "inner.zip", data: inner, method: zip.Store},
		zipEntry{name: "writers.txt", data: []byte("second copy"), method: zip.Store},
		zipEntry{name: "link", data: []byte("/etc/shadow"), method: zip.Store, mode: os.ModeSymlink | 0o777},
		zipEntry{name: "fake.zip", data: []byte("this is not a zip archive at all"), method: zip.Store},
	)
	res, err := Run(t.Context(), writeTemp(t, "case.zip", bundle), Options{})
	require.NoError(t, err)
	inv := inventory(res)

	assert.Equal(t, StatusParsed, inv["writers.txt"].Status)
	assert.Equal(t, StatusParsed, inv["inner.zip/nested/writers.txt"].Status, "files of a nested zip are analyzed")
	assert.Equal(t, KindZip, inv["inner.zip"].Kind)
	assert.Contains(t, causes(res), "vss-writer-failed")

	assert.Contains(t, inv["bomb.vhdx"].Problems[0].Msg, "suspected archive bomb")
	assert.Equal(t, StatusIgnored, inv["bomb.vhdx"].Status)
	for p, f := range inv {
		if strings.Contains(p, "evil") {
			assert.Equal(t, StatusIgnored, f.Status, p)
			assert.Contains(t, f.Problems[0].Msg, "climbs out of the bundle", p)
		}
	}
	assert.Contains(t, inv, "../../etc/cron.d/evil", "the refused entry is listed under its raw name")
	assert.Contains(t, inv["link"].Problems[0].Msg, "symbolic link")
	assert.Equal(t, StatusIgnored, inv["fake.zip"].Status)
	assert.Contains(t, inv["fake.zip"].Problems[0].Msg, "not a zip")
	var dupNotes int
	for _, f := range res.Inventory {
		for _, p := range f.Problems {
			if strings.Contains(p.Msg, "duplicate entry name") {
				dupNotes++
			}
		}
	}
	assert.Equal(t, 1, dupNotes, "the second writers.txt is refused once, the first kept")
	assert.Equal(t, StatusIgnored, inv["writers.txt (duplicate #2)"].Status)
}

func TestLimits(t *testing.T) {
	small := Limits{MaxEntrySize: 1 << 20, MaxTotalSize: 2200 << 10, MaxRatio: 10, RatioFloor: 64 << 10, MaxNesting: 1, MemoryBuffer: 1 << 10}
	compressible := bytes.Repeat([]byte("A"), 512<<10)
	random := make([]byte, 700<<10)
	for i := range random {
		random[i] = byte(i*7919 + i>>3)
	}
	level2 := makeZip(t, zipEntry{name: "deep.txt", data: []byte(failedWriters), method: zip.Store})
	level1 := makeZip(t, zipEntry{name: "l2.zip", data: level2, method: zip.Store})
	bundle := makeZip(t,
		zipEntry{name: "big.bin", data: make([]byte, 2<<20), method: zip.Store},
		zipEntry{name: "ratio.txt", data: compressible, method: zip.Deflate},
		zipEntry{name: "a.bin", data: random, method: zip.Store},
		zipEntry{name: "b.bin", data: random, method: zip.Store},
		zipEntry{name: "c.bin", data: random, method: zip.Store},
		zipEntry{name: "d.bin", data: random, method: zip.Store},
		zipEntry{name: "l1.zip", data: level1, method: zip.Store},
	)
	b, err := OpenBundle(writeTemp(t, "limits.zip", bundle), small)
	require.NoError(t, err)
	defer b.Close()
	reasons := map[string]string{}
	for _, r := range b.Rejected {
		reasons[r.Path] = r.Reason
	}
	assert.Contains(t, reasons["big.bin"], "over the 1048576-byte limit per file")
	assert.Contains(t, reasons["ratio.txt"], "suspected archive bomb")
	assert.Contains(t, reasons["l1.zip/l2.zip"], "nested more than 1 levels")
	assert.Contains(t, reasons["d.bin"], "total size limit")
	var admitted []string
	for _, e := range b.Entries {
		admitted = append(admitted, e.Path)
	}
	assert.ElementsMatch(t, []string{"a.bin", "b.bin", "c.bin"}, admitted)
}

func TestZipEntriesReadInPlaceAndBuffered(t *testing.T) {
	payload := bytes.Repeat([]byte("0123456789abcdef"), 4096) // 64 KiB
	bundle := makeZip(t,
		zipEntry{name: "stored.bin", data: payload, method: zip.Store},
		zipEntry{name: "deflated.bin", data: payload, method: zip.Deflate},
	)
	lim := DefaultLimits()
	lim.MemoryBuffer = 1 << 10 // force the spool-to-temp-file path
	b, err := OpenBundle(writeTemp(t, "ra.zip", bundle), lim)
	require.NoError(t, err)
	defer b.Close()
	require.Len(t, b.Entries, 2)
	for _, e := range b.Entries {
		ra, err := e.ReaderAt()
		require.NoError(t, err, e.Path)
		got := make([]byte, 16)
		_, err = ra.ReadAt(got, 16*100)
		require.NoError(t, err, e.Path)
		assert.Equal(t, "0123456789abcdef", string(got), e.Path)
	}
}

func TestUnreadableZipIsNotABundle(t *testing.T) {
	_, err := Run(t.Context(), writeTemp(t, "text.zip", []byte("hello")), Options{})
	require.ErrorIs(t, err, ErrNotBundle)
	_, err = Run(t.Context(), writeTemp(t, "cut.zip", []byte("PK\x03\x04 cut in its first header")), Options{})
	require.ErrorIs(t, err, ErrNotBundle)
}

func TestDamagedNestedZipIsSalvaged(t *testing.T) {
	inner := makeZip(t,
		zipEntry{name: "x.txt", data: utf16(t, failedWriters), method: zip.Deflate},
		zipEntry{name: "y.txt", data: []byte("lost"), method: zip.Store},
	)
	cut := bytes.Index(inner[4:], []byte("PK\x03\x04")) + 4 + 20 // inside y.txt's header
	bundle := makeZip(t,
		zipEntry{name: "inner.zip", data: inner[:cut], method: zip.Store},
		zipEntry{name: "w.txt", data: []byte("not evidence"), method: zip.Store},
	)
	res, err := Run(t.Context(), writeTemp(t, "case.zip", bundle), Options{})
	require.NoError(t, err)
	inv := inventory(res)
	assert.Equal(t, StatusPartial, inv["inner.zip"].Status)
	assert.Contains(t, inv["inner.zip"].Problems[0].Msg, "damaged archive")
	assert.Contains(t, inv["inner.zip"].Problems[0].Msg, "1 entries recovered")
	assert.Equal(t, StatusParsed, inv["inner.zip/x.txt"].Status)
	assert.Contains(t, causes(res), "vss-writer-failed")
}

func TestDirectoryBundleDoesNotFollowLinksOut(t *testing.T) {
	dir := t.TempDir()
	outside := writeTemp(t, "secret.txt", []byte(failedWriters))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "w.txt"), utf16(t, failedWriters), 0o644))
	require.NoError(t, os.Symlink(outside, filepath.Join(dir, "link.txt")))
	res, err := Run(t.Context(), dir, Options{})
	require.NoError(t, err)
	inv := inventory(res)
	assert.Equal(t, StatusParsed, inv["w.txt"].Status)
	assert.Equal(t, StatusIgnored, inv["link.txt"].Status)
	assert.Len(t, res.Bundle.SHA256, 64)
}

func TestDeterministicDirectoryHash(t *testing.T) {
	mk := func() string {
		dir := t.TempDir()
		require.NoError(t, os.MkdirAll(filepath.Join(dir, "a"), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "a", "x.txt"), []byte("x"), 0o644))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "y.txt"), []byte("y"), 0o644))
		b, err := OpenBundle(dir, DefaultLimits())
		require.NoError(t, err)
		defer b.Close()
		sum, err := b.Digest()
		require.NoError(t, err)
		return sum
	}
	assert.Equal(t, mk(), mk())
}

func TestProgressReportsEveryFile(t *testing.T) {
	bundle := makeZip(t,
		zipEntry{name: "a.txt", data: utf16(t, failedWriters), method: zip.Store},
		zipEntry{name: "b.txt", data: []byte("notes"), method: zip.Store},
		zipEntry{name: "c.txt", data: []byte("more notes"), method: zip.Store},
	)
	var seen []Progress
	_, err := Run(t.Context(), writeTemp(t, "p.zip", bundle), Options{Workers: 2, Progress: func(p Progress) { seen = append(seen, p) }})
	require.NoError(t, err)
	require.Len(t, seen, 3)
	last := seen[len(seen)-1]
	assert.Equal(t, 3, last.FilesDone)
	assert.Equal(t, last.BytesTotal, last.BytesDone)
	for i := 1; i < len(seen); i++ {
		assert.Greater(t, seen[i].FilesDone, seen[i-1].FilesDone)
	}
}

// TestEncodingNotesAreNotDamage: SDP writes a UTF-16 header and appends
// cmd output in the OEM code page; the file is read completely, so it is
// "parsed", and how it was read is a note, not a problem.
func TestEncodingNotesAreNotDamage(t *testing.T) {
	mixed := append(utf16(t, "VSSAdmin.exe list writers\n"), []byte(strings.ReplaceAll(failedWriters, "\n", "\r\n"))...)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "HV01_VSSAdmin.TXT"), mixed, 0o644))
	res, err := Run(t.Context(), dir, Options{})
	require.NoError(t, err)
	f := inventory(res)["HV01_VSSAdmin.TXT"]
	assert.Equal(t, StatusParsed, f.Status)
	assert.Empty(t, f.Problems)
	require.NotEmpty(t, f.Notes)
	assert.Contains(t, f.Notes[0], "encoding switches")
	assert.Contains(t, causes(res), "vss-writer-failed")
}

func TestSingleFileIsABundle(t *testing.T) {
	p := writeTemp(t, "writers.txt", utf16(t, failedWriters))
	res, err := Run(t.Context(), p, Options{})
	require.NoError(t, err)
	assert.Equal(t, "writers.txt", res.Bundle.Name)
	assert.Equal(t, StatusParsed, inventory(res)["writers.txt"].Status)
	assert.Contains(t, causes(res), "vss-writer-failed")
	assert.Len(t, res.Bundle.SHA256, 64)
}

// TestDigestSurvivesAnUnreadableFile: a file that vanishes or cannot be
// read between listing and hashing is an inventory problem, not a reason
// to fail the whole run; the digest records it as unreadable.
func TestDigestSurvivesAnUnreadableFile(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "w.txt"), utf16(t, failedWriters), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "gone.txt"), []byte("x"), 0o644))
	b, err := OpenBundle(dir, DefaultLimits())
	require.NoError(t, err)
	defer b.Close()
	before, err := b.Digest()
	require.NoError(t, err)
	require.NoError(t, os.Remove(filepath.Join(dir, "gone.txt")))
	after, err := b.Digest()
	require.NoError(t, err)
	assert.NotEqual(t, before, after)
}

// TestSmallFilesReadWhileListed: the small files of a folder are read
// whole as it is listed, and the analysis takes that content (the same as
// reading the file) instead of opening it again; a file at the head size
// or larger, and a zip, are not held.
func TestSmallFilesReadWhileListed(t *testing.T) {
	dir := t.TempDir()
	files := map[string][]byte{
		"a.txt":     []byte("Name State\n---- -----\nVM1  Running\n"),
		"empty.txt": {},
		"big.txt":   bytes.Repeat([]byte("x"), headSize),
	}
	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	w, err := zw.Create("in.txt")
	require.NoError(t, err)
	w.Write([]byte("hello"))
	require.NoError(t, zw.Close())
	files["n.zip"] = zb.Bytes()
	for name, content := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), content, 0o644))
	}
	b, err := OpenBundle(dir, DefaultLimits())
	require.NoError(t, err)
	defer b.Close()
	held := map[string]bool{}
	for _, e := range b.Entries {
		held[e.Path] = e.hasHead
		if e.hasHead {
			assert.Equal(t, files[e.Path], append([]byte{}, e.head...), e.Path)
			head, err := readHead(e)
			require.NoError(t, err)
			assert.Equal(t, files[e.Path], append([]byte{}, head...), e.Path)
			assert.False(t, e.hasHead, "the entry lets go of the content")
		}
	}
	assert.Equal(t, map[string]bool{"a.txt": true, "empty.txt": true, "big.txt": false, "n.zip/in.txt": false}, held)
}
