package analyze

import (
	"archive/zip"
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
)

// Limits bound what a bundle can make the analyzer read. Bundles come from
// customers and are untrusted: a zip can declare terabytes, nest itself, or
// compress gigabytes of zeros into a few kilobytes.
type Limits struct {
	MaxEntrySize int64   // largest single file, uncompressed
	MaxTotalSize int64   // all files together, uncompressed
	MaxRatio     float64 // largest compression ratio for entries above RatioFloor
	RatioFloor   int64   // entries smaller than this cannot be bombs worth refusing
	MaxNesting   int     // zips inside zips inside the bundle
	MaxEntries   int     // entries of all archives together, nested ones included
	// MemoryBuffer is the largest compressed entry held in memory when a
	// reader needs random access; larger ones are spooled to an anonymous
	// temporary file that is removed when the analysis ends.
	MemoryBuffer int64
}

// DefaultLimits fit real support bundles (cluster bundles reach tens of
// gigabytes, logs compress about 10:1) while refusing archive bombs.
func DefaultLimits() Limits {
	return Limits{
		MaxEntrySize: 16 << 30,
		MaxTotalSize: 64 << 30,
		MaxRatio:     200,
		RatioFloor:   64 << 20,
		MaxNesting:   3,
		MaxEntries:   200_000,
		MemoryBuffer: 32 << 20,
	}
}

// ErrNotBundle is returned when the path is neither a directory nor a zip.
var ErrNotBundle = errors.New("not a bundle: want a directory or a .zip file")

// Entry is one file of the bundle. Its Path is a slash path inside the
// bundle; files inside nested zips are named "outer.zip/inner/file".
type Entry struct {
	Path string
	Size int64

	open     func() (io.ReadCloser, error)
	readerAt func() (io.ReaderAt, error)
}

// Open streams the entry's content. Reads are bounded by Size: a zip entry
// that holds more than it declared fails with an error.
func (e *Entry) Open() (io.ReadCloser, error) { return e.open() }

// ReaderAt gives random access to the content (disk headers, EVTX chunks).
// Compressed entries are buffered; the buffer lives as long as the bundle.
func (e *Entry) ReaderAt() (io.ReaderAt, error) { return e.readerAt() }

// Rejected is an entry the bundle reader refused, with the reason.
type Rejected struct {
	Path   string
	Kind   string // what it was recognized as, e.g. "zip"
	Status string // "unreadable" or "ignored"
	Reason string
}

// Bundle is an opened bundle: its files, what was refused, and identity.
type Bundle struct {
	Name     string
	Entries  []*Entry
	Rejected []Rejected
	Archives []Archive // nested zips that were opened, for the inventory

	lim     Limits
	total   int64      // declared bytes of the admitted files
	entries int        // entries met in all archives, nested ones included
	mu      sync.Mutex // guards closers, which extractors add to
	closers []io.Closer
	seen    map[string]bool
	dups    map[string]int

	// What Digest reads: the zip file, or the folder's regular files.
	zipFile *os.File
	zipSize int64
	root    *os.Root
	files   []string
}

// Archive is a zip found inside the bundle and opened.
type Archive struct {
	Path    string
	Size    int64
	Entries int
	Damage  string // what a damaged archive lost, if it was salvaged
}

// Close releases open files and temporary buffers.
func (b *Bundle) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	var errs []error
	for i := len(b.closers) - 1; i >= 0; i-- {
		errs = append(errs, b.closers[i].Close())
	}
	b.closers = nil
	return errors.Join(errs...)
}

// OpenBundle opens a directory or a zip file as a bundle. A single file
// that is not a zip (an engineer pointing at one System.evtx) is a bundle
// of that one file. Nothing is ever extracted to disk under a name from
// the bundle.
func OpenBundle(p string, lim Limits) (*Bundle, error) {
	// Stat, never Open, first: opening a named pipe blocks until someone
	// writes to it, and a device can be read forever.
	st, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() && !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: %w (it is a %s)", p, ErrNotBundle, specialFile(st.Mode()))
	}
	if lim.MaxEntries <= 0 {
		lim.MaxEntries = DefaultLimits().MaxEntries
	}
	b := &Bundle{Name: filepath.Base(p), lim: lim, seen: map[string]bool{}, dups: map[string]int{}}
	switch {
	case st.IsDir():
		err = b.addDir(p)
	case !strings.EqualFold(filepath.Ext(p), ".zip") && !hasZipMagic(p):
		err = b.addSingleFile(p)
	default:
		err = b.addZipFile(p, st.Size())
	}
	if err != nil {
		b.Close()
		return nil, err
	}
	slices.SortFunc(b.Entries, func(x, y *Entry) int { return strings.Compare(x.Path, y.Path) })
	slices.SortFunc(b.Rejected, func(x, y Rejected) int { return strings.Compare(x.Path, y.Path) })
	slices.SortFunc(b.Archives, func(x, y Archive) int { return strings.Compare(x.Path, y.Path) })
	return b, nil
}

// addDir walks a folder through os.Root, which refuses any path or link
// that leads outside it.
func (b *Bundle) addDir(dir string) error {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	b.closers = append(b.closers, root)
	b.root = root
	err = fs.WalkDir(root.FS(), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			b.reject(name, "", "unreadable", err.Error())
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		switch {
		case d.IsDir():
			return nil
		case d.Type()&fs.ModeSymlink != 0:
			b.reject(name, "", "ignored", "symbolic link not followed")
			return nil
		case !d.Type().IsRegular():
			b.reject(name, "", "ignored", fmt.Sprintf("%s, not a regular file: not opened", specialFile(d.Type())))
			return nil
		}
		info, err := d.Info()
		if err != nil {
			b.reject(name, "", "unreadable", err.Error())
			return nil
		}
		if !info.Mode().IsRegular() { // replaced since the folder was listed
			b.reject(name, "", "ignored", fmt.Sprintf("%s, not a regular file: not opened", specialFile(info.Mode())))
			return nil
		}
		b.addRootFile(root, name, info.Size())
		return nil
	})
	return err
}

// Digest returns the bundle's SHA-256: of the zip file itself, or, for a
// folder, of the sorted list of its files' paths and SHA-256s. It reads
// every byte once more, so Run computes it while the files are analyzed.
func (b *Bundle) Digest() (string, error) {
	h := sha256.New()
	if b.zipFile != nil {
		if _, err := io.Copy(h, io.NewSectionReader(b.zipFile, 0, b.zipSize)); err != nil {
			return "", err
		}
		return hex.EncodeToString(h.Sum(nil)), nil
	}
	names := slices.Clone(b.files)
	slices.Sort(names)
	for _, name := range names {
		// A file that cannot be read is already a problem in the
		// inventory; it must not fail the run, so it enters the digest as
		// unreadable.
		sum, err := hashFile(b.root, name)
		if err != nil {
			sum = "unreadable"
		}
		fmt.Fprintf(h, "%s\x00%s\n", name, sum)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func hashFile(root *os.Root, name string) (string, error) {
	f, err := root.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// specialFile names what a non-regular file is, for the problem that
// refuses it.
func specialFile(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeCharDevice != 0:
		return "character device"
	case m&fs.ModeDevice != 0:
		return "device"
	default:
		return "special file"
	}
}

// hasZipMagic reports whether the file starts like a zip archive.
func hasZipMagic(p string) bool {
	f, err := os.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	var head [4]byte
	_, err = io.ReadFull(f, head[:])
	return err == nil && bytes.Equal(head[:], zipMagic)
}

// addSingleFile makes a bundle of one file, read through os.Root like a
// folder's files.
func (b *Bundle) addSingleFile(p string) error {
	root, err := os.OpenRoot(filepath.Dir(p))
	if err != nil {
		return err
	}
	b.closers = append(b.closers, root)
	b.root = root
	name := filepath.Base(p)
	info, err := root.Stat(name)
	if err != nil {
		return err
	}
	b.addRootFile(root, name, info.Size())
	return nil
}

// addRootFile adds a file of a folder (or a single-file bundle), read
// through os.Root.
func (b *Bundle) addRootFile(root *os.Root, name string, size int64) {
	b.files = append(b.files, name)
	if !b.admit(name, size, size) {
		return
	}
	e := &Entry{Path: name, Size: size, open: func() (io.ReadCloser, error) { return root.Open(name) }}
	e.readerAt = func() (io.ReaderAt, error) {
		f, err := root.Open(name)
		if err != nil {
			return nil, err
		}
		b.keep(f)
		return f, nil
	}
	b.addEntry(e, 0)
}

// keep registers something to close with the bundle. Extractors open
// files from several goroutines, hence the lock.
func (b *Bundle) keep(c io.Closer) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closers = append(b.closers, c)
}

func (b *Bundle) addZipFile(p string, size int64) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	b.closers = append(b.closers, f)
	b.zipFile, b.zipSize = f, size
	files, damage, err := b.readArchive(f, size)
	if err != nil {
		return fmt.Errorf("%s: %w (%v)", p, ErrNotBundle, err)
	}
	if damage != "" {
		b.reject(b.Name, KindZip, StatusPartial, damage)
	}
	b.addZip(files, "", 0)
	return nil
}

// archiveFile is one entry of a zip, described by the central directory,
// or by its local header when the directory is missing or lies.
type archiveFile struct {
	name       string
	flags      uint16
	method     uint16
	mode       fs.FileMode
	src        io.ReaderAt // the zip itself
	size       int64
	compressed int64
	dataOff    int64
	open       func() (io.ReadCloser, error)
}

// readArchive lists a zip's entries. A zip whose end record or central
// directory is missing, cut or lying is salvaged from its local headers,
// and damage says what was lost; err is set only when nothing at all could
// be read.
func (b *Bundle) readArchive(ra io.ReaderAt, size int64) (files []archiveFile, damage string, err error) {
	zr, zerr := zip.NewReader(ra, size)
	var lies []string
	if zerr == nil {
		for _, zf := range zr.File {
			af := archiveFile{src: ra, name: zf.Name, flags: zf.Flags, method: zf.Method, mode: zf.Mode(), size: clampSize(zf.UncompressedSize64), compressed: clampSize(zf.CompressedSize64), open: zf.Open}
			off, err := zf.DataOffset()
			switch {
			case err != nil:
				lies = append(lies, fmt.Sprintf("%q (%v)", zf.Name, err))
				continue
			case off+af.compressed > size:
				lies = append(lies, fmt.Sprintf("%q (data ends at %d, past the end of the archive at %d)", zf.Name, off+af.compressed, size))
				continue
			}
			af.dataOff = off
			files = append(files, af)
		}
		if len(lies) == 0 {
			return files, "", nil
		}
	}
	found, stopped := scanLocalHeaders(ra, size, max(1, b.lim.MaxEntries-b.entries), min(b.lim.MaxEntrySize, max(0, b.lim.MaxTotalSize-b.total)))
	if zerr != nil && len(found) == 0 {
		if stopped != nil {
			return nil, "", fmt.Errorf("%v; no entry could be recovered (%v)", zerr, stopped)
		}
		return nil, "", zerr
	}
	var why string
	if zerr != nil {
		why = fmt.Sprintf("damaged archive: its end record or central directory is missing, cut or wrong (%v)", zerr)
	} else {
		why = fmt.Sprintf("damaged archive: the central directory lists %d entries that are not where it says: %s", len(lies), listSome(lies, 5))
	}
	if len(found) == 0 {
		// The directory lied about some entries and the local headers
		// give nothing better: keep the entries it got right.
		return files, why, nil
	}
	files = files[:0]
	for _, le := range found {
		le := le
		files = append(files, archiveFile{src: ra, name: le.name, flags: le.flags, method: le.method, size: le.size, compressed: le.compressed, dataOff: le.dataOff,
			open: func() (io.ReadCloser, error) { return le.open(ra) }})
	}
	damage = fmt.Sprintf("%s; %d entries recovered from their local headers", why, len(found))
	if stopped != nil {
		damage += fmt.Sprintf("; the rest is lost: %v", stopped)
	}
	return files, damage, nil
}

func clampSize(n uint64) int64 {
	return int64(min(n, 1<<62))
}

// listSome quotes the first n items and counts the rest.
func listSome(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:n], ", "), len(items)-n)
}

// overlapping finds entries whose data shares bytes with another entry's:
// several directory records pointing at one copy of the data is how
// archive bombs multiply a small file. The entry that starts first is kept.
func overlapping(files []archiveFile) map[int]string {
	order := make([]int, len(files))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(x, y int) int { return cmp.Compare(files[x].dataOff, files[y].dataOff) })
	out := map[int]string{}
	var keep = -1
	for _, i := range order {
		if files[i].compressed == 0 {
			continue
		}
		if keep >= 0 && files[i].dataOff < files[keep].dataOff+files[keep].compressed {
			out[i] = files[keep].name
			continue
		}
		keep = i
	}
	return out
}

// addZip adds the entries of an opened zip under prefix. Stored entries are
// read in place.
func (b *Bundle) addZip(files []archiveFile, prefix string, depth int) int {
	n := 0
	shared := overlapping(files)
	for i, zf := range files {
		if strings.HasSuffix(zf.name, "/") || strings.HasSuffix(zf.name, `\`) {
			continue
		}
		if b.entries >= b.lim.MaxEntries {
			b.reject(cmp.Or(strings.TrimSuffix(prefix, "/"), b.Name), KindZip, StatusPartial,
				fmt.Sprintf("the bundle's budget of %d files across all nested zips is used up; %d entries of this archive were not read", b.lim.MaxEntries, len(files)-i))
			break
		}
		b.entries++
		name, err := normalizeName(zf.name)
		if err != nil {
			b.reject(prefix+zf.name, "", "ignored", fmt.Sprintf("entry name %q refused: %v", zf.name, err))
			continue
		}
		name = prefix + name
		switch {
		case shared[i] != "":
			b.reject(name, "", "ignored", fmt.Sprintf("its data overlaps entry %q: several directory entries share the same bytes, as archive bombs are built; not read", shared[i]))
			continue
		case zf.mode&fs.ModeSymlink != 0:
			b.reject(name, "", "ignored", "symbolic link entry not followed")
			continue
		case zf.flags&0x1 != 0:
			b.reject(name, "", "unreadable", "encrypted entry: hvtriage does not take passwords; re-send it unencrypted")
			continue
		case zf.method != zip.Store && zf.method != zip.Deflate:
			b.reject(name, "", "unreadable", fmt.Sprintf("compression method %d is not supported", zf.method))
			continue
		}
		if !b.admit(name, zf.size, zf.compressed) {
			continue
		}
		n++
		b.addEntry(b.zipEntry(zf, name), depth)
	}
	return n
}

func (b *Bundle) zipEntry(zf archiveFile, name string) *Entry {
	e := &Entry{Path: name, Size: zf.size, open: zf.open}
	if zf.method == zip.Store {
		e.readerAt = func() (io.ReaderAt, error) {
			return io.NewSectionReader(zf.src, zf.dataOff, zf.size), nil
		}
		return e
	}
	var buffered io.ReaderAt
	e.readerAt = func() (io.ReaderAt, error) {
		if buffered != nil {
			return buffered, nil
		}
		ra, err := b.buffer(zf.open, zf.size)
		if err != nil {
			return nil, err
		}
		buffered = ra
		return ra, nil
	}
	return e
}

// buffer decompresses an entry for random access: in memory when small,
// otherwise into an anonymous temporary file (unlinked name, never derived
// from the bundle).
func (b *Bundle) buffer(open func() (io.ReadCloser, error), size int64) (io.ReaderAt, error) {
	rc, err := open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	if size <= b.lim.MemoryBuffer {
		buf := make([]byte, 0, size)
		w := bytes.NewBuffer(buf)
		if _, err := io.Copy(w, io.LimitReader(rc, size+1)); err != nil {
			return nil, err
		}
		if int64(w.Len()) != size {
			return nil, fmt.Errorf("entry holds %d bytes, declared %d", w.Len(), size)
		}
		return bytes.NewReader(w.Bytes()), nil
	}
	tmp, err := os.CreateTemp("", "hvtriage-spool-*")
	if err != nil {
		return nil, err
	}
	os.Remove(tmp.Name()) // the open handle keeps the data until Close
	b.keep(tmp)
	n, err := io.Copy(tmp, io.LimitReader(rc, size+1))
	if err != nil {
		return nil, err
	}
	if n != size {
		return nil, fmt.Errorf("entry holds %d bytes, declared %d", n, size)
	}
	return tmp, nil
}

// admit applies the limits to one entry before anything is read from it.
// The sizes are the archive's declarations; archive/zip refuses to return
// more bytes than declared, so a lying header cannot get past this.
func (b *Bundle) admit(name string, size, compressed int64) bool {
	lim := b.lim
	switch {
	case b.seen[name]:
		b.dups[name]++
		b.reject(fmt.Sprintf("%s (duplicate #%d)", name, b.dups[name]+1), "", "ignored", "duplicate entry name in the archive; the first one was kept")
		return false
	case size > lim.MaxEntrySize:
		b.reject(name, "", "ignored", fmt.Sprintf("declares %d bytes, over the %d-byte limit per file (--max-file-size)", size, lim.MaxEntrySize))
		return false
	case size > lim.RatioFloor && (compressed <= 0 || float64(size)/float64(compressed) > lim.MaxRatio):
		b.reject(name, "", "ignored", fmt.Sprintf("suspected archive bomb: %d bytes compressed to %d (ratio over %.0f:1)", size, compressed, lim.MaxRatio))
		return false
	case b.total+size > lim.MaxTotalSize:
		b.reject(name, "", "ignored", fmt.Sprintf("the bundle's total size limit (%d bytes) is used up", lim.MaxTotalSize))
		return false
	}
	b.seen[name] = true
	b.total += size
	return true
}

var zipMagic = []byte("PK\x03\x04")

// addEntry adds a file, or opens it as a nested zip when its content says
// it is one.
func (b *Bundle) addEntry(e *Entry, depth int) {
	if !b.isZip(e) {
		b.Entries = append(b.Entries, e)
		return
	}
	if depth+1 > b.lim.MaxNesting {
		b.reject(e.Path, "zip", "ignored", fmt.Sprintf("zip nested more than %d levels deep", b.lim.MaxNesting))
		return
	}
	ra, err := e.ReaderAt()
	if err != nil {
		b.reject(e.Path, "zip", "unreadable", err.Error())
		return
	}
	files, damage, err := b.readArchive(ra, e.Size)
	if err != nil {
		b.reject(e.Path, "zip", "unreadable", fmt.Sprintf("damaged zip: %v", err))
		return
	}
	n := b.addZip(files, e.Path+"/", depth+1)
	b.Archives = append(b.Archives, Archive{Path: e.Path, Size: e.Size, Entries: n, Damage: damage})
}

func (b *Bundle) isZip(e *Entry) bool {
	if e.Size < 22 {
		return false
	}
	rc, err := e.Open()
	if err != nil {
		return strings.EqualFold(path.Ext(e.Path), ".zip")
	}
	defer rc.Close()
	var head [4]byte
	if _, err := io.ReadFull(rc, head[:]); err != nil {
		return false
	}
	return bytes.Equal(head[:], zipMagic)
}

func (b *Bundle) reject(p, kind, status, reason string) {
	b.Rejected = append(b.Rejected, Rejected{Path: p, Kind: kind, Status: status, Reason: reason})
}
