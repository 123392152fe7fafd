package analyze

import (
	"io/fs"
	"os"
	"sync/atomic"
)

// listingFS is the bundle root's fs.FS for the walk of a folder, with a
// ReadDir that reads a folder held open (dirs: the folders with a root of
// their own, and "." for the bundle) from its descriptor where the system
// allows (readDirFD), and as os.Root does otherwise.
type listingFS struct {
	fs.StatFS // the root's FS, whose Stat the walk calls for "."
	root      *os.Root
	dirs      map[string]heldDir
}

// heldDir is a folder of the bundle held open: its root, and where the
// system allows, its descriptor (fd, or -1) for listing it and opening its
// files by system calls.
type heldDir struct {
	root *os.Root
	fd   int
}

func newListingFS(root *os.Root) *listingFS {
	return &listingFS{StatFS: root.FS().(fs.StatFS), root: root, dirs: map[string]heldDir{}}
}

// hold keeps the folder name, opened as r, for listing and probing.
func (l *listingFS) hold(b *Bundle, name string, r *os.Root) heldDir {
	h := heldDir{root: r, fd: -1}
	if f, fd, ok := dirFD(r); ok {
		b.closers = append(b.closers, f)
		h.fd = fd
	}
	l.dirs[name] = h
	return h
}

func (l *listingFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if h, ok := l.dirs[name]; ok && h.fd >= 0 {
		if entries, ok := readDirFD(h.fd, name, l.root); ok {
			return entries, nil
		}
	}
	return fs.ReadDir(l.StatFS, name)
}

// fdDirent is a folder entry as getdents gave it. Info lstats it through
// the bundle's root, when asked: only for a file whose probe failed.
type fdDirent struct {
	name string
	typ  fs.FileMode
	in   *os.Root
	path string // in the bundle's root
}

func (d *fdDirent) Name() string               { return d.name }
func (d *fdDirent) IsDir() bool                { return d.typ.IsDir() }
func (d *fdDirent) Type() fs.FileMode          { return d.typ }
func (d *fdDirent) Info() (fs.FileInfo, error) { return d.in.Lstat(d.path) }

// joinRel is path.Join for a folder of the walk and one of its entries.
func joinRel(dir, name string) string {
	if dir == "." {
		return name
	}
	return dir + "/" + name
}

// probeIn probes f through the folder it was met in: by system calls when
// the folder is held open with a descriptor, through its root otherwise.
func (f *listedFile) probeIn(preread *atomic.Int64) {
	if f.dirfd >= 0 {
		f.probeFD(f.dirfd, preread)
		return
	}
	f.probe(preread)
}
