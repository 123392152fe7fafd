package evtxwrite

import (
	"encoding/binary"
	"hash/crc32"
	"unicode/utf16"
)

// Layout constants of the EVTX 3.1 format.
const (
	fileHeaderSize   = 0x1000
	fileHeaderUsed   = 128
	chunkSize        = 0x10000
	chunkHeaderSize  = 0x200
	chunkHeaderUsed  = 128
	stringBuckets    = 64
	templateBuckets  = 32
	stringTableOff   = 0x80
	templateTableOff = 0x180
	recordHeaderSize = 24

	fileFlagDirty = 0x1
	fileFlagFull  = 0x2

	// chunkFlags is the value found at chunk offset 120 in nearly every
	// chunk written by Windows (212 of 213 chunks sampled from public logs).
	chunkFlags = 0x1
)

var (
	fileMagic   = []byte("ElfFile\x00")
	chunkMagic  = []byte("ElfChnk\x00")
	recordMagic = []byte{0x2a, 0x2a, 0x00, 0x00}
)

func fileHeader(chunks, nextID uint64, opt Options) []byte {
	h := make([]byte, fileHeaderSize)
	le := binary.LittleEndian
	copy(h, fileMagic)
	le.PutUint64(h[8:], 0)         // first (oldest) chunk number
	le.PutUint64(h[16:], chunks-1) // last (current) chunk number
	le.PutUint64(h[24:], nextID)
	le.PutUint32(h[32:], fileHeaderUsed)
	le.PutUint16(h[36:], 1) // minor version
	le.PutUint16(h[38:], 3) // major version
	le.PutUint16(h[40:], fileHeaderSize)
	le.PutUint16(h[42:], uint16(chunks))
	var flags uint32
	if opt.Dirty {
		flags |= fileFlagDirty
	}
	if opt.Full {
		flags |= fileFlagFull
	}
	le.PutUint32(h[120:], flags)
	le.PutUint32(h[124:], crc32.ChecksumIEEE(h[:120]))
	return h
}

// nameHash is the hash Windows stores with every name in a chunk: over the
// UTF-16 code units, h = h*65599 + c, keeping the low 16 bits.
func nameHash(u []uint16) uint16 {
	var h uint32
	for _, c := range u {
		h = h*65599 + uint32(c)
	}
	return uint16(h)
}

// chunkState is what a chunk remembers between records: where each name and
// template was defined, and the heads of the hash-bucket chains. Records are
// encoded against a copy so that a record that does not fit leaves no trace.
type chunkState struct {
	names     map[string]uint32
	templates map[string]uint32
	strHeads  [stringBuckets]uint32
	tmplHeads [templateBuckets]uint32
}

type chunkBuilder struct {
	buf        []byte // whole chunk, chunkSize bytes
	free       uint32 // free space offset
	lastRecOff uint32
	firstID    uint64
	lastID     uint64
	count      int
	st         chunkState
}

func newChunk() *chunkBuilder {
	return &chunkBuilder{
		buf:  make([]byte, chunkSize),
		free: chunkHeaderSize,
		st: chunkState{
			names:     map[string]uint32{},
			templates: map[string]uint32{},
		},
	}
}

// add encodes r with record ID id at the chunk's free offset. It returns
// false, leaving the chunk unchanged, when the record does not fit.
func (c *chunkBuilder) add(r *Record, id uint64) (bool, error) {
	enc := &encoder{
		st:        &c.st,
		names:     map[string]uint32{},
		templates: map[string]uint32{},
		strHeads:  c.st.strHeads,
		tmplHeads: c.st.tmplHeads,
	}
	rec, err := enc.record(r, id, c.free)
	if err != nil {
		return false, err
	}
	if uint64(c.free)+uint64(len(rec)) > chunkSize {
		return false, nil
	}
	copy(c.buf[c.free:], rec)
	for k, v := range enc.names {
		c.st.names[k] = v
	}
	for k, v := range enc.templates {
		c.st.templates[k] = v
	}
	c.st.strHeads = enc.strHeads
	c.st.tmplHeads = enc.tmplHeads
	if c.count == 0 {
		c.firstID = id
	}
	c.lastID = id
	c.lastRecOff = c.free
	c.free += uint32(len(rec))
	c.count++
	return true, nil
}

// finish fills in the chunk header and returns the chunk bytes.
func (c *chunkBuilder) finish() []byte {
	b := c.buf
	le := binary.LittleEndian
	copy(b, chunkMagic)
	// Record numbers within the log and record identifiers are the same
	// values in logs written by Windows.
	le.PutUint64(b[8:], c.firstID)
	le.PutUint64(b[16:], c.lastID)
	le.PutUint64(b[24:], c.firstID)
	le.PutUint64(b[32:], c.lastID)
	le.PutUint32(b[40:], chunkHeaderUsed)
	le.PutUint32(b[44:], c.lastRecOff)
	le.PutUint32(b[48:], c.free)
	le.PutUint32(b[52:], crc32.ChecksumIEEE(b[chunkHeaderSize:c.free]))
	le.PutUint32(b[120:], chunkFlags)
	for i, off := range c.st.strHeads {
		le.PutUint32(b[stringTableOff+4*i:], off)
	}
	for i, off := range c.st.tmplHeads {
		le.PutUint32(b[templateTableOff+4*i:], off)
	}
	le.PutUint32(b[124:], chunkHeaderCRC(b))
	return b
}

// chunkHeaderCRC is the CRC32 of chunk bytes 0–120 and 128–512, skipping the
// flags and the checksum field itself.
func chunkHeaderCRC(b []byte) uint32 {
	crc := crc32.Update(0, crc32.IEEETable, b[:120])
	return crc32.Update(crc, crc32.IEEETable, b[chunkHeaderUsed:chunkHeaderSize])
}

func utf16le(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 2*len(u))
	for i, c := range u {
		binary.LittleEndian.PutUint16(b[2*i:], c)
	}
	return b
}
