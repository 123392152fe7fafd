package evtx

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
)

// Layout constants of the EVTX format.
const (
	fileHeaderBlock  = 4096  // the file header occupies the first 4 KiB
	fileHeaderSize   = 128   // bytes of it that carry fields
	chunkSize        = 65536 // every chunk is 64 KiB
	chunkHeaderSize  = 512   // chunk header, string and template tables
	recordHeaderSize = 24    // signature, size, record id, time
	minRecordSize    = recordHeaderSize + 4
)

var (
	fileMagic   = []byte("ElfFile\x00")
	chunkMagic  = []byte("ElfChnk\x00")
	recordMagic = []byte{0x2a, 0x2a, 0x00, 0x00}
)

// Damage descriptions used in ChunkError.Err.
var (
	ErrChunkSignature  = errors.New("bad chunk signature")
	ErrRecordSignature = errors.New("bad record signature")
	ErrRecordSize      = errors.New("bad record size")
	ErrTruncated       = errors.New("record cut off by the end of the file")
	ErrPanic           = errors.New("internal decoder failure")
)

// Walk decodes every event record of the EVTX file r (size bytes) and calls
// fn for each, in file order. The *Event belongs to fn.
//
// Every 64 KiB slot after the file header that carries a chunk signature is
// decoded, whatever the header's chunk count says; damaged chunks and records
// are skipped and listed in Stats.Skipped. Walk returns an error only when r
// is not an EVTX file (errors.Is(err, ErrFormat)), when ctx is cancelled
// (checked between chunks), or when fn returns one.
func Walk(ctx context.Context, r io.ReaderAt, size int64, fn func(*Event) error) (Stats, error) {
	var st Stats
	if size < int64(len(fileMagic)) {
		return st, &FormatError{Off: 0, Msg: fmt.Sprintf("file of %d bytes is too short", size)}
	}
	var hdr [fileHeaderSize]byte
	n, err := r.ReadAt(hdr[:min(int64(len(hdr)), size)], 0)
	if n < len(fileMagic) {
		return st, fmt.Errorf("evtx: reading file header: %w", err)
	}
	if !bytes.Equal(hdr[:8], fileMagic) {
		return st, &FormatError{Off: 0, Msg: "missing ElfFile signature"}
	}
	if n < fileHeaderSize {
		return st, &FormatError{Off: int64(n), Msg: "file header cut off"}
	}
	// The header's facts come from golang-evtx; the walk below never relies
	// on them (the chunk count in particular is stale in any dirty log).
	if info, err := parseFileHeader(hdr[:]); err != nil {
		st.HeaderDamaged = true
	} else {
		st.MinorVersion = int(info.h.MinVersion)
		st.MajorVersion = int(info.h.MajVersion)
		st.HeaderChunkCount = int(info.h.ChunkCount)
		st.HeaderNextRecordID = info.h.NextRecordID
		st.Dirty = info.dirty()
		st.Full = info.full()
		st.HeaderDamaged = info.damaged()
	}

	w := walker{st: &st, fn: fn, dec: newChunkDecoder(), buf: make([]byte, chunkSize)}
	for off := int64(fileHeaderBlock); off < size; off += chunkSize {
		if err := ctx.Err(); err != nil {
			return st, err
		}
		want := min(int64(chunkSize), size-off)
		buf := w.buf[:want]
		got, err := r.ReadAt(buf, off)
		if got < len(buf) && err != nil && !errors.Is(err, io.EOF) {
			st.skip(off, 0, fmt.Errorf("reading chunk: %w", err))
			continue
		}
		if err := w.chunk(off, buf[:got]); err != nil {
			return st, err
		}
	}
	return st, nil
}

type walker struct {
	// zeroRun counts all-zero slots since the last chunk with data: if a
	// chunk with data follows, they were holes, not preallocated space.
	zeroRun int
	st      *Stats
	fn      func(*Event) error
	dec     *chunkDecoder
	hdr     chunkHeaderReader
	buf     []byte
}

// chunk decodes one 64 KiB slot (shorter if the file is cut). It returns an
// error only when the callback asks to stop.
func (w *walker) chunk(off int64, buf []byte) error {
	st := w.st
	le := binary.LittleEndian
	if len(buf) < len(chunkMagic) || !bytes.Equal(buf[:8], chunkMagic) {
		if allZero(buf) {
			st.EmptySlots++
			w.zeroRun++
			return nil
		}
		// A broken signature alone does not make the records unreadable:
		// when a record starts where the first one should, decode on.
		if len(buf) < chunkHeaderSize+minRecordSize || !bytes.Equal(buf[chunkHeaderSize:chunkHeaderSize+4], recordMagic) {
			st.skip(off, 0, ErrChunkSignature)
			return nil
		}
		st.skip(off, 0, fmt.Errorf("%w (records decoded anyway)", ErrChunkSignature))
	}
	st.ZeroedChunks += w.zeroRun
	w.zeroRun = 0
	if len(buf) < chunkHeaderSize {
		st.skip(off, 0, fmt.Errorf("chunk header cut off after %d bytes", len(buf)))
		return nil
	}
	st.Chunks++

	hi := w.hdr.parse(buf)
	firstID := uint64(hi.h.FirstEventRecID)
	lastID := uint64(hi.h.LastEventRecID)
	free := hi.freeOffset(len(buf))
	// golang-evtx's Validate also fails on a broken signature; the records
	// behind one are still decoded (see above), only the header's offsets
	// and id range are not trusted.
	headerOK := hi.verified()
	dataOK := crc32.ChecksumIEEE(buf[chunkHeaderSize:free]) == hi.h.CheckSum
	if !hi.headerCRCOK || !dataOK {
		st.ChecksumErrors++
	}
	if hi.headerCRCOK && !headerOK {
		// The checksum matches but golang-evtx rejects a field (header
		// size, last record offset): a header written wrongly, not
		// damaged later. Treat it as unverified all the same.
		st.BadChunkHeaders++
	}
	// Windows does not wipe a chunk it reuses: past the free-space offset
	// lie records of an older generation. With a verified header, the
	// free-space offset is the end of the live records. Without one, walk
	// the whole chunk and stop at the first record id that goes backwards.
	limit := len(buf)
	if headerOK {
		limit = free
	}
	// expected estimates how many records a damaged stretch held, from the
	// chunk header's record id range when it is plausible.
	expected := func(from uint64) int {
		if lastID >= from && lastID-from < chunkSize/minRecordSize && firstID <= from+1 {
			return int(lastID - from)
		}
		return 0
	}

	w.dec.setChunk(buf)
	pos := chunkHeaderSize
	var prevID uint64 // 0 when the header gives no first id (zeroed header)
	if firstID > 0 {
		prevID = firstID - 1
	}
	// After damage, a record found by scanning must continue the chunk's
	// id sequence; with a verified header it must also lie in the header's
	// id range. Anything else is debris of an older chunk generation.
	plausible := func(id uint64) bool {
		if id <= prevID {
			return false
		}
		return !headerOK || id <= lastID
	}
	for pos+recordHeaderSize <= limit {
		if !bytes.Equal(buf[pos:pos+4], recordMagic) {
			if pos >= free || allZero(buf[pos:min(pos+recordHeaderSize*2, len(buf))]) {
				return nil // end of the written part of the chunk
			}
			next, nextID := resync(buf, pos+1, plausible)
			st.skip(off+int64(pos), gap(prevID, nextID, next, expected), ErrRecordSignature)
			if next < 0 {
				return nil
			}
			pos = next
			continue
		}
		size := int(le.Uint32(buf[pos+4:]))
		if size < minRecordSize || size > chunkSize-chunkHeaderSize {
			next, nextID := resync(buf, pos+1, plausible)
			st.skip(off+int64(pos), gap(prevID, nextID, next, expected), fmt.Errorf("%w %d", ErrRecordSize, size))
			if next < 0 {
				return nil
			}
			pos = next
			continue
		}
		if pos+size > len(buf) {
			if len(buf) < chunkSize {
				st.skip(off+int64(pos), max(1, expected(prevID)), ErrTruncated)
				return nil
			}
			next, nextID := resync(buf, pos+1, plausible)
			st.skip(off+int64(pos), gap(prevID, nextID, next, expected), fmt.Errorf("%w %d overruns the chunk", ErrRecordSize, size))
			if next < 0 {
				return nil
			}
			pos = next
			continue
		}
		id := le.Uint64(buf[pos+8:])
		copyOK := int(le.Uint32(buf[pos+size-4:])) == size
		if !copyOK && (pos >= free || !plausible(id)) {
			next, nextID := resync(buf, pos+1, plausible)
			st.skip(off+int64(pos), gap(prevID, nextID, next, expected), fmt.Errorf("%w %d: trailing copy differs", ErrRecordSize, size))
			if next < 0 {
				return nil
			}
			pos = next
			continue
		}
		if !headerOK && pos >= free && id <= prevID {
			return nil // stale tail of a reused chunk
		}
		// A record whose trailing size copy is wrong (an interrupted write)
		// is still decoded when it lies in the live area: its BinXML is
		// self-delimiting and the decoder checks every bound.
		ev := &Event{
			RecordID: id,
			Offset:   off + int64(pos),
			Time:     filetime(le.Uint64(buf[pos+16:])),
		}
		if err := w.decode(ev, pos+recordHeaderSize, pos+size-4); err != nil {
			if !copyOK {
				next, nextID := resync(buf, pos+1, plausible)
				st.skip(ev.Offset, max(1, gap(prevID, nextID, next, expected)), fmt.Errorf("%w %d: trailing copy differs: %v", ErrRecordSize, size, err))
				if next < 0 {
					return nil
				}
				pos = next
				continue
			}
			st.skip(ev.Offset, 1, err)
		} else {
			st.Records++
			if err := w.fn(ev); err != nil {
				return err
			}
		}
		prevID = id
		pos += size
	}
	return nil
}

// decode runs the BinXML decoder under recover: the decoder checks every
// bound itself, so a panic here is a bug, but a bug must cost one record,
// not the whole analysis.
func (w *walker) decode(ev *Event, start, end int) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v", ErrPanic, r)
		}
	}()
	return w.dec.record(ev, start, end)
}

// resync looks for the next plausible record (signature, sane size, matching
// trailing size copy) at or after pos. It returns -1 when there is none.
func resync(buf []byte, pos int, ok func(uint64) bool) (int, uint64) {
	le := binary.LittleEndian
	for pos+minRecordSize <= len(buf) {
		i := bytes.Index(buf[pos:], recordMagic)
		if i < 0 {
			return -1, 0
		}
		p := pos + i
		if p+minRecordSize > len(buf) {
			return -1, 0
		}
		size := int(le.Uint32(buf[p+4:]))
		if size >= minRecordSize && p+size <= len(buf) && int(le.Uint32(buf[p+size-4:])) == size {
			if id := le.Uint64(buf[p+8:]); ok(id) {
				return p, id
			}
		}
		pos = p + 1
	}
	return -1, 0
}

// gap estimates the records lost between the last good record and the next
// one found (or the end of the chunk when next < 0).
func gap(prevID, nextID uint64, next int, expected func(uint64) int) int {
	if next < 0 {
		return expected(prevID)
	}
	if nextID > prevID+1 && nextID-prevID-1 < chunkSize/minRecordSize {
		return int(nextID - prevID - 1)
	}
	return 0
}
