package analyze

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestWriteHostileArchives writes hostile bundles at full scale for
// scripts/bench-hostile.sh, which times hvtriage on them. It runs only
// when HVTRIAGE_HOSTILE_DIR names the folder to write to: scale is
// measured by the script, never by a timed unit test.
func TestWriteHostileArchives(t *testing.T) {
	dir := os.Getenv("HVTRIAGE_HOSTILE_DIR")
	if dir == "" {
		t.Skip("HVTRIAGE_HOSTILE_DIR not set (see scripts/bench-hostile.sh)")
	}
	evs := zipEntry{name: "w.txt", data: utf16(t, failedWriters), method: zip.Store}
	write := func(name string, z []byte) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), z, 0o644))
		t.Logf("%s: %d bytes", name, len(z))
	}

	// Four levels of 40 entries sharing one copy of the next level:
	// 40^4 = 2.56 million files from under 10 KB.
	bomb := makeZip(t, evs)
	for range 4 {
		bomb = sharedDataZip(bomb, 40)
	}
	write("shared-data-bomb.zip", bomb)

	// 60,000 directory entries over one stored 1 MiB payload.
	write("overlapping-60k.zip", sharedDataZip(bytes.Repeat([]byte("x"), 1<<20), 60000))

	// 300,000 tiny entries: over the entry budget.
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := range 300_000 {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("d%03d/f%06d.txt", i%1000, i), Method: zip.Store})
		require.NoError(t, err)
		_, err = w.Write([]byte("x"))
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	write("many-entries.zip", append([]byte(nil), buf.Bytes()...))

	// 250 command outputs of 64 MiB each, deflated to a few tens of KB:
	// 16 GiB to inflate, each under the per-entry ratio check.
	text := utf16(t, strings.Repeat(failedWriters, 1+(64<<20)/(2*len(failedWriters))))[:64<<20]
	var raw bytes.Buffer
	fw, err := flate.NewWriter(&raw, flate.BestCompression)
	require.NoError(t, err)
	_, err = fw.Write(text)
	require.NoError(t, err)
	require.NoError(t, fw.Close())
	buf.Reset()
	zw = zip.NewWriter(&buf)
	for i := range 250 {
		w, err := zw.CreateRaw(&zip.FileHeader{Name: fmt.Sprintf("out%03d.txt", i), Method: zip.Deflate,
			CRC32: crc32.ChecksumIEEE(text), CompressedSize64: uint64(raw.Len()), UncompressedSize64: uint64(len(text))})
		require.NoError(t, err)
		_, err = w.Write(raw.Bytes())
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	write("inflation-16g.zip", append([]byte(nil), buf.Bytes()...))

	// 2,000 deflated logs with data descriptors, cut at 60%: the
	// salvage walk inflates every entry to find where it ends.
	var entries []zipEntry
	page := bytes.Repeat([]byte("12:00:01 service heartbeat ok\r\n"), 4000)
	entries = append(entries, evs)
	for i := range 2000 {
		entries = append(entries, zipEntry{name: fmt.Sprintf("o/%04d.txt", i), data: page, method: zip.Deflate})
	}
	cut := makeZip(t, entries...)
	write("cut-short.zip", cut[:len(cut)*6/10])
}
