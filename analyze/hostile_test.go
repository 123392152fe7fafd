package analyze

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hvtriage/hvtriage/analyze/extract"
	"github.com/hvtriage/hvtriage/evidence"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// setEncryptedFlag marks every entry of a zip as encrypted, in the local
// headers and the central directory, the way a password-protected archive
// made by Windows tools looks to a reader without the password.
func setEncryptedFlag(t testing.TB, z []byte) []byte {
	t.Helper()
	out := bytes.Clone(z)
	for i := 0; i+8 <= len(out); i++ {
		switch binary.LittleEndian.Uint32(out[i:]) {
		case 0x04034b50: // local file header: flags at +6
			binary.LittleEndian.PutUint16(out[i+6:], binary.LittleEndian.Uint16(out[i+6:])|1)
		case 0x02014b50: // central directory header: flags at +8
			binary.LittleEndian.PutUint16(out[i+8:], binary.LittleEndian.Uint16(out[i+8:])|1)
		}
	}
	return out
}

func TestEncryptedEntriesAreListed(t *testing.T) {
	secret := setEncryptedFlag(t, makeZip(t, zipEntry{name: "secret.txt", data: []byte(failedWriters), method: zip.Store}))
	bundle := makeZip(t,
		zipEntry{name: "protected.zip", data: secret, method: zip.Store},
		zipEntry{name: "w.txt", data: utf16(t, failedWriters), method: zip.Store},
	)
	res, err := Run(t.Context(), writeTemp(t, "case.zip", bundle), Options{})
	require.NoError(t, err)
	inv := inventory(res)
	assert.Equal(t, StatusUnreadable, inv["protected.zip/secret.txt"].Status)
	assert.Contains(t, inv["protected.zip/secret.txt"].Problems[0].Msg, "encrypted entry")
	assert.Equal(t, StatusParsed, inv["w.txt"].Status)
}

// TestZip64Bundle: archives over 4 GiB, or with over 65535 entries, use
// zip64 records; Windows' Compress-Archive writes them for big bundles.
func TestZip64Bundle(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	h := &zip.FileHeader{Name: "w.txt", Method: zip.Store}
	h.SetMode(0o644)
	w, err := zw.CreateHeader(h)
	require.NoError(t, err)
	_, err = w.Write(utf16(t, failedWriters))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	z := forceZip64(t, buf.Bytes())
	res, err := Run(t.Context(), writeTemp(t, "z64.zip", z), Options{})
	require.NoError(t, err)
	assert.Equal(t, StatusParsed, inventory(res)["w.txt"].Status)
	assert.Contains(t, causes(res), "vss-writer-failed")
}

// forceZip64 rewrites a one-entry stored zip with zip64 end records, as
// large archives have them.
func forceZip64(t *testing.T, z []byte) []byte {
	t.Helper()
	eocd := bytes.LastIndex(z, []byte("PK\x05\x06"))
	require.Positive(t, eocd)
	cdSize := binary.LittleEndian.Uint32(z[eocd+12:])
	cdOff := binary.LittleEndian.Uint32(z[eocd+16:])
	entries := binary.LittleEndian.Uint16(z[eocd+10:])
	out := bytes.Clone(z[:eocd])
	z64Off := uint64(len(out))
	rec := make([]byte, 56)
	binary.LittleEndian.PutUint32(rec[0:], 0x06064b50)
	binary.LittleEndian.PutUint64(rec[4:], 44)
	binary.LittleEndian.PutUint16(rec[12:], 45)
	binary.LittleEndian.PutUint16(rec[14:], 45)
	binary.LittleEndian.PutUint64(rec[24:], uint64(entries))
	binary.LittleEndian.PutUint64(rec[32:], uint64(entries))
	binary.LittleEndian.PutUint64(rec[40:], uint64(cdSize))
	binary.LittleEndian.PutUint64(rec[48:], uint64(cdOff))
	out = append(out, rec...)
	loc := make([]byte, 20)
	binary.LittleEndian.PutUint32(loc[0:], 0x07064b50)
	binary.LittleEndian.PutUint64(loc[8:], z64Off)
	binary.LittleEndian.PutUint32(loc[16:], 1)
	out = append(out, loc...)
	end := make([]byte, 22)
	binary.LittleEndian.PutUint32(end[0:], 0x06054b50)
	binary.LittleEndian.PutUint16(end[8:], 0xFFFF)
	binary.LittleEndian.PutUint16(end[10:], 0xFFFF)
	binary.LittleEndian.PutUint32(end[12:], 0xFFFFFFFF)
	binary.LittleEndian.PutUint32(end[16:], 0xFFFFFFFF)
	return append(out, end...)
}

// TestDeepNestingStops: a zip that contains itself over and over (a
// "quine" bomb) stops at the nesting limit, with a message.
func TestDeepNestingStops(t *testing.T) {
	z := makeZip(t, zipEntry{name: "w.txt", data: utf16(t, failedWriters), method: zip.Store})
	for i := range 6 {
		z = makeZip(t, zipEntry{name: "level" + string(rune('a'+i)) + ".zip", data: z, method: zip.Store})
	}
	res, err := Run(t.Context(), writeTemp(t, "deep.zip", z), Options{})
	require.NoError(t, err)
	var refused int
	for _, f := range res.Inventory {
		for _, p := range f.Problems {
			if bytes.Contains([]byte(p.Msg), []byte("nested more than 3 levels")) {
				refused++
			}
		}
	}
	assert.Equal(t, 1, refused)
}

// slowExtractor claims command outputs as TextOutputs does, and never
// finishes on its own: the per-file budget stops it.
type slowExtractor struct{ extract.TextOutputs }

func (slowExtractor) Name() string { return "slow" }
func (slowExtractor) Extract(ctx context.Context, in Input) (Extraction, error) {
	<-ctx.Done()
	return Extraction{Records: 2, Evidence: []evidence.Evidence{{Kind: evidence.KindVSSWriter, Source: in.Path, Attrs: map[string]string{}}}}, ctx.Err()
}

func TestPerFileTimeoutKeepsWhatWasRead(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "w.txt"), utf16(t, failedWriters), 0o644))
	res, err := Run(t.Context(), dir, Options{Extractors: []Extractor{slowExtractor{}}, FileTimeout: 50 * time.Millisecond})
	require.NoError(t, err)
	f := inventory(res)["w.txt"]
	assert.Equal(t, StatusPartial, f.Status)
	assert.Contains(t, f.Problems[0].Msg, "per-file time budget")
	assert.Len(t, res.Evidence, 1, "what was read before the deadline is kept")
}

func TestCancelledRunFails(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "w.txt"), utf16(t, failedWriters), 0o644))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := Run(ctx, dir, Options{})
	require.ErrorIs(t, err, context.Canceled)
}

// FuzzOpenBundle feeds arbitrary bytes to the zip layer: whatever the
// archive, opening and analyzing it never panics, and every entry ends in
// the inventory or the rejected list.
func FuzzOpenBundle(f *testing.F) {
	f.Add([]byte("PK\x05\x06" + string(make([]byte, 18))))
	f.Add(setEncryptedFlag(f, mustZip(zipEntry{name: "a.txt", data: []byte("x"), method: zip.Store})))
	f.Add(mustZip(zipEntry{name: "../x", data: []byte("x"), method: zip.Deflate}, zipEntry{name: "in.zip", data: mustZip(zipEntry{name: "w.txt", data: []byte(failedWriters)}), method: zip.Store}))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(dir, "fuzz.zip")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Skip()
		}
		lim := DefaultLimits()
		lim.MaxTotalSize = 64 << 20
		res, err := Run(context.Background(), p, Options{Limits: lim, Workers: 1})
		if err != nil {
			return // not a zip at all: a clear error, not a panic
		}
		for _, r := range res.Inventory {
			if r.Status == "" {
				t.Fatalf("inventory entry %q without status", r.Path)
			}
		}
	})
}

func mustZip(entries ...zipEntry) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: e.method})
		if err != nil {
			panic(err)
		}
		if _, err := w.Write(e.data); err != nil {
			panic(err)
		}
	}
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}
