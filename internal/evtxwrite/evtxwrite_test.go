package evtxwrite

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvtriage/hvtriage/evtx"
)

var t0 = time.Date(2024, 3, 14, 2, 6, 41, 118_000_000, time.UTC)

func diskRecord(i int) Record {
	return Record{
		Provider: "disk", Channel: "System", Computer: "HV01.contoso.local",
		EventID: 153, Qualifiers: 0x8004, HasQualifiers: true, Level: 3,
		Keywords: 0x80000000000000, Time: t0.Add(time.Duration(i) * time.Second),
		Data: []Field{
			{Value: `\Device\Harddisk3\DR3`},
			{Value: fmt.Sprintf("0x%x", 0x2a81f400+i)},
			{Value: "3"},
			{Value: `\Device\00000052`},
		},
		Binary: []byte{0x0f, 0x01, 0x04, 0x00, 0x03, 0x00, 0x2c, 0x00},
	}
}

func TestNameHash(t *testing.T) {
	// Hashes as stored by Windows in a chunk of a System log.
	for name, want := range map[string]uint16{
		"Guid": 0x1529, "System": 0x546f, "EventData": 0x8244, "Qualifiers": 0xda29,
		"xmlns": 0x0fbc, "EventRecordID": 0x0346,
	} {
		assert.Equal(t, want, nameHash(utf16.Encode([]rune(name))), name)
	}
}

func TestMarshal_Layout(t *testing.T) {
	recs := []Record{diskRecord(0), diskRecord(1)}
	b, err := Marshal(recs, Options{FirstRecordID: 100, Dirty: true})
	require.NoError(t, err)
	require.Len(t, b, fileHeaderSize+chunkSize)
	le := binary.LittleEndian

	assert.Equal(t, "ElfFile\x00", string(b[:8]))
	assert.Equal(t, uint64(0), le.Uint64(b[8:]))
	assert.Equal(t, uint64(0), le.Uint64(b[16:]))
	assert.Equal(t, uint64(102), le.Uint64(b[24:]), "next record ID")
	assert.Equal(t, uint32(128), le.Uint32(b[32:]))
	assert.Equal(t, uint16(1), le.Uint16(b[36:]))
	assert.Equal(t, uint16(3), le.Uint16(b[38:]))
	assert.Equal(t, uint16(4096), le.Uint16(b[40:]))
	assert.Equal(t, uint16(1), le.Uint16(b[42:]))
	assert.Equal(t, uint32(fileFlagDirty), le.Uint32(b[120:]))
	assert.Equal(t, crc32.ChecksumIEEE(b[:120]), le.Uint32(b[124:]))

	c := b[fileHeaderSize:]
	assert.Equal(t, "ElfChnk\x00", string(c[:8]))
	assert.Equal(t, uint64(100), le.Uint64(c[8:]))
	assert.Equal(t, uint64(101), le.Uint64(c[16:]))
	assert.Equal(t, uint64(100), le.Uint64(c[24:]))
	assert.Equal(t, uint64(101), le.Uint64(c[32:]))
	assert.Equal(t, uint32(128), le.Uint32(c[40:]))
	free := le.Uint32(c[48:])
	last := le.Uint32(c[44:])
	assert.Equal(t, crc32.ChecksumIEEE(c[chunkHeaderSize:free]), le.Uint32(c[52:]))
	assert.Equal(t, chunkHeaderCRC(c), le.Uint32(c[124:]))

	// Walk the records by their size fields.
	off := uint32(chunkHeaderSize)
	var ids []uint64
	for off < free {
		require.Equal(t, recordMagic, c[off:off+4])
		size := le.Uint32(c[off+4:])
		require.Zero(t, size%8, "records are 8-byte aligned")
		require.Equal(t, size, le.Uint32(c[off+size-4:]), "size copy")
		ids = append(ids, le.Uint64(c[off+8:]))
		if off+size == free {
			assert.Equal(t, last, off, "last record offset")
		}
		off += size
	}
	assert.Equal(t, []uint64{100, 101}, ids)
	assert.True(t, allZero(c[free:]), "free space is zeroed")

	// Every string-table chain entry names a string stored with its hash.
	for i := 0; i < stringBuckets; i++ {
		for o := le.Uint32(c[stringTableOff+4*i:]); o != 0; o = le.Uint32(c[o:]) {
			n := int(le.Uint16(c[o+6:]))
			u := make([]uint16, n)
			for j := range u {
				u[j] = le.Uint16(c[int(o)+8+2*j:])
			}
			assert.Equal(t, le.Uint16(c[o+4:]), nameHash(u))
			assert.Equal(t, i, int(nameHash(u)%stringBuckets))
		}
	}
}

func allZero(b []byte) bool {
	for _, x := range b {
		if x != 0 {
			return false
		}
	}
	return true
}

func TestMarshal_DeterministicAndTemplatesReused(t *testing.T) {
	recs := []Record{diskRecord(0), diskRecord(1), diskRecord(2)}
	a, err := Marshal(recs, Options{})
	require.NoError(t, err)
	b, err := Marshal(recs, Options{})
	require.NoError(t, err)
	assert.Equal(t, a, b)

	// The template and names are defined by the first record only, so later
	// records of the same shape are much smaller.
	le := binary.LittleEndian
	c := a[fileHeaderSize:]
	first := le.Uint32(c[chunkHeaderSize+4:])
	second := le.Uint32(c[chunkHeaderSize+first+4:])
	assert.Less(t, second*2, first)
	assert.Equal(t, 1, bytes.Count(c, utf16le("EventRecordID")), "names are stored once per chunk")
}

func TestMarshal_SpillsIntoChunks(t *testing.T) {
	var recs []Record
	for i := range 1500 {
		recs = append(recs, diskRecord(i))
	}
	b, err := Marshal(recs, Options{})
	require.NoError(t, err)
	le := binary.LittleEndian
	n := int(le.Uint16(b[42:]))
	require.Greater(t, n, 1)
	require.Len(t, b, fileHeaderSize+n*chunkSize)
	assert.Equal(t, uint64(n-1), le.Uint64(b[16:]))
	assert.Equal(t, uint64(1501), le.Uint64(b[24:]))
	want := uint64(1)
	for i := range n {
		c := b[fileHeaderSize+i*chunkSize:][:chunkSize]
		require.Equal(t, "ElfChnk\x00", string(c[:8]))
		assert.Equal(t, want, le.Uint64(c[24:]), "chunk %d first ID", i)
		want = le.Uint64(c[32:]) + 1
		// Each chunk defines its own names.
		assert.Equal(t, 1, bytes.Count(c, utf16le("EventRecordID")), "chunk %d", i)
	}
	assert.Equal(t, uint64(1501), want)
}

func TestMarshal_Empty(t *testing.T) {
	b, err := Marshal(nil, Options{})
	require.NoError(t, err)
	require.Len(t, b, fileHeaderSize+chunkSize)
	assert.Equal(t, uint64(1), binary.LittleEndian.Uint64(b[24:]))
	assert.Equal(t, uint32(chunkHeaderSize), binary.LittleEndian.Uint32(b[fileHeaderSize+48:]))
}

func TestMarshal_Errors(t *testing.T) {
	big := diskRecord(0)
	big.Binary = make([]byte, 70000)
	huge := diskRecord(0)
	huge.Data = nil
	for range 40 {
		huge.Data = append(huge.Data, Field{Value: string(make([]rune, 800))})
	}
	for _, tc := range []struct {
		name string
		rec  Record
		want error
	}{
		{"no provider", Record{Channel: "System"}, ErrInvalidRecord},
		{"mixed data", Record{Provider: "x", Data: []Field{{Name: "a"}, {Value: "b"}}}, ErrInvalidRecord},
		{"bad uint", Record{Provider: "x", Data: []Field{{Name: "a", Value: "-1", Type: UInt32}}}, ErrInvalidRecord},
		{"empty uint", Record{Provider: "x", Data: []Field{{Name: "a", Type: UInt32}}}, ErrInvalidRecord},
		{"bad type", Record{Provider: "x", Data: []Field{{Name: "a", Type: Type(99)}}}, ErrInvalidRecord},
		{"bad guid", Record{Provider: "x", ProviderGUID: "nope"}, ErrInvalidRecord},
		{"bad sid", Record{Provider: "x", UserSID: "S-1-x"}, ErrInvalidRecord},
		{"unnamed userdata field", Record{Provider: "x", UserData: &UserData{Name: "V", Fields: []Field{{Value: "a"}}}}, ErrInvalidRecord},
		{"both payloads", Record{Provider: "x", Data: []Field{{Value: "a"}}, UserData: &UserData{Name: "V"}}, ErrInvalidRecord},
		{"time before 1601", Record{Provider: "x", Time: time.Date(1500, 1, 1, 0, 0, 0, 0, time.UTC)}, ErrInvalidRecord},
		{"value over 64 KiB", big, ErrRecordTooLarge},
		{"record over a chunk", huge, ErrRecordTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Marshal([]Record{diskRecord(0), tc.rec}, Options{})
			require.Error(t, err)
			assert.True(t, errors.Is(err, tc.want), "got %v", err)
			assert.Contains(t, err.Error(), "record 1")
		})
	}
}

func TestFieldValue_Encodings(t *testing.T) {
	for _, tc := range []struct {
		f    Field
		typ  byte
		data []byte
	}{
		{Field{Value: "ab"}, vtString, []byte{'a', 0, 'b', 0}},
		{Field{Value: ""}, vtString, []byte{}},
		{Field{Value: "0x1234", Type: UInt16}, vtUInt16, []byte{0x34, 0x12}},
		{Field{Value: "-2", Type: Int32}, vtInt32, []byte{0xfe, 0xff, 0xff, 0xff}},
		{Field{Value: "0xc00000b5", Type: HexInt32}, vtHexInt32, []byte{0xb5, 0, 0, 0xc0}},
		{Field{Value: "true", Type: Bool}, vtBool, []byte{1, 0, 0, 0}},
		{Field{Value: "0aff", Type: Binary}, vtBinary, []byte{0x0a, 0xff}},
		{Field{Value: "{01020304-0506-0708-090a-0b0c0d0e0f10}", Type: GUID}, vtGUID,
			[]byte{4, 3, 2, 1, 6, 5, 8, 7, 9, 10, 11, 12, 13, 14, 15, 16}},
		{Field{Value: "S-1-5-18", Type: SID}, vtSID, []byte{1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0}},
		{Field{Value: "1601-01-01T00:00:00.0000001Z", Type: FileTime}, vtFileTime, []byte{1, 0, 0, 0, 0, 0, 0, 0}},
		{Field{Value: "2024-03-14T02:06:41.118Z", Type: SystemTime}, vtSystemTime,
			[]byte{0xe8, 0x07, 3, 0, 4, 0, 14, 0, 2, 0, 6, 0, 41, 0, 118, 0}},
	} {
		v, err := fieldValue(tc.f)
		require.NoError(t, err, "%+v", tc.f)
		assert.Equal(t, tc.typ, v.typ, "%+v", tc.f)
		assert.Equal(t, tc.data, v.data, "%+v", tc.f)
	}
}

func TestMarshal_RecordIDGap(t *testing.T) {
	rec := func(id uint64) Record {
		return Record{Provider: "Microsoft-Windows-Ntfs", ProviderGUID: "{3ff37a1c-a68d-4d6e-8c9b-f79e8b16c482}", Channel: "System",
			Computer: "HOST-1", EventID: 55, Level: 2, Time: time.Date(2024, 3, 14, 8, 0, 0, 0, time.UTC), RecordID: id}
	}
	b, err := Marshal([]Record{rec(0), rec(0), rec(10), rec(0)}, Options{FirstRecordID: 5})
	require.NoError(t, err)
	var ids []uint64
	_, err = evtx.Walk(t.Context(), bytes.NewReader(b), int64(len(b)), func(ev *evtx.Event) error {
		ids = append(ids, ev.RecordID)
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, []uint64{5, 6, 10, 11}, ids)
	_, err = Marshal([]Record{rec(7), rec(3)}, Options{})
	assert.ErrorIs(t, err, ErrInvalidRecord)
}
