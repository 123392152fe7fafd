package evtxwrite

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func threeChunks(t *testing.T) []byte {
	var recs []Record
	for i := range 1500 {
		recs = append(recs, diskRecord(i))
	}
	b, err := Marshal(recs, Options{})
	require.NoError(t, err)
	require.GreaterOrEqual(t, int(binary.LittleEndian.Uint16(b[42:])), 3)
	return b
}

func chunkAt(b []byte, i int) []byte {
	return b[fileHeaderSize+i*chunkSize:][:chunkSize]
}

func TestDamaged(t *testing.T) {
	orig := threeChunks(t)
	keep := append([]byte(nil), orig...)
	le := binary.LittleEndian
	for _, tc := range []struct {
		name  string
		d     Damage
		check func(t *testing.T, b []byte)
	}{
		{"chunk header checksum", ChunkHeaderChecksum, func(t *testing.T, b []byte) {
			c := chunkAt(b, 1)
			assert.NotEqual(t, chunkHeaderCRC(c), le.Uint32(c[124:]))
			assert.Equal(t, crc32.ChecksumIEEE(c[chunkHeaderSize:le.Uint32(c[48:])]), le.Uint32(c[52:]))
		}},
		{"records checksum", RecordsChecksum, func(t *testing.T, b []byte) {
			c := chunkAt(b, 1)
			assert.NotEqual(t, crc32.ChecksumIEEE(c[chunkHeaderSize:le.Uint32(c[48:])]), le.Uint32(c[52:]))
			assert.Equal(t, chunkHeaderCRC(c), le.Uint32(c[124:]), "the header stays valid")
		}},
		{"zeroed chunk", ZeroedChunk, func(t *testing.T, b []byte) {
			assert.True(t, allZero(chunkAt(b, 1)))
			assert.Equal(t, chunkAt(orig, 2), chunkAt(b, 2))
		}},
		{"truncated chunk", TruncatedChunk, func(t *testing.T, b []byte) {
			assert.Less(t, len(b), fileHeaderSize+2*chunkSize)
			assert.Greater(t, len(b), fileHeaderSize+chunkSize+chunkHeaderSize)
		}},
		{"header chunk count", HeaderChunkCount, func(t *testing.T, b []byte) {
			assert.Equal(t, le.Uint16(orig[42:])-1, le.Uint16(b[42:]))
			assert.Equal(t, crc32.ChecksumIEEE(b[:120]), le.Uint32(b[124:]))
			assert.Len(t, b, len(orig))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := Damaged(orig, tc.d, 1)
			require.NoError(t, err)
			tc.check(t, b)
		})
	}
	assert.Equal(t, keep, orig, "input is not modified")

	for _, bad := range []struct {
		file  []byte
		chunk int
	}{{nil, 0}, {orig[:100], 0}, {orig[:len(orig)-1], 0}, {orig, -1}, {orig, 99}} {
		_, err := Damaged(bad.file, ChunkHeaderChecksum, bad.chunk)
		assert.True(t, errors.Is(err, ErrNotEVTX), "%v", err)
	}
	_, err := Damaged(orig, Damage(42), 0)
	assert.Error(t, err)
}

// TestDamaged_PythonEvtxSeesIt checks that python-evtx's own checks flag
// exactly the damaged chunk.
func TestDamaged_PythonEvtxSeesIt(t *testing.T) {
	interp, _ := pythonInterpreter(t)
	orig := threeChunks(t)
	dir := t.TempDir()
	for _, d := range []Damage{ChunkHeaderChecksum, RecordsChecksum} {
		b, err := Damaged(orig, d, 1)
		require.NoError(t, err)
		path := filepath.Join(dir, "damaged.evtx")
		require.NoError(t, os.WriteFile(path, b, 0o644))
		out, err := exec.Command(interp, "-c", pyVerify, path).CombinedOutput()
		require.NoError(t, err, string(out))
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		require.GreaterOrEqual(t, len(lines), 4)
		assert.Equal(t, []string{"chunk True", "chunk False", "chunk True"}, lines[1:4], "damage %d", d)
	}
}
