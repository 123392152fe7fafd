package evtx

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"math/rand"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// craftFile builds a minimal EVTX file: a valid file header and one chunk
// whose header is valid, whose first record's BinXML refers to a name at
// nameOff (chunk-relative). With nameOff outside the chunk this is the input
// that makes golang-evtx panic in a goroutine.
func craftFile(nameOff uint32) []byte {
	le := binary.LittleEndian
	f := make([]byte, fileHeaderBlock+chunkSize)
	copy(f, fileMagic)
	le.PutUint64(f[24:], 2)    // next record id
	le.PutUint32(f[32:], 128)  // header size
	le.PutUint16(f[36:], 1)    // minor
	le.PutUint16(f[38:], 3)    // major
	le.PutUint16(f[40:], 4096) // header block size
	le.PutUint16(f[42:], 1)    // chunk count
	le.PutUint32(f[124:], crc32.ChecksumIEEE(f[:120]))

	c := f[fileHeaderBlock:]
	copy(c, chunkMagic)
	le.PutUint64(c[8:], 1)
	le.PutUint64(c[16:], 1)
	le.PutUint64(c[24:], 1)
	le.PutUint64(c[32:], 1)
	le.PutUint32(c[40:], 128)
	le.PutUint32(c[128:], 0x7fff0000) // common string table slot pointing far outside

	// Record: fragment header, then an element whose name lives at nameOff.
	bx := []byte{0x0f, 0x01, 0x01, 0x00, 0x01, 0, 0, 0, 0}
	bx = le.AppendUint32(bx, nameOff)
	bx = append(bx, 0x03, 0x00)
	size := recordHeaderSize + len(bx) + 4
	r := c[chunkHeaderSize:]
	copy(r, recordMagic)
	le.PutUint32(r[4:], uint32(size))
	le.PutUint64(r[8:], 1)
	le.PutUint64(r[16:], 132_000_000_000_000_000)
	copy(r[recordHeaderSize:], bx)
	le.PutUint32(r[size-4:], uint32(size))

	le.PutUint32(c[44:], chunkHeaderSize)
	le.PutUint32(c[48:], uint32(chunkHeaderSize+size))
	le.PutUint32(c[52:], crc32.ChecksumIEEE(c[chunkHeaderSize:chunkHeaderSize+size]))
	h := crc32.NewIEEE()
	h.Write(c[:120])
	h.Write(c[128:chunkHeaderSize])
	le.PutUint32(c[124:], h.Sum32())
	return f
}

func walkBytes(t testing.TB, b []byte) (Stats, []*Event, error) {
	var evs []*Event
	st, err := Walk(context.Background(), bytes.NewReader(b), int64(len(b)), func(ev *Event) error {
		evs = append(evs, ev)
		return nil
	})
	return st, evs, err
}

func TestWalk_ContainsNameOutsideChunk(t *testing.T) {
	st, evs, err := walkBytes(t, craftFile(0x00ff0000))
	require.NoError(t, err)
	assert.Empty(t, evs)
	assert.Equal(t, 1, st.Chunks)
	assert.Zero(t, st.ChecksumErrors)
	require.Len(t, st.Skipped, 1)
	assert.Equal(t, int64(fileHeaderBlock+chunkHeaderSize), st.Skipped[0].Offset)
	assert.Contains(t, st.Skipped[0].Error(), "0x1200")
	assert.Contains(t, st.Skipped[0].Error(), "outside chunk")
}

func TestWalk_NotEVTX(t *testing.T) {
	tests := []struct {
		name  string
		input []byte
	}{
		{"empty", nil},
		{"short", []byte("ElfFi")},
		{"wrong magic", bytes.Repeat([]byte{'A'}, 5000)},
		{"header cut", []byte("ElfFile\x00 and a bit")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := walkBytes(t, tc.input)
			require.ErrorIs(t, err, ErrFormat)
			var fe *FormatError
			require.ErrorAs(t, err, &fe)
		})
	}
}

func TestWalk_CallbackErrorAndCancel(t *testing.T) {
	f := craftFile(uint32(chunkHeaderSize + recordHeaderSize + 13)) // name offset = inline position, but no name there
	_, _, err := walkBytes(t, f)
	require.NoError(t, err)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = Walk(ctx, bytes.NewReader(f), int64(len(f)), func(*Event) error { return nil })
	require.ErrorIs(t, err, context.Canceled)
}

// TestWalk_Mutations flips bytes in and truncates real files (seeded, so the
// inputs are the same on every run): the walk must finish, never panic,
// and report damage when records go missing.
func TestWalk_Mutations(t *testing.T) {
	dir := filepath.Join(corpusDir(t), "evtx")
	files := []string{
		"EventLog/System.evtx",
		"omerbenamram-evtx/E_Windows_system32_winevt_logs_Microsoft-Windows-CAPI2%4Operational.evtx",
		"evtx-parser/Application.evtx",
		"omerbenamram-evtx/Security_with_size_t.evtx",
	}
	rng := rand.New(rand.NewSource(20240314))
	for _, name := range files {
		orig, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		base, _, err := walkBytes(t, orig)
		require.NoError(t, err)
		for i := 0; i < 40; i++ {
			b := bytes.Clone(orig)
			switch i % 4 {
			case 0: // scattered single-byte flips
				for j := 0; j < 20; j++ {
					b[fileHeaderBlock+rng.Intn(len(b)-fileHeaderBlock)] ^= byte(1 + rng.Intn(255))
				}
			case 1: // a run of garbage inside one chunk
				off := fileHeaderBlock + rng.Intn(len(b)-fileHeaderBlock-512)
				rng.Read(b[off : off+512])
			case 2: // truncation
				b = b[:fileHeaderBlock+rng.Intn(len(b)-fileHeaderBlock)]
			case 3: // zeroed chunk header
				c := fileHeaderBlock + chunkSize*rng.Intn((len(b)-fileHeaderBlock)/chunkSize)
				clear(b[c : c+chunkHeaderSize])
			}
			start := time.Now()
			st, _, err := walkBytes(t, b)
			require.NoError(t, err, "%s mutation %d", name, i)
			require.Less(t, time.Since(start), 20*time.Second, "%s mutation %d", name, i)
			if st.Records < base.Records && i%4 != 2 {
				assert.True(t, len(st.Skipped) > 0 || st.ChecksumErrors > 0,
					"%s mutation %d lost %d records without reporting damage", name, i, base.Records-st.Records)
			}
		}
	}
}

func TestWalk_ReadError(t *testing.T) {
	f := craftFile(0)
	r := failingReader{data: f, failAt: fileHeaderBlock}
	st, err := Walk(context.Background(), r, int64(len(f)), func(*Event) error { return nil })
	require.NoError(t, err)
	require.Len(t, st.Skipped, 1)
	assert.Equal(t, int64(fileHeaderBlock), st.Skipped[0].Offset)
}

type failingReader struct {
	data   []byte
	failAt int64
}

func (r failingReader) ReadAt(p []byte, off int64) (int, error) {
	if off >= r.failAt {
		return 0, errors.New("device error")
	}
	return bytes.NewReader(r.data).ReadAt(p, off)
}
