package evtx

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"slices"
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
	ErrZeroed          = errors.New("zeroed bytes inside the chunk's records")
	ErrDuplicate       = errors.New("already read from another chunk")
	ErrNotFound        = errors.New("records the chunk header declares were not found")
	ErrMissing         = errors.New("record ids between the chunks read that no chunk holds")
	ErrMissingTail     = errors.New("records the file header promises are missing")
)

// Walk decodes every event record of the EVTX file r (size bytes) and calls
// fn for each, in file order. The *Event belongs to fn.
//
// Every 64 KiB slot after the file header that carries a chunk signature is
// decoded, whatever the header's chunk count says; damaged chunks and records
// are skipped and listed in Stats.Skipped, with the number and ids of the
// records lost when the chunk headers tell them. Within a chunk whose header
// checks out, the walk resynchronises after a hole on any declared record
// not yet delivered; a record id already delivered (a chunk copied into a
// second slot) is not delivered again. After the last chunk, ids lost with
// whole slots and ids the file header promises past the last one read are
// added to Skipped. A file whose own signature is damaged is still read
// when its first slot holds a chunk (Stats.BadFileSignature).
//
// Walk returns an error only when r is not an EVTX file (errors.Is(err,
// ErrFormat)), when ctx is cancelled (checked between chunks), or when fn
// returns one.
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
		// A damaged file signature does not lose the chunks behind it:
		// when the first slot holds a chunk, read the file as a damaged log.
		if !HasChunkAt(r, size) {
			return st, &FormatError{Off: 0, Msg: "missing ElfFile signature"}
		}
		st.BadFileSignature = true
	}
	if n < fileHeaderSize {
		return st, &FormatError{Off: int64(n), Msg: "file header cut off"}
	}
	// The header's facts come from golang-evtx; the walk below never relies
	// on them (the chunk count in particular is stale in any dirty log).
	if st.BadFileSignature {
		st.HeaderDamaged = true
	} else if info, err := parseFileHeader(hdr[:]); err != nil {
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
			w.slots = append(w.slots, slot{off: off, lost: true})
			continue
		}
		if err := w.chunk(off, buf[:got]); err != nil {
			return st, err
		}
	}
	w.missing(size)
	return st, nil
}

// Detect reports whether head, the first bytes of a file, is an EVTX event
// log: it starts with the file signature, or, when that signature is
// damaged (one flipped bit is enough), the first chunk's signature sits
// right after the 4 KiB file header block; Walk then reads the log from its
// chunks, which carry their own signatures. It is cheap: two compares.
func Detect(head []byte) bool {
	if bytes.HasPrefix(head, fileMagic) {
		return true
	}
	return len(head) >= fileHeaderBlock+len(chunkMagic) && bytes.Equal(head[fileHeaderBlock:fileHeaderBlock+len(chunkMagic)], chunkMagic)
}

// HasChunkAt tells whether the first chunk slot of r (after the 4 KiB file
// header) starts with the chunk signature: a file that does is an event log
// even when its own signature is damaged.
func HasChunkAt(r io.ReaderAt, size int64) bool {
	if size < fileHeaderBlock+chunkHeaderSize {
		return false
	}
	var b [8]byte
	n, _ := r.ReadAt(b[:], fileHeaderBlock)
	return n == len(b) && bytes.Equal(b[:], chunkMagic)
}

// DeclaredRecords adds up the record id ranges the chunk headers of the
// EVTX file r declare, reading only the headers: a cheap count for a log
// that is not decoded. Chunks whose header fails its checksum are left out;
// ok is false when no chunk header could be used.
func DeclaredRecords(r io.ReaderAt, size int64) (n int, ok bool) {
	var h chunkHeaderReader
	buf := make([]byte, chunkHeaderSize)
	for off := int64(fileHeaderBlock); off+chunkHeaderSize <= size; off += chunkSize {
		if got, _ := r.ReadAt(buf, off); got < len(buf) || !bytes.Equal(buf[:8], chunkMagic) {
			continue
		}
		hi := h.parse(buf)
		first, last := uint64(hi.h.FirstEventRecID), uint64(hi.h.LastEventRecID)
		if !hi.headerCRCOK || first == 0 || last == ^uint64(0) || last < first || last-first >= chunkSize/minRecordSize {
			continue
		}
		n += int(last - first + 1)
		ok = true
	}
	return n, ok
}

// missing accounts for records no chunk holds: ids between the chunks read
// that neither a chunk nor a damage entry covers (a chunk lost to a hole or
// overwritten by a copy of another), and ids the file header promises past
// the last one read (a log that ends early). A stale header (dirty log)
// only ever lags behind the chunks, so a promise beyond them is a loss in a
// dirty log too; a damaged header promises nothing.
func (w *walker) missing(size int64) {
	st := w.st
	known := idSet{r: append([]idRange(nil), w.delivered.r...)}
	for _, s := range st.Skipped {
		if s.FirstID > 0 && s.LastID >= s.FirstID && s.Records > 0 {
			known.addRange(s.FirstID, s.LastID)
		}
	}
	// Between two chunks with lost slots in between, the ids that neither
	// chunk nor any damage entry covers were held by the lost slots. Gaps
	// without lost slots between them are not damage: a log copied from a
	// snapshot, or rewritten in place, holds chunks of different ages.
	// A circular log wraps: the slots after the last chunk read and before
	// the first one lie between them in id order too.
	var extra []ChunkError
	var seen []int
	for i, sl := range w.slots {
		if sl.seen {
			seen = append(seen, i)
		}
	}
	for k := range seen {
		i, j := seen[k], seen[(k+1)%len(seen)]
		var between []slot
		if j > i {
			between = w.slots[i+1 : j]
		} else {
			between = append(append([]slot(nil), w.slots[i+1:]...), w.slots[:j]...)
		}
		lost := 0
		for _, sl := range between {
			if sl.lost {
				lost++
			}
		}
		p, n := w.slots[i], w.slots[j]
		if lost == 0 || n.lo <= p.hi+1 || n.lo-p.hi-1 > uint64(lost)*(chunkSize/minRecordSize) {
			continue
		}
		for id := p.hi + 1; id < n.lo; {
			if known.has(id) {
				id++
				continue
			}
			lo := id
			for id < n.lo && !known.has(id) {
				id++
			}
			extra = append(extra, ChunkError{Offset: between[0].off, Records: int(id - lo), FirstID: lo, LastID: id - 1, Err: ErrMissing})
		}
	}
	if top, ok := known.max(); ok && top < 1<<62 && !st.HeaderDamaged && st.HeaderNextRecordID > top+1 && st.HeaderNextRecordID-top-1 < 1<<32 {
		extra = append(extra, ChunkError{Offset: size, Records: int(st.HeaderNextRecordID - top - 1),
			FirstID: top + 1, LastID: st.HeaderNextRecordID - 1, Err: ErrMissingTail})
	}
	// Chunks the header counts beyond the end of the file: a cut copy. In
	// a log that has wrapped they held the oldest records, whose ids no
	// surviving structure tells, so their number is unknown.
	if slots := int((size - fileHeaderBlock + chunkSize - 1) / chunkSize); !st.HeaderDamaged && st.HeaderChunkCount > max(slots, 0) {
		st.MissingChunks = st.HeaderChunkCount - max(slots, 0)
		extra = append(extra, ChunkError{Offset: size, Err: fmt.Errorf("%w: %d chunk(s) the file header counts lie past the end of the file", ErrMissingTail, st.MissingChunks)})
	}
	if len(extra) == 0 {
		return
	}
	st.Skipped = append(st.Skipped, extra...)
	slices.SortStableFunc(st.Skipped, func(a, b ChunkError) int { return cmp.Compare(a.Offset, b.Offset) })
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
	// delivered holds the ids of the records delivered so far: a record
	// seen again (a chunk copied into a second slot) is delivered once.
	delivered idSet
	dupRun    int
	// slots describes every 64 KiB slot in file order: the gaps between
	// chunks are judged from it.
	slots []slot
}

// slot is what one 64 KiB slot gave: the id range delivered from it, or
// whether it was lost (zeroed, unreadable, or a copy of another chunk).
type slot struct {
	off    int64
	lo, hi uint64
	seen   bool // records were delivered from it
	lost   bool
}

// chunk decodes one 64 KiB slot (shorter if the file is cut). It returns an
// error only when the callback asks to stop.
func (w *walker) chunk(off int64, buf []byte) error {
	st := w.st
	if len(buf) < len(chunkMagic) || !bytes.Equal(buf[:8], chunkMagic) {
		if allZero(buf) {
			st.EmptySlots++
			w.zeroRun++
			w.slots = append(w.slots, slot{off: off, lost: true})
			return nil
		}
		// A broken signature alone does not make the records unreadable:
		// when a record starts where the first one should, decode on.
		if len(buf) < chunkHeaderSize+minRecordSize || !bytes.Equal(buf[chunkHeaderSize:chunkHeaderSize+4], recordMagic) {
			st.skip(off, 0, ErrChunkSignature)
			w.slots = append(w.slots, slot{off: off, lost: true})
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
	c := chunkWalk{w: w, off: off, buf: buf, start: len(st.Skipped)}
	c.firstID = uint64(hi.h.FirstEventRecID)
	c.lastID = uint64(hi.h.LastEventRecID)
	c.free = hi.freeOffset(len(buf))
	// golang-evtx's Validate also fails on a broken signature; the records
	// behind one are still decoded (see above), only the header's offsets
	// and id range are not trusted.
	c.headerOK = hi.verified()
	dataOK := crc32.ChecksumIEEE(buf[chunkHeaderSize:c.free]) == hi.h.CheckSum
	if !hi.headerCRCOK || !dataOK {
		st.ChecksumErrors++
	}
	if hi.headerCRCOK && !c.headerOK {
		// The checksum matches but golang-evtx rejects a field (header
		// size, last record offset): a header written wrongly, not
		// damaged later. Treat it as unverified all the same.
		st.BadChunkHeaders++
	}
	// A verified header's id range is the list of records the chunk holds:
	// the walk ticks them off, and what is not ticked off at the end was
	// lost and is counted exactly.
	// An empty chunk declares ids -1 to -1 (all bits set) and no records.
	if c.headerOK && c.free > chunkHeaderSize && c.firstID > 0 && c.lastID != ^uint64(0) &&
		c.lastID >= c.firstID && c.lastID-c.firstID < chunkSize/minRecordSize {
		c.got = make([]int, c.lastID-c.firstID+1)
	}
	err := c.records()
	w.slots = append(w.slots, slot{off: off, lo: c.minID, hi: c.maxID, seen: c.seen, lost: !c.seen && c.dups > 0})
	if c.got != nil {
		c.reconcile()
	}
	return err
}

// chunkWalk is the state of one chunk's record walk.
type chunkWalk struct {
	w        *walker
	off      int64
	buf      []byte
	headerOK bool
	firstID  uint64
	lastID   uint64
	free     int
	start    int // index of the chunk's first entry in Stats.Skipped
	prevID   uint64
	// got has one slot per id of the header's range when it is verified:
	// 0 while the record has not been seen, else 1 + its position.
	got []int
	// est lists the chunk's Skipped entries whose record counts are
	// estimates (a resynchronisation); reconcile makes them exact.
	est []int
	// minID and maxID bound the ids delivered from the chunk, if seen.
	minID, maxID uint64
	seen         bool
	dups         int // records not delivered again
}

// plausible tells whether a record found by scanning after damage belongs
// to this chunk. With a verified header, any id of the header's range not
// yet seen does (records after a hole may be ones the walk passed over, or
// come in any order); without one, the id must continue the sequence.
// Anything else is debris of an older chunk generation.
func (c *chunkWalk) plausible(id uint64) bool {
	if c.got != nil {
		return id >= c.firstID && id <= c.lastID && c.got[id-c.firstID] == 0
	}
	if id <= c.prevID {
		return false
	}
	return !c.headerOK || id <= c.lastID
}

// expected estimates how many records a damaged stretch held, from the
// chunk header's record id range when it is plausible.
func (c *chunkWalk) expected(from uint64) int {
	if c.lastID >= from && c.lastID-from < chunkSize/minRecordSize && c.firstID <= from+1 {
		return int(c.lastID - from)
	}
	return 0
}

// resyncFrom records the damage found at pos and returns where the walk
// goes on, or -1 when no plausible record follows in the chunk.
func (c *chunkWalk) resyncFrom(pos int, err error) int {
	limit := len(c.buf)
	if c.headerOK {
		limit = c.free
	}
	next, nextID := resync(c.buf[:limit], pos+1, c.plausible)
	n := 0
	var lo, hi uint64
	switch {
	case next < 0:
		n = c.expected(c.prevID)
		lo, hi = c.prevID+1, c.prevID+uint64(n)
	case nextID > c.prevID+1 && nextID-c.prevID-1 < chunkSize/minRecordSize:
		n = int(nextID - c.prevID - 1)
		lo, hi = c.prevID+1, nextID-1
	}
	c.w.st.Skipped = append(c.w.st.Skipped, ChunkError{Offset: c.off + int64(pos), Records: n, Err: err})
	if n > 0 {
		e := &c.w.st.Skipped[len(c.w.st.Skipped)-1]
		e.FirstID, e.LastID = lo, hi
	}
	c.est = append(c.est, len(c.w.st.Skipped)-1)
	return next
}

// mark notes that record id (at pos) has been delivered or accounted for.
func (c *chunkWalk) mark(id uint64, pos int) {
	if c.got != nil && id >= c.firstID && id <= c.lastID {
		c.got[id-c.firstID] = pos + 1
	}
}

// records walks the chunk's records from the end of its header.
func (c *chunkWalk) records() error {
	// Windows does not wipe a chunk it reuses: past the free-space offset
	// lie records of an older generation. With a verified header, the
	// free-space offset is the end of the live records. Without one, walk
	// the whole chunk and stop at the first record id that goes backwards.
	limit := len(c.buf)
	if c.headerOK {
		limit = c.free
	}
	c.w.dec.setChunk(c.buf)
	if c.firstID > 0 { // 0 when the header gives no first id (zeroed header)
		c.prevID = c.firstID - 1
	}
	pos := chunkHeaderSize
	for pos >= 0 && pos+recordHeaderSize <= limit {
		var err error
		if pos, err = c.record(pos); err != nil {
			return err
		}
	}
	return nil
}

// record reads the record at pos and returns where the walk goes on: after
// the record, at the next plausible record after damage, or -1 when the
// chunk holds no more records. The error is the callback's.
func (c *chunkWalk) record(pos int) (int, error) {
	buf, le := c.buf, binary.LittleEndian
	if !bytes.Equal(buf[pos:pos+4], recordMagic) {
		return c.noSignature(pos), nil
	}
	size := int(le.Uint32(buf[pos+4:]))
	if size < minRecordSize || size > chunkSize-chunkHeaderSize {
		return c.resyncFrom(pos, fmt.Errorf("%w %d", ErrRecordSize, size)), nil
	}
	if pos+size > len(buf) {
		return c.overrun(pos, size), nil
	}
	id := le.Uint64(buf[pos+8:])
	copyOK := int(le.Uint32(buf[pos+size-4:])) == size
	if !copyOK && (pos >= c.free || !c.plausible(id)) {
		return c.resyncFrom(pos, fmt.Errorf("%w %d: trailing copy differs", ErrRecordSize, size)), nil
	}
	if !c.headerOK && pos >= c.free && id <= c.prevID {
		return -1, nil // stale tail of a reused chunk
	}
	if id == 0 {
		// A record header half overwritten. (An id outside the verified
		// header's range is kept: a chunk rewritten while a snapshot was
		// taken holds newer records than its header says.)
		return c.resyncFrom(pos, fmt.Errorf("%w: record id %d is not one the chunk holds", ErrRecordSignature, id)), nil
	}
	if c.w.delivered.has(id) {
		// The same record again: a chunk copied into a second slot.
		// Deliver it once.
		c.w.duplicate(c.off+int64(pos), id)
		c.dups++
		return c.next(id, pos, size), nil
	}
	// A record whose trailing size copy is wrong (an interrupted write) is
	// still decoded when it lies in the live area: its BinXML is
	// self-delimiting and the decoder checks every bound.
	ev := &Event{
		RecordID: id,
		Offset:   c.off + int64(pos),
		Time:     filetime(le.Uint64(buf[pos+16:])),
	}
	if err := c.w.decode(ev, pos+recordHeaderSize, pos+size-4); err != nil {
		if !copyOK {
			return c.resyncFrom(pos, fmt.Errorf("%w %d: trailing copy differs: %v", ErrRecordSize, size, err)), nil
		}
		c.w.st.Skipped = append(c.w.st.Skipped, ChunkError{Offset: ev.Offset, Records: 1, FirstID: id, LastID: id, Err: err})
		return c.next(id, pos, size), nil
	}
	if err := c.deliver(ev, id); err != nil {
		return pos, err
	}
	return c.next(id, pos, size), nil
}

// noSignature handles a position where no record starts, and returns where
// the walk goes on or -1.
func (c *chunkWalk) noSignature(pos int) int {
	buf := c.buf
	if pos >= c.free && c.headerOK {
		return -1 // end of the live records
	}
	if !allZero(buf[pos:min(pos+recordHeaderSize*2, len(buf))]) {
		return c.resyncFrom(pos, ErrRecordSignature)
	}
	// Zeros end the written part of a chunk, unless the verified header
	// says records go on (a zeroed hole) or a record that continues the
	// chunk follows them.
	if !c.headerOK && (pos >= c.free || resyncPos(buf, pos+1, c.plausible) < 0) {
		return -1
	}
	return c.resyncFrom(pos, ErrZeroed)
}

// overrun handles a record at pos whose size runs past the chunk buffer,
// and returns where the walk goes on or -1. A buffer shorter than a chunk
// is the cut end of the file: the rest of the chunk is lost.
func (c *chunkWalk) overrun(pos, size int) int {
	if len(c.buf) >= chunkSize {
		return c.resyncFrom(pos, fmt.Errorf("%w %d overruns the chunk", ErrRecordSize, size))
	}
	st := c.w.st
	n := max(1, c.expected(c.prevID))
	st.Skipped = append(st.Skipped, ChunkError{Offset: c.off + int64(pos), Records: n,
		FirstID: c.prevID + 1, LastID: c.prevID + uint64(n), Err: ErrTruncated})
	c.est = append(c.est, len(st.Skipped)-1)
	return -1
}

// deliver counts a decoded record and hands it to the callback.
func (c *chunkWalk) deliver(ev *Event, id uint64) error {
	st := c.w.st
	if ev.RecordID == 0 {
		// The payload's EventRecordID (preferred, see builder) reads 0:
		// the body was partly overwritten with zeros.
		ev.RecordID = id
		ev.Damaged = "record body partly zeroed: its fields may be incomplete"
	}
	st.Records++
	c.w.delivered.add(id)
	if !c.seen {
		c.minID, c.maxID, c.seen = id, id, true
	}
	c.minID, c.maxID = min(c.minID, id), max(c.maxID, id)
	if m, ok := c.w.delivered.max(); !ok || id >= m {
		st.LastRecordTime = ev.Time
	}
	return c.w.fn(ev)
}

// next notes record id (at pos, size bytes) as accounted for and returns
// the position after it.
func (c *chunkWalk) next(id uint64, pos, size int) int {
	c.mark(id, pos)
	c.prevID = id
	return pos + size
}

// reconcile replaces the estimated record counts of the chunk's damage
// entries with the exact ones: every id of the verified header's range not
// seen is lost, and is counted against the first damage entry after the
// record that precedes it.
func (c *chunkWalk) reconcile() {
	st := c.w.st
	type run struct{ lo, hi uint64 }
	var runs []run
	var after []int // position of the record before each run, -1 for none
	for i := 0; i < len(c.got); i++ {
		if c.got[i] != 0 {
			continue
		}
		j := i
		for j+1 < len(c.got) && c.got[j+1] == 0 {
			j++
		}
		runs = append(runs, run{c.firstID + uint64(i), c.firstID + uint64(j)})
		p := -1
		if i > 0 {
			p = c.got[i-1] - 1
		}
		after = append(after, p)
		i = j
	}
	for _, k := range c.est {
		st.Skipped[k].Records, st.Skipped[k].FirstID, st.Skipped[k].LastID = 0, 0, 0
	}
	if len(runs) == 0 {
		return
	}
	if len(c.est) == 0 {
		st.Skipped = append(st.Skipped, ChunkError{Offset: c.off, Err: ErrNotFound})
		c.est = append(c.est, len(st.Skipped)-1)
	}
	for i, r := range runs {
		k := c.est[len(c.est)-1]
		for _, e := range c.est {
			if st.Skipped[e].Offset > c.off+int64(after[i]) {
				k = e
				break
			}
		}
		e := &st.Skipped[k]
		if e.Records == 0 {
			e.FirstID, e.LastID = r.lo, r.hi
		} else {
			e.FirstID, e.LastID = min(e.FirstID, r.lo), max(e.LastID, r.hi)
		}
		e.Records += int(r.hi - r.lo + 1)
	}
}

// duplicate records a record id delivered before, merging a run of them
// into one entry.
func (w *walker) duplicate(off int64, id uint64) {
	st := w.st
	if n := len(st.Skipped); n > 0 && errors.Is(st.Skipped[n-1].Err, ErrDuplicate) && w.dupRun > 0 && st.Skipped[n-1].LastID+1 == id {
		w.dupRun++
		st.Skipped[n-1].LastID = id
		st.Skipped[n-1].Err = fmt.Errorf("%w (%d records)", ErrDuplicate, w.dupRun)
		return
	}
	w.dupRun = 1
	st.Skipped = append(st.Skipped, ChunkError{Offset: off, FirstID: id, LastID: id, Err: fmt.Errorf("%w (1 record)", ErrDuplicate)})
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

// resyncPos is resync without the id.
func resyncPos(buf []byte, pos int, ok func(uint64) bool) int {
	p, _ := resync(buf, pos, ok)
	return p
}
