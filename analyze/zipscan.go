package analyze

import (
	"bufio"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
)

// Salvage of damaged zips. A bundle cut short by an interrupted upload has
// lost its central directory, but every entry before the cut is intact
// behind its local file header. When the end record or the directory is
// missing or lies, the local headers are walked from the start instead.

const (
	sigLocal      = 0x04034b50
	sigCentral    = 0x02014b50
	sigEnd        = 0x06054b50
	sigEnd64      = 0x06064b50
	sigDescriptor = 0x08074b50

	flagDescriptor = 0x8
)

// localEntry is an entry found by its local file header.
type localEntry struct {
	name       string
	flags      uint16
	method     uint16
	crc        uint32
	compressed int64
	size       int64
	dataOff    int64
}

// scanLocalHeaders walks the local file headers of a zip from offset 0. It
// returns the intact entries (at most maxEntries) and, when the walk did not
// end cleanly at a central directory, why it stopped.
func scanLocalHeaders(ra io.ReaderAt, size int64, maxEntries int, maxSize int64) (entries []localEntry, stopped error) {
	var off int64
	for {
		var h [30]byte
		if _, err := ra.ReadAt(h[:], off); err != nil {
			if off == size {
				return entries, errors.New("the archive ends after its last entry, without a central directory")
			}
			return entries, fmt.Errorf("cut short at offset %d", off)
		}
		switch binary.LittleEndian.Uint32(h[:]) {
		case sigLocal:
		case sigCentral, sigEnd, sigEnd64:
			return entries, nil
		default:
			return entries, fmt.Errorf("unrecognized data at offset %d", off)
		}
		if len(entries) >= maxEntries {
			return entries, fmt.Errorf("more than %d entries; the rest were not read", maxEntries)
		}
		e := localEntry{
			flags:      binary.LittleEndian.Uint16(h[6:]),
			method:     binary.LittleEndian.Uint16(h[8:]),
			crc:        binary.LittleEndian.Uint32(h[14:]),
			compressed: int64(binary.LittleEndian.Uint32(h[18:])),
			size:       int64(binary.LittleEndian.Uint32(h[22:])),
		}
		nameLen, extraLen := int64(binary.LittleEndian.Uint16(h[26:])), int64(binary.LittleEndian.Uint16(h[28:]))
		ne := make([]byte, nameLen+extraLen)
		if _, err := ra.ReadAt(ne, off+30); err != nil {
			return entries, fmt.Errorf("entry header at offset %d cut short", off)
		}
		e.name = string(ne[:nameLen])
		e.dataOff = off + 30 + nameLen + extraLen
		if e.size == 0xFFFFFFFF || e.compressed == 0xFFFFFFFF {
			e.size, e.compressed = zip64Sizes(ne[nameLen:], e.size, e.compressed)
		}
		next, err := e.findEnd(ra, size, maxSize)
		if err != nil {
			return entries, fmt.Errorf("entry %q (offset %d): %w", e.name, off, err)
		}
		entries = append(entries, e)
		off = next
	}
}

// zip64Sizes reads the sizes from a local header's zip64 extra field.
func zip64Sizes(extra []byte, size, compressed int64) (int64, int64) {
	for len(extra) >= 4 {
		id, n := binary.LittleEndian.Uint16(extra), int(binary.LittleEndian.Uint16(extra[2:]))
		extra = extra[4:]
		if n > len(extra) {
			break
		}
		if id == 0x0001 && n >= 16 {
			return int64(binary.LittleEndian.Uint64(extra) & (1<<62 - 1)), int64(binary.LittleEndian.Uint64(extra[8:]) & (1<<62 - 1))
		}
		extra = extra[n:]
	}
	return size, compressed
}

// findEnd settles the entry's compressed size, size and CRC, and returns
// where the next header starts. With a data descriptor the header's sizes
// are zero: a deflated entry is inflated to find its end, a stored one is
// ended by the descriptor whose size matches.
func (e *localEntry) findEnd(ra io.ReaderAt, size, maxSize int64) (int64, error) {
	if e.flags&flagDescriptor == 0 {
		end := e.dataOff + e.compressed
		if end > size || e.compressed < 0 {
			return 0, fmt.Errorf("its data is cut short (%d of %d bytes present)", max(0, size-e.dataOff), e.compressed)
		}
		return end, nil
	}
	switch e.method {
	case 8:
		cr := &countingReader{r: bufio.NewReader(io.NewSectionReader(ra, e.dataOff, size-e.dataOff))}
		h := crc32.NewIEEE()
		n, err := io.Copy(h, io.LimitReader(flate.NewReader(cr), maxSize+1))
		if err != nil {
			return 0, fmt.Errorf("its data is cut short or damaged: %v", err)
		}
		if n > maxSize {
			return 0, fmt.Errorf("inflates to more than the %d bytes the limits leave", maxSize)
		}
		e.compressed, e.size, e.crc = cr.n, n, h.Sum32()
		return skipDescriptor(ra, size, e.dataOff+cr.n), nil
	case 0:
		return e.findStoredEnd(ra, size)
	}
	return 0, fmt.Errorf("compression method %d with a data descriptor cannot be delimited", e.method)
}

// findStoredEnd looks for the data descriptor of a stored entry: its
// signature followed by a compressed size equal to the distance walked.
func (e *localEntry) findStoredEnd(ra io.ReaderAt, size int64) (int64, error) {
	const window = 1 << 16
	sig := []byte("PK\x07\x08")
	buf := make([]byte, window+24)
	for pos := e.dataOff; pos < size; pos += window {
		n, _ := ra.ReadAt(buf, pos)
		for i := 0; ; {
			j := bytes.Index(buf[i:n], sig)
			if j < 0 {
				break
			}
			at := i + j
			if at+16 <= n && int64(binary.LittleEndian.Uint32(buf[at+8:])) == pos+int64(at)-e.dataOff {
				e.crc = binary.LittleEndian.Uint32(buf[at+4:])
				e.compressed = pos + int64(at) - e.dataOff
				e.size = e.compressed
				return skipDescriptor(ra, size, pos+int64(at)), nil
			}
			i = at + 1
		}
	}
	return 0, errors.New("its data is cut short (no data descriptor found)")
}

// skipDescriptor returns where the header after a data descriptor at off
// starts: the descriptor is 12 or 20 bytes (zip64), after an optional
// signature.
func skipDescriptor(ra io.ReaderAt, size, off int64) int64 {
	var sig [4]byte
	if _, err := ra.ReadAt(sig[:], off); err == nil && binary.LittleEndian.Uint32(sig[:]) == sigDescriptor {
		off += 4
	}
	for _, n := range []int64{12, 20} {
		if _, err := ra.ReadAt(sig[:], off+n); err == nil && sig[0] == 'P' && sig[1] == 'K' {
			return off + n
		}
	}
	return min(off+12, size)
}

type countingReader struct {
	r *bufio.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func (c *countingReader) ReadByte() (byte, error) {
	b, err := c.r.ReadByte()
	if err == nil {
		c.n++
	}
	return b, err
}

// open streams the entry's content, bounded by its size and checked
// against its CRC-32 at the end.
func (e *localEntry) open(ra io.ReaderAt) (io.ReadCloser, error) {
	var r io.Reader = io.NewSectionReader(ra, e.dataOff, e.compressed)
	var closer io.Closer = io.NopCloser(nil)
	if e.method == 8 {
		fr := flate.NewReader(r)
		r, closer = fr, fr
	}
	return &crcReader{r: r, c: closer, left: e.size, want: e.crc, h: crc32.NewIEEE()}, nil
}

// crcReader fails when the content is longer or shorter than declared or
// its CRC-32 differs, as archive/zip's reader does.
type crcReader struct {
	r    io.Reader
	c    io.Closer
	left int64
	want uint32
	h    hash.Hash32
	err  error
}

func (c *crcReader) Read(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.r.Read(p)
	if int64(n) > c.left {
		c.err = errors.New("entry holds more bytes than declared")
		return 0, c.err
	}
	c.left -= int64(n)
	c.h.Write(p[:n])
	switch {
	case err == io.EOF && c.left > 0:
		err = io.ErrUnexpectedEOF
	case err == io.EOF && c.h.Sum32() != c.want:
		err = fmt.Errorf("checksum mismatch: %w", errChecksum)
	case err == nil && c.left == 0:
		// Stored data ends exactly here; deflate may still owe its end
		// marker, which the next Read returns.
	}
	if err != nil {
		c.err = err
	}
	return n, err
}

func (c *crcReader) Close() error { return c.c.Close() }

var errChecksum = errors.New("zip: checksum error")
