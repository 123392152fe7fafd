//go:build unix

package analyze

import (
	"bytes"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// mkfifo makes a named pipe nobody writes to: opening it for reading
// blocks forever, so any test that opens it hangs.
func mkfifo(t *testing.T, p string) {
	t.Helper()
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
}

// runWithin fails the test instead of hanging when Run blocks.
func runWithin(t *testing.T, p string) (*Result, error) {
	t.Helper()
	type out struct {
		res *Result
		err error
	}
	done := make(chan out, 1)
	go func() {
		res, err := Run(t.Context(), p, Options{})
		done <- out{res, err}
	}()
	select {
	case o := <-done:
		return o.res, o.err
	case <-time.After(30 * time.Second):
		t.Fatalf("Run(%s) still blocked after 30s", p)
		return nil, nil
	}
}

func TestFIFOAsBundleIsRefused(t *testing.T) {
	for _, name := range []string{"bundle.zip", "System.evtx"} {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), name)
			mkfifo(t, p)
			_, err := runWithin(t, p)
			require.ErrorIs(t, err, ErrNotBundle)
			assert.Contains(t, err.Error(), "named pipe")
		})
	}
}

func TestFIFOInFolderIsListed(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "w.txt"), utf16(t, failedWriters), 0o644))
	mkfifo(t, filepath.Join(dir, "pipe.evtx"))
	mkfifo(t, filepath.Join(dir, "inner.zip"))
	require.NoError(t, os.Symlink("pipe.evtx", filepath.Join(dir, "link.evtx")))

	res, err := runWithin(t, dir)
	require.NoError(t, err)
	inv := inventory(res)
	for _, name := range []string{"pipe.evtx", "inner.zip"} {
		assert.Equal(t, StatusIgnored, inv[name].Status, name)
		assert.Contains(t, inv[name].Problems[0].Msg, "named pipe", name)
	}
	assert.Contains(t, inv["link.evtx"].Problems[0].Msg, "symbolic link")
	assert.Equal(t, StatusParsed, inv["w.txt"].Status)
	assert.Contains(t, causes(res), "vss-writer-failed")
}

// TestFIFOSwappedAfterListing: a file replaced by a named pipe after the
// folder was listed is opened without blocking and refused, with a problem
// naming it, and the rest of the bundle is analyzed.
func TestFIFOSwappedAfterListing(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "w.txt"), utf16(t, failedWriters), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "System.evtx"), bytes.Repeat([]byte("x"), 100<<10), 0o644))
	// A note at the head size or larger is opened again to be analyzed; a
	// smaller one was read whole while listing, and that content is what
	// the analysis reads.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "note.txt"), bytes.Repeat([]byte("the backup failed again\n"), headSize/24+1), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "small.txt"), utf16(t, failedWriters), 0o644))
	b, err := OpenBundle(dir, DefaultLimits())
	require.NoError(t, err)
	defer b.Close()
	for _, name := range []string{"System.evtx", "note.txt", "small.txt"} {
		require.NoError(t, os.Remove(filepath.Join(dir, name)))
		mkfifo(t, filepath.Join(dir, name))
	}

	done := make(chan *Result, 1)
	go func() {
		res, err := analyzeBundle(t.Context(), b, Options{})
		assert.NoError(t, err)
		done <- res
	}()
	var res *Result
	select {
	case res = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the analysis still blocks on a named pipe after 30s")
	}
	require.NotNil(t, res)
	inv := inventory(res)
	for _, name := range []string{"System.evtx", "note.txt"} {
		assert.Equal(t, StatusUnreadable, inv[name].Status, name)
		require.NotEmpty(t, inv[name].Problems, name)
		assert.Contains(t, inv[name].Problems[0].String(), "named pipe", name)
		assert.Contains(t, inv[name].Problems[0].String(), name)
	}
	assert.Equal(t, StatusParsed, inv["w.txt"].Status)
	assert.Equal(t, StatusParsed, inv["small.txt"].Status, "read as listed")
	assert.Contains(t, causes(res), "vss-writer-failed")
	assert.Len(t, res.Bundle.SHA256, 64)
}
