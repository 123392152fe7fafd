package evtx

import (
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"sync"

	golib "github.com/0xrawsec/golang-evtx/evtx"
	liblog "github.com/0xrawsec/golang-utils/log"
)

// This file is the only place that calls github.com/0xrawsec/golang-evtx.
// Only synchronous, header-level calls are allowed here (New, FileHeader.Verify,
// Chunk.ParseChunkHeader, ChunkHeader.Validate): the library's channel APIs
// (Events, FastEvents, Chunks, …) panic inside goroutines, which no recover of
// ours can catch. TestLibraryCallsAreSynchronous enforces the list.

// quietLibrary lowers the library's global logger to "critical only". None of
// the calls we make log anything today; this keeps it that way if a future
// version starts to, since the library logs to the process-wide log package.
var quietLibrary = sync.OnceFunc(func() { liblog.SetLogLevel(liblog.LCritical) })

// fileHeaderInfo is the file header as golang-evtx decodes it, plus the checks
// the library does not do.
type fileHeaderInfo struct {
	h         golib.FileHeader
	verifyErr error // FileHeader.Verify's verdict
	// crcOK: the CRC32 of bytes 0-119 matches the stored checksum. The
	// library reads the checksum field but never checks it.
	crcOK bool
}

// parseFileHeader decodes the 128 bytes of the file header with golang-evtx.
// evtx.New panics on input shorter than the header, and any library panic is
// turned into an error here.
func parseFileHeader(hdr []byte) (info fileHeaderInfo, err error) {
	if len(hdr) < fileHeaderSize {
		return info, fmt.Errorf("file header of %d bytes, need %d", len(hdr), fileHeaderSize)
	}
	quietLibrary()
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: golang-evtx file header: %v", ErrPanic, r)
		}
	}()
	f, err := golib.New(bytes.NewReader(hdr[:fileHeaderSize]))
	if err != nil {
		return info, fmt.Errorf("golang-evtx file header: %w", err)
	}
	info.h = f.Header
	info.verifyErr = info.h.Verify()
	info.crcOK = crc32.ChecksumIEEE(hdr[:120]) == info.h.CheckSum
	return info, nil
}

// dirty and full read the flags as the bit set the format defines. The
// library's Verify reports a dirty file only when the flags equal exactly 1,
// so a log that is both dirty and full (3) passes it: trust the bits.
func (i *fileHeaderInfo) dirty() bool {
	return i.h.Flags&1 != 0 || errors.Is(i.verifyErr, golib.ErrDirtyFile)
}

func (i *fileHeaderInfo) full() bool { return i.h.Flags&2 != 0 }

// damaged reports a file header whose facts should not be believed: a bad
// checksum, or fixed fields with values no Windows version writes (header
// size 128, header block size 4096, major version 3). Walk never depends on
// them; this only tells the reader of Stats.
func (i *fileHeaderInfo) damaged() bool {
	return !i.crcOK || i.h.HeaderSpace != fileHeaderSize ||
		i.h.ChunkDataOffset != fileHeaderBlock || i.h.MajVersion != 3
}

// chunkHeaderInfo is one chunk header as golang-evtx decodes it, plus our
// CRC checks.
type chunkHeaderInfo struct {
	h           golib.ChunkHeader
	validateErr error // ChunkHeader.Validate's verdict
	parsed      bool  // false when the library failed (the fields are zero)
	headerCRCOK bool  // CRC32 of bytes 0-119 and 128-511 matches bytes 124-127
}

// chunkHeaderReader decodes chunk headers with golang-evtx, reusing its
// reader and Chunk between chunks so the walk does not allocate per chunk
// for it.
type chunkHeaderReader struct {
	rd bytes.Reader
	c  golib.Chunk
}

// parse decodes the first 512 bytes of buf (the caller checks the length).
// A library panic leaves parsed false; the caller then treats the header as
// unverified, which costs nothing but the free-space shortcut.
func (r *chunkHeaderReader) parse(buf []byte) (info chunkHeaderInfo) {
	quietLibrary()
	info.headerCRCOK = chunkHeaderCRC(buf) == leUint32(buf[124:])
	func() {
		defer func() {
			if recover() != nil {
				info.parsed = false
			}
		}()
		r.rd.Reset(buf[:chunkHeaderSize])
		r.c.Header = golib.ChunkHeader{}
		r.c.ParseChunkHeader(&r.rd)
		info.h = r.c.Header
		info.validateErr = info.h.Validate()
		info.parsed = true
	}()
	return info
}

// verified says whether the header can be believed: our checksum matches and
// the library's field checks (signature, header size 128, last record offset
// inside the chunk) pass.
func (i *chunkHeaderInfo) verified() bool {
	return i.parsed && i.headerCRCOK && i.validateErr == nil
}

// freeOffset is the end of the written records, clamped to the bytes we have.
// The library does not check it; a value outside the records area means it
// cannot be used.
func (i *chunkHeaderInfo) freeOffset(n int) int {
	free := int64(i.h.Freespace)
	if free < chunkHeaderSize || free > int64(n) {
		return n
	}
	return int(free)
}

func chunkHeaderCRC(buf []byte) uint32 {
	h := crc32.NewIEEE()
	h.Write(buf[:120])
	h.Write(buf[128:chunkHeaderSize])
	return h.Sum32()
}

func leUint32(b []byte) uint32 {
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}
