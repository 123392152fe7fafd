package evtxwrite

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
)

// ErrNotEVTX reports that Damaged was given something other than a file
// written by this package (or a chunk index it does not hold).
var ErrNotEVTX = errors.New("evtxwrite: not a complete EVTX file")

// Damage is a kind of corruption seen in logs copied off broken or running
// hosts, for building test inputs.
type Damage int

const (
	// ChunkHeaderChecksum alters the chunk header's stored CRC32.
	ChunkHeaderChecksum Damage = iota
	// RecordsChecksum alters the chunk's stored event-records CRC32 and
	// re-seals the chunk header, so only the records check fails.
	RecordsChecksum
	// ZeroedChunk overwrites the whole chunk with zeros.
	ZeroedChunk
	// TruncatedChunk cuts the file halfway through the chunk's records;
	// later chunks are lost.
	TruncatedChunk
	// HeaderChunkCount makes the file header claim one chunk fewer than the
	// file holds, with a valid header checksum (as after a crash).
	HeaderChunkCount
)

// Damaged returns a copy of file with damage d applied to chunk (0-based).
// HeaderChunkCount ignores chunk.
func Damaged(file []byte, d Damage, chunk int) ([]byte, error) {
	if len(file) < fileHeaderSize || string(file[:8]) != string(fileMagic) {
		return nil, fmt.Errorf("%w: no file header", ErrNotEVTX)
	}
	le := binary.LittleEndian
	chunks := int(le.Uint16(file[42:]))
	if len(file) != fileHeaderSize+chunks*chunkSize {
		return nil, fmt.Errorf("%w: size %d does not hold %d chunks", ErrNotEVTX, len(file), chunks)
	}
	if chunk < 0 || chunk >= chunks {
		return nil, fmt.Errorf("%w: chunk %d of %d", ErrNotEVTX, chunk, chunks)
	}
	out := append([]byte(nil), file...)
	start := fileHeaderSize + chunk*chunkSize
	c := out[start : start+chunkSize]
	switch d {
	case ChunkHeaderChecksum:
		le.PutUint32(c[124:], le.Uint32(c[124:])^0xdeadbeef)
	case RecordsChecksum:
		le.PutUint32(c[52:], le.Uint32(c[52:])^0xdeadbeef)
		le.PutUint32(c[124:], chunkHeaderCRC(c))
	case ZeroedChunk:
		clear(c)
	case TruncatedChunk:
		free := int(le.Uint32(c[48:]))
		if free <= chunkHeaderSize || free > chunkSize {
			return nil, fmt.Errorf("%w: chunk %d has no records", ErrNotEVTX, chunk)
		}
		out = out[:start+chunkHeaderSize+(free-chunkHeaderSize)/2]
	case HeaderChunkCount:
		if chunks < 2 {
			return nil, fmt.Errorf("%w: needs at least 2 chunks", ErrNotEVTX)
		}
		le.PutUint16(out[42:], uint16(chunks-1))
		le.PutUint64(out[16:], uint64(chunks-2))
		le.PutUint32(out[124:], crc32.ChecksumIEEE(out[:120]))
	default:
		return nil, fmt.Errorf("evtxwrite: unknown damage %d", d)
	}
	return out, nil
}
