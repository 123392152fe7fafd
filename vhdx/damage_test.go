package vhdx_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvtriage/hvtriage/vhdx"
	"github.com/hvtriage/hvtriage/vhdx/vhdxtest"
)

// recrc recomputes the CRC-32C of the structure of length n at off, so a
// test can change a field and keep the structure valid.
func recrc(b []byte, off, n int) {
	s := b[off : off+n]
	binary.LittleEndian.PutUint32(s[4:], 0)
	binary.LittleEndian.PutUint32(s[4:], crc32.Checksum(s, crc32.MakeTable(crc32.Castagnoli)))
}

func TestVHDXDamage(t *testing.T) {
	child := func() []byte {
		p := openBytes(t, mustVHDX(t, vhdxtest.Options{Seed: "p"}))
		return mustVHDX(t, vhdxtest.ChildOf("c", p, `.\p.vhdx`, `C:\p.vhdx`, ""))
	}
	tests := []struct {
		name      string
		build     func() []byte
		current   int
		corrupt   bool
		truncated bool
		typ       vhdx.DiskType
		parts     vhdx.Parts // must be present
		noParts   vhdx.Parts // must be absent
		problem   vhdx.ProblemKind
		off       int64
		msg       string
	}{
		{
			name:    "header 2 CRC bad: header 1 used",
			build:   func() []byte { b := child(); copy(b[0x20004:], "\xde\xad\xbe\xef"); return b },
			current: 0, typ: vhdx.DiskTypeDifferencing, parts: vhdx.PartParentLocator,
			problem: vhdx.ProblemChecksum, off: 0x20004, msg: "header 2 CRC-32C mismatch",
		},
		{
			name:    "header 2 signature bad: header 1 used",
			build:   func() []byte { b := child(); copy(b[0x20000:], "XXXX"); return b },
			current: 0, typ: vhdx.DiskTypeDifferencing,
			problem: vhdx.ProblemFormat, off: 0x20000, msg: `no "head" signature`,
		},
		{
			name:    "header 1 CRC bad: header 2 used",
			build:   func() []byte { b := child(); b[0x10004] ^= 1; return b },
			current: 1, typ: vhdx.DiskTypeDifferencing,
			problem: vhdx.ProblemNote, off: 0x10000, msg: "header 1 is invalid; header 2",
		},
		{
			name:    "both header CRCs bad: corrupt",
			build:   func() []byte { b := child(); b[0x10004] ^= 1; b[0x20004] ^= 1; return b },
			current: -1, corrupt: true, typ: vhdx.DiskTypeDifferencing, noParts: vhdx.PartHeader,
			problem: vhdx.ProblemFormat, off: 0x10000, msg: "no valid VHDX header",
		},
		{
			name: "equal sequence numbers, different headers: corrupt",
			build: func() []byte {
				b := child()
				binary.LittleEndian.PutUint64(b[0x20008:], 1)
				b[0x20010] ^= 1 // another FileWriteGuid
				recrc(b, 0x20000, 4096)
				return b
			},
			current: -1, corrupt: true, typ: vhdx.DiskTypeDifferencing,
			problem: vhdx.ProblemFormat, off: 0x10000, msg: "same sequence number 1 but different contents",
		},
		{
			name:    "region table 1 CRC bad: table 2 used",
			build:   func() []byte { b := child(); copy(b[0x30004:], "\xde\xad\xbe\xef"); return b },
			current: 1, typ: vhdx.DiskTypeDifferencing, parts: vhdx.PartRegionTable | vhdx.PartMetadata,
			problem: vhdx.ProblemChecksum, off: 0x30004, msg: "region table 1 CRC-32C mismatch",
		},
		{
			name:    "both region tables bad: corrupt",
			build:   func() []byte { b := child(); b[0x30004] ^= 1; b[0x40004] ^= 1; return b },
			current: 1, corrupt: true, typ: vhdx.DiskTypeUnknown, noParts: vhdx.PartRegionTable | vhdx.PartMetadata,
			problem: vhdx.ProblemFormat, off: 0x30000, msg: "no valid region table",
		},
		{
			name: "unknown required region",
			build: func() []byte {
				b := child()
				for _, off := range []int{0x30000, 0x40000} {
					binary.LittleEndian.PutUint32(b[off+8:], 3)
					e := b[off+16+64:]
					copy(e, "0123456789abcdef")
					binary.LittleEndian.PutUint64(e[16:], 8<<20)
					binary.LittleEndian.PutUint32(e[24:], 1<<20)
					binary.LittleEndian.PutUint32(e[28:], 1)
					recrc(b, off, 64<<10)
				}
				return b
			},
			current: 1, corrupt: true, typ: vhdx.DiskTypeDifferencing,
			problem: vhdx.ProblemUnsupported, off: 0x30000 + 16 + 64, msg: "marked required",
		},
		{
			name:    "truncated at 300000 bytes: region table 2 missing",
			build:   func() []byte { return child()[:300000] },
			current: 1, truncated: true, typ: vhdx.DiskTypeUnknown, parts: vhdx.PartRegionTable, noParts: vhdx.PartMetadata,
			problem: vhdx.ProblemTruncated, off: 0x40000, msg: "region table 2",
		},
		{
			name:    "truncated at 1 MiB: metadata beyond EOF",
			build:   func() []byte { return child()[:1<<20] },
			current: 1, truncated: true, typ: vhdx.DiskTypeUnknown, noParts: vhdx.PartMetadata | vhdx.PartParentLocator,
			problem: vhdx.ProblemTruncated, off: vhdxtest.MetadataOffset, msg: "parent locator are unknown",
		},
		{
			name:    "truncated at 100000 bytes: header 2 missing",
			build:   func() []byte { return child()[:100000] },
			current: 0, truncated: true, typ: vhdx.DiskTypeUnknown, parts: vhdx.PartHeader, noParts: vhdx.PartRegionTable,
			problem: vhdx.ProblemTruncated, off: 0x20000, msg: "header 2",
		},
		{
			name:    "truncated inside the locator",
			build:   func() []byte { return child()[:vhdxtest.LocatorOffset+100] },
			current: 1, truncated: true, typ: vhdx.DiskTypeDifferencing, parts: vhdx.PartMetadata, noParts: vhdx.PartParentLocator,
			problem: vhdx.ProblemTruncated, off: vhdxtest.LocatorOffset, msg: "parent locator item",
		},
		{
			name:    "header section only: BAT beyond EOF is a note",
			build:   func() []byte { return mustVHDX(t, vhdxtest.Options{Seed: "p"})[:3<<20] },
			current: 1, truncated: true, typ: vhdx.DiskTypeDynamic, parts: vhdx.PartMetadata, noParts: vhdx.PartBAT,
			problem: vhdx.ProblemTruncated, off: vhdxtest.BATOffset, msg: "BAT region",
		},
		{
			name: "metadata signature bad",
			build: func() []byte {
				b := child()
				copy(b[vhdxtest.MetadataOffset:], "METADATA")
				return b
			},
			current: 1, corrupt: true, typ: vhdx.DiskTypeUnknown,
			problem: vhdx.ProblemFormat, off: vhdxtest.MetadataOffset, msg: `no "metadata" signature`,
		},
		{
			name: "HasParent without locator",
			build: func() []byte {
				b := child()
				binary.LittleEndian.PutUint16(b[vhdxtest.MetadataOffset+10:], 5) // drop the locator entry
				return b
			},
			current: 1, corrupt: true, typ: vhdx.DiskTypeDifferencing, noParts: vhdx.PartParentLocator,
			problem: vhdx.ProblemFormat, off: vhdxtest.MetadataOffset, msg: "no parent locator item",
		},
		{
			name: "bad parent_linkage text",
			build: func() []byte {
				b := child()
				i := bytes.Index(b[vhdxtest.LocatorOffset:], []byte{'{', 0})
				b[vhdxtest.LocatorOffset+i+2] = 'z'
				return b
			},
			current: 1, corrupt: true, typ: vhdx.DiskTypeDifferencing, parts: vhdx.PartParentLocator,
			problem: vhdx.ProblemFormat, msg: "parent_linkage value", off: -1,
		},
		{
			name: "block size not a power of two",
			build: func() []byte {
				b := child()
				binary.LittleEndian.PutUint32(b[vhdxtest.MetadataOffset+0x10000:], 3<<20)
				return b
			},
			current: 1, corrupt: true, typ: vhdx.DiskTypeDifferencing,
			problem: vhdx.ProblemFormat, off: vhdxtest.MetadataOffset + 0x10000, msg: "block size",
		},
		{
			name: "header version 2 unsupported",
			build: func() []byte {
				b := child()
				for _, off := range []int{0x10000, 0x20000} {
					binary.LittleEndian.PutUint16(b[off+66:], 2)
					recrc(b, off, 4096)
				}
				return b
			},
			current: 1, corrupt: true, typ: vhdx.DiskTypeDifferencing,
			problem: vhdx.ProblemUnsupported, off: 0x20000 + 66, msg: "header version 2",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := tt.build()
			f := openBytes(t, b)
			assert.Equal(t, tt.current, f.Current)
			assert.Equal(t, tt.corrupt, f.Corrupt(), "%v", f.Problems)
			assert.Equal(t, tt.truncated, f.Truncated)
			assert.Equal(t, tt.typ, f.Type())
			assert.True(t, f.Parts.Has(vhdx.PartFileID|tt.parts), "parts %b", f.Parts)
			assert.Zero(t, f.Parts&tt.noParts, "parts %b", f.Parts)
			assert.True(t, hasProblem(f.Problems, tt.problem, tt.off, tt.msg), "want %s at 0x%x %q in %v", tt.problem, tt.off, tt.msg, f.Problems)
		})
	}
}

func TestOpenErrors(t *testing.T) {
	_, err := vhdx.Open(bytes.NewReader(nil), 0)
	var fe *vhdx.FormatError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, int64(0), fe.Off)
	assert.ErrorIs(t, err, vhdx.ErrFormat)

	_, err = vhdx.Open(bytes.NewReader([]byte("conectix........")), 16)
	require.ErrorIs(t, err, vhdx.ErrFormat)
	assert.ErrorContains(t, err, "bad VHDX file type identifier")

	_, err = vhdx.Open(bytes.NewReader(nil), -1)
	require.ErrorIs(t, err, vhdx.ErrFormat)

	// A failing reader is reported, not mistaken for truncation.
	boom := errors.New("disk on fire")
	b := mustVHDX(t, vhdxtest.Options{Seed: "x"})
	_, err = vhdx.Open(failAfter{bytes.NewReader(b), 0x10000, boom}, int64(len(b)))
	require.ErrorIs(t, err, boom)

	// A reader that returns EOF inside the declared size is a truncation.
	f, err := vhdx.Open(bytes.NewReader(b[:0x30000]), int64(len(b)))
	require.NoError(t, err)
	assert.True(t, f.Truncated)
	assert.Equal(t, 1, f.Current)

	_, err = vhdx.OpenVHD(bytes.NewReader(make([]byte, 4096)), 4096)
	require.ErrorIs(t, err, vhdx.ErrFormat)
	assert.ErrorContains(t, err, "conectix")
}

// failAfter fails every read at or beyond off.
type failAfter struct {
	r   io.ReaderAt
	off int64
	err error
}

func (f failAfter) ReadAt(p []byte, off int64) (int, error) {
	if off+int64(len(p)) > f.off {
		return 0, f.err
	}
	return f.r.ReadAt(p, off)
}

func TestVHDDamage(t *testing.T) {
	mk := func(o vhdxtest.VHDOptions) []byte {
		b, err := vhdxtest.VHD(o)
		require.NoError(t, err)
		return b
	}
	diff := func() []byte {
		return mk(vhdxtest.VHDOptions{Seed: "c", CurrentSize: 64 << 20, ParentUniqueID: vhdxtest.GUID("p", "id"),
			ParentName: `D:\p.vhd`, AbsolutePath: `D:\p.vhd`, RelativePath: `.\p.vhd`})
	}
	t.Run("footer only", func(t *testing.T) {
		b := diff()
		tail := b[len(b)-512:]
		v, err := vhdx.OpenVHD(bytes.NewReader(tail), 512)
		require.NoError(t, err)
		assert.Equal(t, vhdx.DiskTypeDifferencing, v.Type())
		assert.True(t, v.Truncated)
		assert.Nil(t, v.Dynamic)
		assert.True(t, hasProblem(v.Problems, vhdx.ProblemTruncated, 512, "dynamic header (1024 bytes at 0x200)"), "%v", v.Problems)
		d := vhdx.DiskFromVHD("vm/p_1.avhd", v)
		assert.False(t, d.ParentInfo)
	})
	t.Run("head only: copy at offset 0 used", func(t *testing.T) {
		b := diff()[:8192]
		v, err := vhdx.OpenVHD(bytes.NewReader(b), int64(len(b)))
		require.NoError(t, err)
		assert.Equal(t, int64(0), v.Footer.Off)
		assert.True(t, v.Truncated)
		require.NotNil(t, v.Dynamic)
		assert.Len(t, v.Dynamic.Locators, 2)
		assert.True(t, hasProblem(v.Problems, vhdx.ProblemTruncated, int64(len(b))-512, "copy at offset 0 is used"))
	})
	t.Run("bad end footer, good copy", func(t *testing.T) {
		b := diff()
		b[len(b)-512+64] ^= 0xff
		v, err := vhdx.OpenVHD(bytes.NewReader(b), int64(len(b)))
		require.NoError(t, err)
		assert.Equal(t, int64(0), v.Footer.Off)
		assert.True(t, v.Footer.ChecksumOK())
		assert.True(t, hasProblem(v.Problems, vhdx.ProblemChecksum, int64(len(b))-512+64, "valid copy at offset 0"))
	})
	t.Run("511-byte footer", func(t *testing.T) {
		b, err := vhdxtest.VHD(vhdxtest.VHDOptions{Seed: "f", Type: vhdx.DiskTypeFixed, CurrentSize: 4096})
		require.NoError(t, err)
		b = b[:len(b)-1]
		v, err := vhdx.OpenVHD(bytes.NewReader(b), int64(len(b)))
		require.NoError(t, err)
		assert.Equal(t, int64(len(b)-511), v.Footer.Off)
		assert.Equal(t, vhdx.DiskTypeFixed, v.Type())
		assert.True(t, v.Footer.ChecksumOK(), "the missing byte is a reserved zero")
		assert.True(t, hasProblem(v.Problems, vhdx.ProblemNote, int64(len(b)-511), "511-byte"))
	})
	t.Run("VHD named .avhdx", func(t *testing.T) {
		b := diff()
		assert.Equal(t, vhdx.FormatVHD, vhdx.Detect(bytes.NewReader(b), int64(len(b))))
		v, err := vhdx.OpenVHD(bytes.NewReader(b), int64(len(b)))
		require.NoError(t, err)
		d := vhdx.DiskFromVHD("vm/p_1.avhdx", v)
		assert.True(t, hasProblem(d.Problems, vhdx.ProblemFormat, 0, "named .avhdx but contains a VHD disk"))
		_, err = vhdx.Open(bytes.NewReader(b), int64(len(b)))
		assert.ErrorIs(t, err, vhdx.ErrFormat)
	})
	t.Run("bad cxsparse cookie", func(t *testing.T) {
		b := diff()
		copy(b[512:], "XXXXXXXX")
		v, err := vhdx.OpenVHD(bytes.NewReader(b), int64(len(b)))
		require.NoError(t, err)
		assert.True(t, v.Corrupt())
		assert.True(t, hasProblem(v.Problems, vhdx.ProblemFormat, 512, "cxsparse"))
	})
	t.Run("locator data beyond EOF", func(t *testing.T) {
		b := diff()
		binary.BigEndian.PutUint64(b[512+576+16:], 1<<40)
		vhdxtest.PutVHDChecksum(b[512:1536], 36)
		v, err := vhdx.OpenVHD(bytes.NewReader(b), int64(len(b)))
		require.NoError(t, err)
		assert.True(t, v.Truncated)
		assert.True(t, hasProblem(v.Problems, vhdx.ProblemTruncated, 512+576+16, "W2ku"))
	})
}

func TestFormatErrorText(t *testing.T) {
	err := &vhdx.FormatError{Off: 0x10000, Msg: "bad thing", Val: 7}
	assert.Equal(t, "vhdx: bad thing '7' at byte 0x10000", err.Error())
	assert.ErrorIs(t, err, vhdx.ErrFormat)
	p := vhdx.Problem{Off: 4, Kind: vhdx.ProblemChecksum, Severity: vhdx.SeverityWarning, Msg: "x"}
	assert.Equal(t, "warning (checksum) at 0x4: x", p.String())
	assert.ErrorIs(t, p.Err(), vhdx.ErrChecksum)
	assert.EqualError(t, p.Err(), "vhdx: warning (checksum) at 0x4: x")
	p.Kind = vhdx.ProblemTruncated
	assert.ErrorIs(t, p.Err(), io.ErrUnexpectedEOF)
	p.Kind = vhdx.ProblemUnsupported
	assert.ErrorIs(t, p.Err(), vhdx.ErrUnsupported)
	p.Kind = vhdx.ProblemFormat
	assert.ErrorIs(t, p.Err(), vhdx.ErrFormat)
	p.Kind = vhdx.ProblemNote
	assert.NoError(t, p.Err())
	assert.Equal(t, "info (note): y", vhdx.Problem{Off: -1, Kind: vhdx.ProblemNote, Msg: "y"}.String())
}
