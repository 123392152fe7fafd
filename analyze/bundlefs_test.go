package analyze

import (
	"archive/zip"
	"io/fs"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBundleFS: the bundle, zips inside zips included, is a well-behaved
// fs.FS (checked by the standard library's own conformance test), read in
// place without extracting anything.
func TestBundleFS(t *testing.T) {
	inner := makeZip(t, zipEntry{name: "BasicLog/vss.txt", data: []byte(failedWriters), method: zip.Deflate})
	bundle := makeZip(t,
		zipEntry{name: `TSS_HV01\EventLogs\System.evtx`, data: []byte("not really evtx"), method: zip.Store},
		zipEntry{name: "TSS_HV01/inner.zip", data: inner, method: zip.Store},
		zipEntry{name: "notes.txt", data: []byte("customer notes"), method: zip.Deflate},
		zipEntry{name: "../escape.txt", data: []byte("x"), method: zip.Store},
	)
	b, err := OpenBundle(writeTemp(t, "case.zip", bundle), DefaultLimits())
	require.NoError(t, err)
	defer b.Close()
	fsys := b.FS()
	require.NoError(t, fstest.TestFS(fsys, "TSS_HV01/EventLogs/System.evtx", "TSS_HV01/inner.zip/BasicLog/vss.txt", "notes.txt"))

	got, err := fs.ReadFile(fsys, "TSS_HV01/inner.zip/BasicLog/vss.txt")
	require.NoError(t, err)
	assert.Equal(t, failedWriters, string(got))
	_, err = fs.Stat(fsys, "escape.txt")
	assert.ErrorIs(t, err, fs.ErrNotExist, "a refused entry is not in the file system")
	_, err = fsys.Open("../escape.txt")
	assert.ErrorIs(t, err, fs.ErrInvalid)
}
