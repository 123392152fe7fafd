//go:build linux

package analyze

import (
	"bytes"
	"io/fs"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"unsafe"
)

// dirFD gives the descriptor of the folder r stands for, from a file of
// it opened through r (so still inside the bundle), and that file, which
// must stay open while the descriptor is used.
func dirFD(r *os.Root) (*os.File, int, bool) {
	f, err := r.Open(".")
	if err != nil {
		return nil, -1, false
	}
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, -1, false
	}
	fd := -1
	if err := rc.Control(func(d uintptr) { fd = int(d) }); err != nil || fd < 0 {
		f.Close()
		return nil, -1, false
	}
	return f, fd, true
}

// readDirFD lists a folder from its descriptor with the types getdents
// gives, sorted by name as os.Root's ReadDir sorts them. os.Root's
// ReadDir also lstats every entry (a file opened in a root cannot load
// its FileInfo lazily); the walk only needs the type. ok is false when
// the folder could not be read this way or the file system gave some
// entry no type: the caller then lists it as before.
func readDirFD(fd int, dir string, in *os.Root) (entries []fs.DirEntry, ok bool) {
	buf := make([]byte, 16<<10)
	for {
		n, err := syscall.Getdents(fd, buf)
		if err == syscall.EINTR {
			continue
		}
		if err != nil || n < 0 {
			return nil, false
		}
		if n == 0 {
			break
		}
		for rec := buf[:n]; len(rec) > 0; {
			// struct linux_dirent64: ino u64, off s64, reclen u16, type u8, name.
			if len(rec) < 19 {
				return nil, false
			}
			reclen := int(*(*uint16)(unsafe.Pointer(&rec[16])))
			if reclen < 19 || reclen > len(rec) {
				return nil, false
			}
			typ, name := rec[18], rec[19:reclen]
			rec = rec[reclen:]
			if i := bytes.IndexByte(name, 0); i >= 0 {
				name = name[:i]
			}
			if string(name) == "." || string(name) == ".." {
				continue
			}
			mode, known := direntMode(typ)
			if !known {
				return nil, false
			}
			entries = append(entries, &fdDirent{name: string(name), typ: mode, in: in, path: joinRel(dir, string(name))})
		}
	}
	slices.SortFunc(entries, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return entries, true
}

// direntMode is the type a dirent's d_type says, as os reports it.
func direntMode(typ uint8) (fs.FileMode, bool) {
	switch typ {
	case syscall.DT_REG:
		return 0, true
	case syscall.DT_DIR:
		return fs.ModeDir, true
	case syscall.DT_LNK:
		return fs.ModeSymlink, true
	case syscall.DT_FIFO:
		return fs.ModeNamedPipe, true
	case syscall.DT_SOCK:
		return fs.ModeSocket, true
	case syscall.DT_CHR:
		return fs.ModeDevice | fs.ModeCharDevice, true
	case syscall.DT_BLK:
		return fs.ModeDevice, true
	}
	return 0, false
}

// probeFD is probe for a file of a folder held open as dirfd: the same
// open, fstat, read and close, as system calls. Going through os.File
// costs a failed epoll registration per file and the File's own upkeep;
// the name is one entry of the folder, opened without following a link,
// so it cannot lead outside the bundle.
func (f *listedFile) probeFD(dirfd int, preread *atomic.Int64) {
	fd, err := openat(dirfd, f.rel)
	if err != nil {
		return
	}
	defer syscall.Close(fd)
	var st syscall.Stat_t
	for {
		err = syscall.Fstat(fd, &st)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return
	}
	f.probed, f.size, f.mode = true, st.Size, statMode(st.Mode)
	regular := f.mode.IsRegular()
	if regular && f.size < headSize && preread.Add(f.size) <= maxPreread {
		// What readHead reads: up to the size, less if the file shrank.
		buf := make([]byte, f.size)
		n, err := readFull(fd, buf)
		if err == nil {
			f.content, f.hasContent = buf[:n], true
			f.isZip = n >= 22 && bytes.Equal(buf[:4], zipMagic)
		}
		return
	}
	if regular && f.size >= 22 {
		var head [4]byte
		n, err := readFull(fd, head[:])
		f.isZip = err == nil && n == len(head) && bytes.Equal(head[:], zipMagic)
	}
}

// openat opens name in dirfd for reading, without following a link and
// without waiting on a named pipe.
func openat(dirfd int, name string) (int, error) {
	for {
		fd, err := syscall.Openat(dirfd, name, syscall.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOFOLLOW|syscall.O_CLOEXEC, 0)
		if err != syscall.EINTR {
			return fd, err
		}
	}
}

// readFull reads until buf is full or the file ends; n < len(buf) with a
// nil error means the file ended first (io.ReadFull's ErrUnexpectedEOF
// and EOF, both taken by probe).
func readFull(fd int, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := syscall.Read(fd, buf[n:])
		switch {
		case err == syscall.EINTR:
			continue
		case err != nil:
			return n, err
		case m <= 0:
			return n, nil
		}
		n += m
	}
	return n, nil
}

// statMode is the os.FileMode of a stat's st_mode, as os computes it.
func statMode(m uint32) fs.FileMode {
	mode := fs.FileMode(m & 0o777)
	switch m & syscall.S_IFMT {
	case syscall.S_IFBLK:
		mode |= fs.ModeDevice
	case syscall.S_IFCHR:
		mode |= fs.ModeDevice | fs.ModeCharDevice
	case syscall.S_IFDIR:
		mode |= fs.ModeDir
	case syscall.S_IFIFO:
		mode |= fs.ModeNamedPipe
	case syscall.S_IFLNK:
		mode |= fs.ModeSymlink
	case syscall.S_IFSOCK:
		mode |= fs.ModeSocket
	}
	if m&syscall.S_ISGID != 0 {
		mode |= fs.ModeSetgid
	}
	if m&syscall.S_ISUID != 0 {
		mode |= fs.ModeSetuid
	}
	if m&syscall.S_ISVTX != 0 {
		mode |= fs.ModeSticky
	}
	return mode
}
