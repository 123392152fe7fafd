package analyze

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFolderDigestFromTheAnalysis: the analysis hashes small files from the
// bytes it read instead of opening them again; the digest must be the one
// computed by reading every file (small and large files, a small nested
// zip that is not analyzed as a file),
// for a folder, a single file and a case.
func TestFolderDigestFromTheAnalysis(t *testing.T) {
	dir := t.TempDir()
	files := map[string][]byte{
		"w.txt":       utf16(t, failedWriters),
		"a/note.txt":  []byte("the backup failed again\n"),
		"a/empty.txt": nil,
		"b/big.log":   bytes.Repeat([]byte("line of a long log\n"), 2000),
		"b/inner.zip": makeZip(t, zipEntry{name: "x.txt", data: []byte("inside"), method: zip.Store}),
	}
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, data, 0o644))
	}
	// What the digest is, computed here the slow way.
	h := sha256.New()
	for _, name := range []string{"a/empty.txt", "a/note.txt", "b/big.log", "b/inner.zip", "w.txt"} {
		sum := sha256.Sum256(files[name])
		fmt.Fprintf(h, "%s\x00%s\n", name, hex.EncodeToString(sum[:]))
	}
	want := hex.EncodeToString(h.Sum(nil))

	lim := DefaultLimits()
	res, err := Run(t.Context(), dir, Options{})
	require.NoError(t, err)
	assert.Equal(t, want, res.Bundle.SHA256)

	b, err := OpenBundle(dir, lim)
	require.NoError(t, err)
	defer b.Close()
	standalone, err := b.Digest() // no analysis: every file is read
	require.NoError(t, err)
	assert.Equal(t, want, standalone)
	res, err = analyzeBundle(t.Context(), b, Options{})
	require.NoError(t, err)
	assert.Equal(t, want, res.Bundle.SHA256)
	for _, name := range []string{"a/note.txt", "a/empty.txt", "w.txt"} {
		assert.True(t, b.sums[name].set.Load(), "%s was hashed by the analysis", name)
	}
	assert.Nil(t, b.sums["b/big.log"], "a large file is hashed beside the analysis")
	assert.False(t, b.sums["b/inner.zip"].set.Load(), "a nested zip is not analyzed as a file: hashed at the end")

	single := filepath.Join(dir, "a", "note.txt")
	sum := sha256.Sum256(files["a/note.txt"])
	h = sha256.New()
	fmt.Fprintf(h, "%s\x00%s\n", "note.txt", hex.EncodeToString(sum[:]))
	res, err = Run(t.Context(), single, Options{})
	require.NoError(t, err)
	assert.Equal(t, hex.EncodeToString(h.Sum(nil)), res.Bundle.SHA256)

	c, err := RunCase(t.Context(), []string{dir, single}, Options{Limits: lim})
	require.NoError(t, err)
	h = sha256.New()
	fmt.Fprintf(h, "%s\x00%s\n", filepath.Base(dir), want)
	fmt.Fprintf(h, "%s\x00%s\n", "note.txt", res.Bundle.SHA256)
	assert.Equal(t, hex.EncodeToString(h.Sum(nil)), c.Bundle.SHA256)
}

// TestManyFolders: past maxFolderRoots folders, files are opened through
// the bundle's root; every file is read either way, and the problem of a
// file that vanished names its whole path.
func TestManyFolders(t *testing.T) {
	dir := t.TempDir()
	n := maxFolderRoots + 20
	for i := range n {
		p := filepath.Join(dir, fmt.Sprintf("d%03d", i), "sub", "note.txt")
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		// At the head size, so that the analysis opens it again (a smaller
		// file is read while listing).
		require.NoError(t, os.WriteFile(p, bytes.Repeat([]byte("the backup failed again\n"), headSize/24+1), 0o644))
	}
	b, err := OpenBundle(dir, DefaultLimits())
	require.NoError(t, err)
	defer b.Close()
	require.Len(t, b.Entries, n)
	for _, i := range []int{0, n - 1} {
		require.NoError(t, os.Remove(filepath.Join(dir, fmt.Sprintf("d%03d", i), "sub", "note.txt")))
	}
	res, err := analyzeBundle(t.Context(), b, Options{})
	require.NoError(t, err)
	inv := inventory(res)
	for i := range n {
		name := fmt.Sprintf("d%03d/sub/note.txt", i)
		if i == 0 || i == n-1 {
			assert.Equal(t, StatusUnreadable, inv[name].Status, name)
			require.NotEmpty(t, inv[name].Problems, name)
			assert.Contains(t, inv[name].Problems[0].String(), name)
			continue
		}
		assert.NotEqual(t, StatusUnreadable, inv[name].Status, name)
	}
}
