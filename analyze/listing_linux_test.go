//go:build linux

package analyze

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// listingDir makes a folder with what a walk can meet: small, empty,
// large and zip files, a folder, links to a file and to a folder, a named
// pipe and a socket.
func listingDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	write := func(name string, data []byte) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), data, 0o644))
	}
	write("small.txt", []byte("Writer name: 'System Writer'\r\n"))
	write("empty.txt", nil)
	write("tiny.zip", []byte("PK\x03\x04"))
	write("small.zip", append([]byte("PK\x03\x04"), make([]byte, 40)...))
	write("notzip.bin", make([]byte, 30))
	write("large.log", make([]byte, headSize+10))
	large := append([]byte("PK\x03\x04"), make([]byte, headSize)...)
	write("large.zip", large)
	require.NoError(t, os.Mkdir(filepath.Join(dir, "sub"), 0o755))
	write("sub/inner.txt", []byte("inner"))
	require.NoError(t, os.Symlink("small.txt", filepath.Join(dir, "link.txt")))
	require.NoError(t, os.Symlink("sub", filepath.Join(dir, "linkdir")))
	require.NoError(t, os.Symlink("missing", filepath.Join(dir, "dangling")))
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe"), 0o644); err != nil {
		t.Logf("no named pipe: %v", err)
	}
	if fd, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM, 0); err == nil {
		if err := syscall.Bind(fd, &syscall.SockaddrUnix{Name: filepath.Join(dir, "sock")}); err != nil {
			t.Logf("no socket: %v", err)
		}
		syscall.Close(fd)
	}
	for i := range 300 { // more than one getdents buffer
		write(fmt.Sprintf("sub/f%03d-%s.txt", i, "abcdefghijklmnopqrstuvwxyz"), []byte{byte(i)})
	}
	return dir
}

// The folders read from their descriptor list the same names with the
// same types, in the same order, as os.Root's ReadDir, and Info gives the
// same file information.
func TestReadDirFDSameAsRoot(t *testing.T) {
	dir := listingDir(t)
	root, err := os.OpenRoot(dir)
	require.NoError(t, err)
	defer root.Close()
	for _, name := range []string{".", "sub"} {
		r := root
		if name != "." {
			r, err = root.OpenRoot(name)
			require.NoError(t, err)
			defer r.Close()
		}
		f, fd, ok := dirFD(r)
		require.True(t, ok)
		got, ok := readDirFD(fd, name, root)
		f.Close()
		require.True(t, ok, name)
		want, err := fs.ReadDir(root.FS(), name)
		require.NoError(t, err)
		require.Equal(t, len(want), len(got), name)
		for i := range want {
			assert.Equal(t, want[i].Name(), got[i].Name())
			assert.Equal(t, want[i].Type(), got[i].Type(), want[i].Name())
			assert.Equal(t, want[i].IsDir(), got[i].IsDir(), want[i].Name())
			wi, werr := want[i].Info()
			gi, gerr := got[i].Info()
			require.Equal(t, werr == nil, gerr == nil, want[i].Name())
			if werr == nil {
				assert.Equal(t, wi.Name(), gi.Name())
				assert.Equal(t, wi.Mode(), gi.Mode(), want[i].Name())
				assert.Equal(t, wi.Size(), gi.Size(), want[i].Name())
			}
		}
	}
}

// Probing by system calls finds what probing through os.Root finds: size,
// mode, zip signature and the small file's content; the files it cannot
// open are left unprobed by both, except links, which the root follows
// and the descriptor path refuses (the walk never probes a link: its
// directory entry says what it is).
func TestProbeFDSameAsProbe(t *testing.T) {
	dir := listingDir(t)
	root, err := os.OpenRoot(dir)
	require.NoError(t, err)
	defer root.Close()
	f, fd, ok := dirFD(root)
	require.True(t, ok)
	defer f.Close()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		if e.Name() == "pipe" || e.Name() == "sock" {
			continue // probe opens them as the walk never would: it lists them from their entry
		}
		var viaRoot, viaFD listedFile
		viaRoot.in, viaRoot.rel = root, e.Name()
		viaFD.rel = e.Name()
		var p1, p2 atomic.Int64
		viaRoot.probe(&p1)
		viaFD.probeFD(fd, &p2)
		if e.Type()&fs.ModeSymlink != 0 {
			assert.False(t, viaFD.probed, e.Name())
			continue
		}
		assert.Equal(t, viaRoot.probed, viaFD.probed, e.Name())
		assert.Equal(t, viaRoot.size, viaFD.size, e.Name())
		assert.Equal(t, viaRoot.mode, viaFD.mode, e.Name())
		assert.Equal(t, viaRoot.isZip, viaFD.isZip, e.Name())
		assert.Equal(t, viaRoot.hasContent, viaFD.hasContent, e.Name())
		assert.Equal(t, viaRoot.content, viaFD.content, e.Name())
		assert.Equal(t, p1.Load(), p2.Load(), e.Name())
	}
}

// A named pipe probed by descriptor is opened without waiting for a
// writer and not read, and its mode says what it is.
func TestProbeFDPipe(t *testing.T) {
	dir := t.TempDir()
	mkfifo(t, filepath.Join(dir, "pipe"))
	root, err := os.OpenRoot(dir)
	require.NoError(t, err)
	defer root.Close()
	f, fd, ok := dirFD(root)
	require.True(t, ok)
	defer f.Close()
	lf := listedFile{rel: "pipe"}
	var p atomic.Int64
	lf.probeFD(fd, &p)
	assert.True(t, lf.probed)
	assert.Equal(t, fs.ModeNamedPipe, lf.mode.Type())
	assert.False(t, lf.hasContent)
}

// statMode agrees with os on every file type and permission bit.
func TestStatModeSameAsOS(t *testing.T) {
	dir := listingDir(t)
	require.NoError(t, os.Chmod(filepath.Join(dir, "small.txt"), 0o4755|fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		var st syscall.Stat_t
		require.NoError(t, syscall.Lstat(filepath.Join(dir, e.Name()), &st))
		info, err := os.Lstat(filepath.Join(dir, e.Name()))
		require.NoError(t, err)
		assert.Equal(t, info.Mode(), statMode(st.Mode), e.Name())
	}
}
