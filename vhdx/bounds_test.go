package vhdx_test

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvtriage/hvtriage/vhdx"
	"github.com/hvtriage/hvtriage/vhdx/vhdxtest"
)

func TestParentLocatorBounds(t *testing.T) {
	le := binary.LittleEndian
	build := func(count int, entry func(i int, e []byte)) []byte {
		item := make([]byte, 20+12*count+64)
		copy(item, vhdx.LocatorTypeVHDX[:])
		le.PutUint16(item[18:], uint16(count))
		for i := 0; i < count; i++ {
			entry(i, item[20+12*i:])
		}
		return item
	}
	tests := []struct {
		name string
		item []byte
		msg  string
	}{
		{"short header", make([]byte, 19), "shorter than its 20-byte header"},
		{"count beyond item", build(0, nil)[:20], ""},
		{"key outside item", build(1, func(_ int, e []byte) { le.PutUint32(e, 1000); le.PutUint16(e[8:], 2) }), "key"},
		{"zero key length", build(1, func(_ int, e []byte) { le.PutUint32(e, 32) }), "key"},
		{"value outside item", build(1, func(_ int, e []byte) {
			le.PutUint32(e, 32)
			le.PutUint16(e[8:], 2)
			le.PutUint32(e[4:], 90)
			le.PutUint16(e[10:], 40)
		}), "value"},
		// Every entry points at the same 64 bytes: a crafted item could make
		// decoding quadratic, so overlapping strings are refused.
		{"overlapping strings", build(8, func(_ int, e []byte) {
			le.PutUint32(e, 20+12*8)
			le.PutUint16(e[8:], 32)
			le.PutUint32(e[4:], 20+12*8)
			le.PutUint16(e[10:], 32)
		}), "overlap"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			item := tt.item
			if tt.name == "count beyond item" {
				le.PutUint16(item[18:], 3)
			}
			_, err := vhdx.ParseParentLocator(item, 0x210028)
			var fe *vhdx.FormatError
			require.ErrorAs(t, err, &fe)
			assert.GreaterOrEqual(t, fe.Off, int64(0x210028))
			assert.Contains(t, fe.Msg, tt.msg)
		})
	}

	// Key-level faults are problems, not errors.
	loc, err := vhdx.ParseParentLocator(build(0, nil), 0)
	require.NoError(t, err)
	assert.Len(t, loc.Problems, 2, "no parent_linkage and no path")
	assert.False(t, loc.HasLinkage)
}

func TestLogScanBounded(t *testing.T) {
	b := mustVHDX(t, vhdxtest.Options{Seed: "d", DirtyLog: true})
	// Fill every log sector with an entry header claiming the whole log.
	le := binary.LittleEndian
	first := append([]byte(nil), b[vhdxtest.LogOffset:vhdxtest.LogOffset+64]...)
	for s := vhdxtest.LogOffset + 4096; s < vhdxtest.LogOffset+vhdxtest.LogLength; s += 4096 {
		copy(b[s:], first)
		le.PutUint32(b[s+8:], vhdxtest.LogLength)
	}
	f := openBytes(t, b)
	assert.Equal(t, vhdx.LogDirty, f.Log.State, "the genuine first entry is still found")
	assert.True(t, hasProblem(f.Problems, vhdx.ProblemFormat, -1, "log scan stopped"))
}
