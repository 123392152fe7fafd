package analyze

import (
	"io"
	"io/fs"
	"path"
	"slices"
	"time"
)

// FS returns the bundle as an fs.FS: every admitted file under its slash
// path (files of nested zips under "outer.zip/…"), with the folders those
// paths imply. Nothing is extracted: opening a file streams it from the
// folder or the zip, bounded by the size the archive declared. Extractors
// get it to look at a file's siblings.
func (b *Bundle) FS() fs.FS {
	f := &bundleFS{files: map[string]*Entry{}, dirs: map[string][]string{".": nil}}
	for _, e := range b.Entries {
		f.files[e.Path] = e
		child := e.Path
		for dir := path.Dir(e.Path); ; dir = path.Dir(dir) {
			if !slices.Contains(f.dirs[dir], path.Base(child)) {
				f.dirs[dir] = append(f.dirs[dir], path.Base(child))
			}
			if dir == "." {
				break
			}
			child = dir
		}
	}
	for _, names := range f.dirs {
		slices.Sort(names)
	}
	return f
}

type bundleFS struct {
	files map[string]*Entry
	dirs  map[string][]string // folder → sorted child names
}

func (f *bundleFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	if e, ok := f.files[name]; ok {
		rc, err := e.Open()
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: name, Err: err}
		}
		return &bundleFile{rc: rc, info: fileInfo{name: path.Base(name), size: e.Size}}, nil
	}
	if _, ok := f.dirs[name]; ok {
		return &bundleDir{fs: f, name: name}, nil
	}
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

func (f *bundleFS) ReadDir(name string) ([]fs.DirEntry, error) {
	children, ok := f.dirs[name]
	if !ok {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
	}
	out := make([]fs.DirEntry, 0, len(children))
	for _, c := range children {
		full := path.Join(name, c)
		if e, ok := f.files[full]; ok {
			out = append(out, fs.FileInfoToDirEntry(fileInfo{name: c, size: e.Size}))
		} else {
			out = append(out, fs.FileInfoToDirEntry(fileInfo{name: c, dir: true}))
		}
	}
	return out, nil
}

type bundleFile struct {
	rc   io.ReadCloser
	info fileInfo
}

func (f *bundleFile) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *bundleFile) Read(p []byte) (int, error) { return f.rc.Read(p) }
func (f *bundleFile) Close() error               { return f.rc.Close() }

type bundleDir struct {
	fs   *bundleFS
	name string
	read int // entries already returned by ReadDir
}

func (d *bundleDir) Stat() (fs.FileInfo, error) {
	return fileInfo{name: path.Base(d.name), dir: true}, nil
}
func (d *bundleDir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.name, Err: fs.ErrInvalid}
}
func (d *bundleDir) Close() error { return nil }

func (d *bundleDir) ReadDir(n int) ([]fs.DirEntry, error) {
	all, err := d.fs.ReadDir(d.name)
	if err != nil {
		return nil, err
	}
	rest := all[d.read:]
	if n > 0 {
		if len(rest) == 0 {
			return nil, io.EOF
		}
		rest = rest[:min(n, len(rest))]
	}
	d.read += len(rest)
	return rest, nil
}

// fileInfo describes a bundle file or folder. Bundles carry no meaningful
// modes or times of their own, so every file reads as 0444 and every
// folder as 0555, with the zero time.
type fileInfo struct {
	name string
	size int64
	dir  bool
}

func (i fileInfo) Name() string { return i.name }
func (i fileInfo) Size() int64  { return i.size }
func (i fileInfo) Mode() fs.FileMode {
	if i.dir {
		return fs.ModeDir | 0o555
	}
	return 0o444
}
func (i fileInfo) ModTime() time.Time { return time.Time{} }
func (i fileInfo) IsDir() bool        { return i.dir }
func (i fileInfo) Sys() any           { return nil }

var _ fs.ReadDirFS = (*bundleFS)(nil)
