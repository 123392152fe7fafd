package vhdx

import (
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"strings"
	"unicode/utf16"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// errBeyondEOF marks a read that needs bytes past the collected size. It wraps
// io.ErrUnexpectedEOF, the standard library's word for a truncated structure.
var errBeyondEOF = fmt.Errorf("beyond end of file: %w", io.ErrUnexpectedEOF)

// readAt reads exactly n bytes at off. n is always a constant or a value the
// caller has already bounded by a spec maximum, so the allocation is safe.
// Reads that need bytes beyond size fail with errBeyondEOF without touching r;
// an io.EOF from r inside size (a lying size) is reported the same way.
func readAt(r io.ReaderAt, size, off int64, n int) ([]byte, error) {
	if off < 0 || n < 0 || off > size || int64(n) > size-off {
		return nil, errBeyondEOF
	}
	b := make([]byte, n)
	got, err := r.ReadAt(b, off)
	if got == n {
		return b, nil
	}
	if err == nil || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, errBeyondEOF
	}
	return nil, fmt.Errorf("vhdx: reading %d bytes at 0x%x: %w", n, off, err)
}

// isTruncation reports whether err only says the data was not collected.
func isTruncation(err error) bool { return errors.Is(err, io.ErrUnexpectedEOF) }

// crc32cZeroed computes CRC-32C over b with the 4-byte checksum field at
// b[4:8] treated as zero, which is how every VHDX checksum is defined.
func crc32cZeroed(b []byte) uint32 {
	var zero [4]byte
	c := crc32.Update(0, castagnoli, b[:4])
	c = crc32.Update(c, castagnoli, zero[:])
	return crc32.Update(c, castagnoli, b[8:])
}

// decodeUTF16LE decodes little-endian UTF-16 and stops at the first NUL.
func decodeUTF16LE(b []byte) string {
	u := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		c := uint16(b[i]) | uint16(b[i+1])<<8
		if c == 0 {
			break
		}
		u = append(u, c)
	}
	return string(utf16.Decode(u))
}

// decodeUTF16BE decodes big-endian UTF-16 and stops at the first NUL.
func decodeUTF16BE(b []byte) string {
	u := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		c := uint16(b[i])<<8 | uint16(b[i+1])
		if c == 0 {
			break
		}
		u = append(u, c)
	}
	return string(utf16.Decode(u))
}

// decodeASCII keeps printable bytes up to the first NUL; used for the
// 4-byte creator and platform codes of VHD files.
func decodeASCII(b []byte) string {
	var sb strings.Builder
	for _, c := range b {
		if c == 0 {
			break
		}
		if c < 0x20 || c > 0x7e {
			sb.WriteByte('?')
			continue
		}
		sb.WriteByte(c)
	}
	return sb.String()
}
