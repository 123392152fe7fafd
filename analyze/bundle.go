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
	"sync/atomic"
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
	// MaxMemory bounds the inflated buffers held in memory at once;
	// beyond it they are spooled. MaxSpool bounds the temporary files
	// held at once.
	MaxMemory int64
	MaxSpool  int64
	// The bytes inflated by all reads of a bundle together may reach
	// InflateRatio times the bundle's size on disk, and at least
	// InflateFloor.
	InflateRatio float64
	InflateFloor int64
	// MaxActivity bounds the timeline buckets and MaxCoverage the
	// coverage keys kept from all files together (see itemBudget).
	MaxActivity int
	MaxCoverage int
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
		MaxEntries:   50_000,
		MemoryBuffer: 32 << 20,
		MaxMemory:    256 << 20,
		MaxSpool:     16 << 30,
		InflateRatio: 50,
		InflateFloor: 2 << 30,
		MaxActivity:  defaultMaxActivity,
		MaxCoverage:  defaultMaxCoverage,
	}
}

// withDefaults fills the budgets left at zero.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	l.MaxEntries = cmp.Or(l.MaxEntries, d.MaxEntries)
	l.MaxMemory = cmp.Or(l.MaxMemory, d.MaxMemory)
	l.MaxSpool = cmp.Or(l.MaxSpool, d.MaxSpool)
	l.InflateRatio = cmp.Or(l.InflateRatio, d.InflateRatio)
	l.InflateFloor = cmp.Or(l.InflateFloor, d.InflateFloor)
	l.MaxActivity = cmp.Or(l.MaxActivity, d.MaxActivity)
	l.MaxCoverage = cmp.Or(l.MaxCoverage, d.MaxCoverage)
	return l
}

// ErrNotBundle is returned when the path is neither a directory nor a zip.
var ErrNotBundle = errors.New("not a bundle: want a directory or a .zip file")

// Entry is one file of the bundle. Its Path is a slash path inside the
// bundle; files inside nested zips are named "outer.zip/inner/file".
type Entry struct {
	Path string
	Size int64

	open     func() (io.ReadCloser, error)
	readerAt func() (ra io.ReaderAt, release func(), err error)

	mu      sync.Mutex // guards the random-access view and its release
	ra      io.ReaderAt
	release func()

	// sum, for a small file of a folder, is its SHA-256 taken by the
	// analysis from the bytes it read whole, for the bundle's digest.
	sum *entrySum
	// zip says whether the entry starts like a zip, when that was found
	// as its folder was listed.
	zip zipProbe
	// head is a small file's content, read as its folder was listed
	// (within maxPreread): the analysis takes it instead of opening the
	// file again.
	head    []byte
	hasHead bool
}

// zipProbe says what the listing of a folder found a file starts with.
type zipProbe uint8

const (
	zipUnknown zipProbe = iota // not probed: isZip opens the file
	zipYes
	zipNo
)

// entrySum is the SHA-256 of a small file of a folder, set by the worker
// that read the file whole: the digest then need not open it again.
type entrySum struct {
	set atomic.Bool
	v   [sha256.Size]byte
}

// take records the digest of content, the whole file as read.
func (s *entrySum) take(content []byte) {
	if s != nil {
		s.v = sha256.Sum256(content)
		s.set.Store(true)
	}
}

// Open streams the entry's content. Reads are bounded by Size: a zip entry
// that holds more than it declared fails with an error.
func (e *Entry) Open() (io.ReadCloser, error) { return e.open() }

// ReaderAt gives random access to the content (disk headers, EVTX chunks).
// Compressed entries are inflated into a buffer (memory or a temporary
// file) that is kept until Release, so that repeated calls cost nothing.
func (e *Entry) ReaderAt() (io.ReaderAt, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.ra != nil {
		return e.ra, nil
	}
	ra, release, err := e.readerAt()
	if err != nil {
		return nil, err
	}
	e.ra, e.release = ra, release
	return ra, nil
}

// Release frees what ReaderAt holds: the inflated buffer, the temporary
// file or the open file. The analysis calls it when it is done with the
// file, so memory does not grow with the bundle. A later ReaderAt builds
// the view again.
func (e *Entry) Release() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.release != nil {
		e.release()
	}
	e.ra, e.release = nil, nil
}

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
	total   int64 // declared bytes of the admitted files
	entries int   // entries met in all archives, nested ones included

	// Decompression budgets, shared by the extractors' goroutines.
	inflated      atomic.Int64 // bytes inflated by any reader
	inflateBudget int64
	inMemory      int64      // bytes of inflated buffers held in memory (under mu)
	spooled       int64      // bytes of temporary files held (under mu)
	archived      []*Entry   // nested zips, whose views live until Close
	mu            sync.Mutex // guards closers and the budgets held (inMemory, spooled)
	closers       []io.Closer
	seen          map[string]bool
	dups          map[string]int

	// What Digest reads: the zip file, or the folder's regular files.
	zipFile *os.File
	zipSize int64
	root    *os.Root
	files   []string
	sums    map[string]*entrySum // the small files, hashed as they are analyzed

	// A case (RunCase): the folder prefix of each bundle, and the digest
	// of the whole (see startDigest).
	parts  []string
	digest func() func() (string, error)
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
	for _, e := range b.Entries {
		e.Release()
	}
	for i := len(b.archived) - 1; i >= 0; i-- {
		b.archived[i].Release()
	}
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
	lim = lim.withDefaults()
	b := &Bundle{Name: filepath.Base(p), lim: lim, seen: map[string]bool{}, dups: map[string]int{}}
	b.inflateBudget = lim.InflateFloor // and InflateRatio × each file of a folder
	if !st.IsDir() {
		b.inflateBudget = max(lim.InflateFloor, int64(lim.InflateRatio*float64(st.Size())))
	}
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
// that leads outside it. Each file is opened once while listing, to learn
// its size and type from the open descriptor and whether it is a zip:
// those opens run in parallel with the walk, and the files are then added
// in the walk's order, so budgets refuse the same files whatever finished
// first.
func (b *Bundle) addDir(dir string) error {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	b.closers = append(b.closers, root)
	b.root = root
	var (
		listed  []*listedFile
		jobs    = make(chan *listedFile, 256)
		wg      sync.WaitGroup
		preread atomic.Int64 // bytes of small files read while listing
	)
	for range probeWorkers {
		wg.Go(func() {
			for f := range jobs {
				f.probeIn(&preread)
			}
		})
	}
	// Files are opened through a root of their own folder, while there
	// are not too many folders: opening "a/b/c.txt" through the bundle's
	// root opens and closes "a" and "a/b" each time. Those folders (and
	// the bundle's) are also held open by descriptor where the system
	// allows, to be listed and their files probed by system calls
	// (listing_linux.go).
	lfs := newListingFS(root)
	lfs.hold(b, ".", root)
	err = fs.WalkDir(lfs, ".", func(name string, d fs.DirEntry, err error) error {
		f := &listedFile{name: name, d: d, err: err, in: root, rel: name, dirfd: -1}
		if dir, base := path.Split(name); dir != "" {
			if h, ok := lfs.dirs[strings.TrimSuffix(dir, "/")]; ok {
				f.in, f.rel, f.dirfd = h.root, base, h.fd
			}
		} else if name != "." {
			f.dirfd = lfs.dirs["."].fd
		}
		if err == nil && d.Type().IsRegular() {
			jobs <- f
		}
		if err == nil && d.IsDir() {
			if name != "." && len(lfs.dirs) <= maxFolderRoots {
				if r, err := f.in.OpenRoot(f.rel); err == nil {
					b.closers = append(b.closers, r)
					lfs.hold(b, name, r)
				}
			}
			return nil
		}
		listed = append(listed, f)
		if err != nil && d != nil && d.IsDir() {
			return fs.SkipDir
		}
		return nil
	})
	close(jobs)
	wg.Wait()
	if len(b.seen) == 0 && b.sums == nil {
		// Sized for the files listed, instead of grown (and rehashed) by
		// doubling as they are added.
		b.seen = make(map[string]bool, len(listed))
		b.sums = make(map[string]*entrySum, len(listed))
		b.files = slices.Grow(b.files, len(listed))
		b.Entries = slices.Grow(b.Entries, len(listed))
	}
	for _, f := range listed {
		b.addListed(f)
	}
	return err
}

// probeWorkers open the files of a folder while it is listed: opening is
// mostly waiting on the file system, so more than the cores.
const probeWorkers = 8

// maxPreread bounds the bytes of small files read whole while their
// folder is listed and held until each is analyzed: beyond it, a file is
// opened again for the analysis.
const maxPreread = 32 << 20

// maxFolderRoots bounds the folders held open so that their files are
// opened through them (a descriptor each until the bundle is closed).
const maxFolderRoots = 256

// listedFile is one file met by the walk of a folder, and what opening it
// told (probe).
type listedFile struct {
	name string
	d    fs.DirEntry
	err  error    // of the walk
	in   *os.Root // the root it is opened through: the bundle's or its folder's
	rel  string   // its name in that root
	// dirfd is the descriptor of that root's folder, held open, or -1:
	// the file is then probed through the root.
	dirfd int

	probed bool
	size   int64       // of the open file
	mode   fs.FileMode // of the open file
	isZip  bool        // starts like a zip
	// content is a small file read whole while probing (hasContent).
	content    []byte
	hasContent bool
}

// probe opens a regular file to learn its size and type and whether it is
// a zip. A file that cannot be opened is left to addListed, which lists it
// from its directory entry, as the walk saw it. A file smaller than what
// classification reads is read whole, while preread (the bytes read so far
// for the bundle) stays within maxPreread, and handed to the analysis.
func (f *listedFile) probe(preread *atomic.Int64) {
	h, err := f.in.OpenFile(f.rel, os.O_RDONLY|openNonblock, 0)
	if err != nil {
		return
	}
	defer h.Close()
	info, err := h.Stat()
	if err != nil {
		return
	}
	f.probed, f.size, f.mode = true, info.Size(), info.Mode()
	if info.Mode().IsRegular() && info.Size() < headSize && preread.Add(info.Size()) <= maxPreread {
		// What readHead reads: up to the size, less if the file shrank.
		buf := make([]byte, info.Size())
		n, err := io.ReadFull(h, buf)
		if err == nil || err == io.ErrUnexpectedEOF || err == io.EOF {
			f.content, f.hasContent = buf[:n], true
			f.isZip = n >= 22 && bytes.Equal(buf[:4], zipMagic)
			return
		}
	}
	if info.Mode().IsRegular() && info.Size() >= 22 {
		var head [4]byte
		_, err := io.ReadFull(h, head[:])
		f.isZip = err == nil && bytes.Equal(head[:], zipMagic)
	}
}

// addListed adds a file met by the walk, or lists why it is refused.
func (b *Bundle) addListed(f *listedFile) {
	name, d := f.name, f.d
	switch {
	case f.err != nil:
		b.reject(name, "", "unreadable", f.err.Error())
		return
	case d.Type()&fs.ModeSymlink != 0:
		b.reject(name, "", "ignored", "symbolic link not followed")
		return
	case !d.Type().IsRegular():
		b.reject(name, "", "ignored", fmt.Sprintf("%s, not a regular file: not opened", specialFile(d.Type())))
		return
	}
	size, mode, isZip := f.size, f.mode, zipNo
	if f.isZip {
		isZip = zipYes
	}
	if !f.probed {
		// Listed as the walk saw it; isZip tries to open it again.
		info, err := d.Info()
		if err != nil {
			b.reject(name, "", "unreadable", err.Error())
			return
		}
		size, mode, isZip = info.Size(), info.Mode(), zipUnknown
	}
	if !mode.IsRegular() { // replaced since the folder was listed
		b.reject(name, "", "ignored", fmt.Sprintf("%s, not a regular file: not opened", specialFile(mode)))
		return
	}
	if e := b.addRootFile(f.in, f.rel, name, size, isZip); e != nil && f.hasContent && !f.isZip {
		e.head, e.hasHead = f.content, true
	}
}

// Digest returns the bundle's SHA-256: of the zip file itself, or, for a
// folder, of the sorted list of its files' paths and SHA-256s. It reads
// every byte once more, so Run computes it while the files are analyzed
// (startDigest).
func (b *Bundle) Digest() (string, error) {
	return b.startDigest()()
}

// startDigest starts computing the digest in the background and returns
// the function that waits for it. Run calls that function once every file
// was analyzed: the small files of a folder are hashed by the analysis
// from the bytes it read whole (Entry.sum), the rest beside it; a small
// file the analysis did not read whole is hashed at the end.
func (b *Bundle) startDigest() func() (string, error) {
	if b.digest != nil {
		return b.digest()
	}
	type result struct {
		sum string
		err error
	}
	done := make(chan result, 1)
	if b.zipFile != nil {
		go func() {
			h := sha256.New()
			if _, err := io.Copy(h, io.NewSectionReader(b.zipFile, 0, b.zipSize)); err != nil {
				done <- result{err: err}
				return
			}
			done <- result{sum: hex.EncodeToString(h.Sum(nil))}
		}()
		return func() (string, error) {
			r := <-done
			return r.sum, r.err
		}
	}
	names := slices.Clone(b.files)
	slices.Sort(names)
	sums := make([]string, len(names))
	go func() {
		for i, name := range names {
			if b.sums[name] == nil {
				sums[i] = b.hashOrUnreadable(name)
			}
		}
		done <- result{}
	}()
	return func() (string, error) {
		<-done
		h := sha256.New()
		for i, name := range names {
			sum := sums[i]
			if s := b.sums[name]; s != nil {
				if s.set.Load() {
					sum = hex.EncodeToString(s.v[:])
				} else {
					sum = b.hashOrUnreadable(name)
				}
			}
			fmt.Fprintf(h, "%s\x00%s\n", name, sum)
		}
		return hex.EncodeToString(h.Sum(nil)), nil
	}
}

// hashOrUnreadable hashes a file of a folder. A file that cannot be read
// is already a problem in the inventory; it must not fail the run, so it
// enters the digest as unreadable.
func (b *Bundle) hashOrUnreadable(name string) string {
	sum, err := hashFile(b.root, name)
	if err != nil {
		return "unreadable"
	}
	return sum
}

func hashFile(root *os.Root, name string) (string, error) {
	f, err := openRegular(root, name, name)
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
	f, err := openRegularPath(p)
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
	b.addRootFile(root, name, name, info.Size(), zipUnknown)
	return nil
}

// addRootFile adds a file of a folder (or a single-file bundle), read
// through os.Root. isZip says whether it starts like a zip, if known.
// It is opened as rel through in, its folder's root or root itself.
func (b *Bundle) addRootFile(in *os.Root, rel, name string, size int64, isZip zipProbe) *Entry {
	b.files = append(b.files, name)
	b.inflateBudget += int64(b.lim.InflateRatio * float64(size))
	if !b.admit(name, size, size) {
		return nil
	}
	e := &Entry{Path: name, Size: size, open: func() (io.ReadCloser, error) { return openRegular(in, rel, name) }}
	if size < headSize {
		// Read whole by the analysis, which hashes it for the digest.
		e.sum = &entrySum{}
		if b.sums == nil {
			b.sums = map[string]*entrySum{}
		}
		b.sums[name] = e.sum
	}
	e.zip = isZip
	e.readerAt = func() (io.ReaderAt, func(), error) {
		f, err := openRegular(in, rel, name)
		if err != nil {
			return nil, nil, err
		}
		return f, func() { f.Close() }, nil
	}
	b.addEntry(e, 0)
	return e
}

// keep registers something to close with the bundle. Extractors open
// files from several goroutines, hence the lock.
func (b *Bundle) keep(c io.Closer) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closers = append(b.closers, c)
}

func (b *Bundle) addZipFile(p string, size int64) error {
	f, err := openRegularPath(p)
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
	e := &Entry{Path: name, Size: zf.size}
	if zf.method == zip.Store {
		e.open = zf.open
		e.readerAt = func() (io.ReaderAt, func(), error) {
			return io.NewSectionReader(zf.src, zf.dataOff, zf.size), nil, nil
		}
		return e
	}
	e.open = b.counted(name, zf.open)
	e.readerAt = func() (io.ReaderAt, func(), error) { return b.buffer(e.open, zf.size) }
	return e
}

// buffer decompresses an entry for random access: in memory when it is
// small and the memory budget allows, otherwise into an anonymous temporary
// file (unlinked name, never derived from the bundle) within the
// temporary-disk budget. release gives the memory or the file back.
func (b *Bundle) buffer(open func() (io.ReadCloser, error), size int64) (ra io.ReaderAt, release func(), err error) {
	if size <= b.lim.MemoryBuffer && b.reserve(&b.inMemory, size, b.lim.MaxMemory) {
		defer func() {
			if err != nil {
				b.unreserve(&b.inMemory, size)
			}
		}()
		rc, err := open()
		if err != nil {
			return nil, nil, err
		}
		defer rc.Close()
		buf := make([]byte, size)
		if _, err := io.ReadFull(rc, buf); err != nil {
			return nil, nil, fmt.Errorf("entry holds fewer bytes than the %d it declares: %w", size, err)
		}
		if n, _ := rc.Read(make([]byte, 1)); n > 0 {
			return nil, nil, fmt.Errorf("entry holds more than the %d bytes it declares", size)
		}
		return bytes.NewReader(buf), func() { b.unreserve(&b.inMemory, size) }, nil
	}
	if !b.reserve(&b.spooled, size, b.lim.MaxSpool) {
		return nil, nil, fmt.Errorf("needs %d bytes of temporary disk to be read, over what is left of the bundle's budget of %d bytes", size, b.lim.MaxSpool)
	}
	tmp, err := b.spool(open, size)
	if err != nil {
		b.unreserve(&b.spooled, size)
		return nil, nil, err
	}
	return tmp, func() {
		tmp.Close()
		b.unreserve(&b.spooled, size)
	}, nil
}

func (b *Bundle) spool(open func() (io.ReadCloser, error), size int64) (*os.File, error) {
	rc, err := open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	tmp, err := os.CreateTemp("", "hvtriage-spool-*")
	if err != nil {
		return nil, err
	}
	os.Remove(tmp.Name()) // the open handle keeps the data until Close
	n, err := io.Copy(tmp, io.LimitReader(rc, size+1))
	if err == nil && n != size {
		err = fmt.Errorf("entry holds %d bytes, declared %d", n, size)
	}
	if err != nil {
		tmp.Close()
		return nil, err
	}
	return tmp, nil
}

// reserve takes n from a budget shared by the extractors' goroutines.
func (b *Bundle) reserve(used *int64, n, limit int64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if *used+n > limit {
		return false
	}
	*used += n
	return true
}

func (b *Bundle) unreserve(used *int64, n int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	*used -= n
}

// counted wraps a decompressing reader so that every byte inflated, for
// whichever reader and however often, counts against the bundle's
// inflation budget: a bomb cannot keep the analyzer inflating forever.
func (b *Bundle) counted(name string, open func() (io.ReadCloser, error)) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) {
		rc, err := open()
		if err != nil {
			return nil, err
		}
		return &inflateCounter{ReadCloser: rc, b: b, name: name}, nil
	}
}

type inflateCounter struct {
	io.ReadCloser
	b    *Bundle
	name string
}

func (c *inflateCounter) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	if c.b.inflated.Add(int64(n)) > c.b.inflateBudget {
		return n, fmt.Errorf("%s: the bundle's budget of %d inflated bytes is used up: %w", c.name, c.b.inflateBudget, ErrInflateBudget)
	}
	return n, err
}

// ErrInflateBudget is the error of a read past the bundle's budget of
// decompressed bytes.
var ErrInflateBudget = errors.New("inflation budget exceeded")

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
	b.archived = append(b.archived, e)
	files, damage, err := b.readArchive(ra, e.Size)
	if err != nil {
		b.reject(e.Path, "zip", "unreadable", fmt.Sprintf("damaged zip: %v", err))
		return
	}
	n := b.addZip(files, e.Path+"/", depth+1)
	b.Archives = append(b.Archives, Archive{Path: e.Path, Size: e.Size, Entries: n, Damage: damage})
}

func (b *Bundle) isZip(e *Entry) bool {
	if e.zip != zipUnknown {
		return e.zip == zipYes
	}
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
