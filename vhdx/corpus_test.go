package vhdx_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvtriage/hvtriage/vhdx"
)

const corpusHead = 8 << 20

func hasProblem(ps []vhdx.Problem, kind vhdx.ProblemKind, off int64, substr string) bool {
	for _, p := range ps {
		if p.Kind == kind && (off < 0 || p.Off == off) && strings.Contains(p.Msg, substr) {
			return true
		}
	}
	return false
}

func maxSeverity(ps []vhdx.Problem) vhdx.Severity {
	s := vhdx.SeverityInfo
	for _, p := range ps {
		s = max(s, p.Severity)
	}
	return s
}

func TestCorpusVHDX(t *testing.T) {
	dir := filepath.Join(corpusDir(t), "qemu")
	tests := []struct {
		file        string
		size        int64
		creator     string
		virtualSize uint64
		blockSize   uint32
		pss         uint32
		id          string
		log         vhdx.LogState
		stale       int
		check       func(t *testing.T, f *vhdx.File)
	}{
		{
			file: "iotest-dynamic-1G.vhdx.bz2", size: 104857600, creator: "Microsoft Windows 6.2.9200.16384",
			virtualSize: 1 << 30, blockSize: 32 << 20, pss: 4096,
			id: "D247CBB2-15B6-404B-9133-790733D694C0", log: vhdx.LogClean, stale: 0,
			check: func(t *testing.T, f *vhdx.File) {
				assert.True(t, f.LogGUID.IsZero())
				assert.Empty(t, f.Problems, "a clean Hyper-V file has nothing to report")
				assert.Equal(t, []uint64{14, 15}, []uint64{f.Headers[0].SequenceNumber, f.Headers[1].SequenceNumber})
			},
		},
		{
			file: "iotest-dirtylog-10G-4M.vhdx.bz2", size: 31457280, creator: "QEMU v1.6.50",
			virtualSize: 10 << 30, blockSize: 1 << 20, pss: 512,
			id: "5AB1B2EE-2F64-2E40-8A9B-0F0BCFDCD544", log: vhdx.LogDirty, stale: 6,
			check: func(t *testing.T, f *vhdx.File) {
				assert.Equal(t, 1, f.Log.Entries)
				assert.NotEqual(t, f.Headers[0].DataWriteGUID, f.Headers[1].DataWriteGUID)
				assert.True(t, hasProblem(f.Problems, vhdx.ProblemNote, f.Log.FirstEntry, "log is dirty"))
				for _, r := range f.Regions {
					assert.False(t, r.Required, "qemu writes Required=0")
				}
			},
		},
		{
			file: "test-disk2vhd.vhdx.bz2", size: 272630272, creator: "d2v",
			virtualSize: 256 << 20, blockSize: 2 << 20, pss: 512,
			id: "FD03891C-29E5-4AD6-8EE1-7198D3B1E263", log: vhdx.LogClean,
			check: func(t *testing.T, f *vhdx.File) {
				assert.Equal(t, 0, f.Current)
				assert.True(t, hasProblem(f.Problems, vhdx.ProblemNote, 0x20000, "byte-identical"))
				assert.Equal(t, vhdx.SeverityInfo, maxSeverity(f.Problems))
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			sf := loadBZ2(t, filepath.Join(dir, tt.file), corpusHead)
			require.Equal(t, tt.size, sf.size)
			require.Equal(t, vhdx.FormatVHDX, vhdx.Detect(sf, sf.size))
			f, err := vhdx.Open(sf, sf.size)
			require.NoError(t, err)
			assert.Equal(t, tt.creator, f.Creator)
			assert.False(t, f.Corrupt())
			assert.False(t, f.Truncated)
			assert.Equal(t, vhdx.DiskTypeDynamic, f.Type())
			assert.Equal(t, tt.virtualSize, f.VirtualSize)
			assert.Equal(t, tt.blockSize, f.BlockSize)
			assert.Equal(t, uint32(512), f.LogicalSectorSize)
			assert.Equal(t, tt.pss, f.PhysicalSectorSize)
			assert.Equal(t, tt.id, f.DataWriteGUID.String())
			assert.Equal(t, tt.log, f.Log.State)
			if tt.log == vhdx.LogClean && f.LogGUID.IsZero() {
				assert.Zero(t, f.Log.StaleEntries, "log is not scanned when LogGuid is zero")
			} else {
				assert.Equal(t, tt.stale, f.Log.StaleEntries)
			}
			tt.check(t, f)
		})
	}
}

func TestCorpusVHD(t *testing.T) {
	dir := corpusDir(t)
	type want struct {
		typ     vhdx.DiskType
		creator string
		size    uint64
	}
	tests := []struct {
		file string
		want want
	}{
		{"qemu/hyperv2012r2-dynamic.vhd.bz2", want{vhdx.DiskTypeDynamic, "win ", 136365211648}},
		{"qemu/virtualpc-dynamic.vhd.bz2", want{vhdx.DiskTypeDynamic, "vpc ", 136365211648}},
		{"qemu/d2v-zerofilled.vhd.bz2", want{vhdx.DiskTypeDynamic, "d2v", 0}},
		{"dfvfs/ext2.vhd", want{vhdx.DiskTypeDynamic, "qemu", 0}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			v := openCorpusVHD(t, filepath.Join(dir, tt.file))
			assert.Equal(t, tt.want.typ, v.Type())
			assert.Equal(t, tt.want.creator, v.Footer.CreatorApp)
			if tt.want.size != 0 {
				assert.Equal(t, tt.want.size, v.Footer.CurrentSize)
			}
			assert.True(t, v.Footer.ChecksumOK())
			require.NotNil(t, v.Dynamic)
			assert.True(t, v.Dynamic.ChecksumOK())
			assert.False(t, v.Corrupt())
			assert.Empty(t, v.Problems)
		})
	}
}

func openCorpusVHD(t *testing.T, path string) *vhdx.VHD {
	t.Helper()
	var v *vhdx.VHD
	var err error
	if strings.HasSuffix(path, ".bz2") {
		sf := loadBZ2(t, path, corpusHead)
		require.Equal(t, vhdx.FormatVHD, vhdx.Detect(sf, sf.size))
		v, err = vhdx.OpenVHD(sf, sf.size)
	} else {
		r, size := readFile(t, path)
		require.Equal(t, vhdx.FormatVHD, vhdx.Detect(r, size))
		v, err = vhdx.OpenVHD(r, size)
	}
	require.NoError(t, err)
	return v
}

func TestCorpusFatDifferential(t *testing.T) {
	v := openCorpusVHD(t, filepath.Join(corpusDir(t), "dfvfs", "fat-differential.vhd"))
	assert.Equal(t, vhdx.DiskTypeDifferencing, v.Type())
	assert.Equal(t, "win ", v.Footer.CreatorApp)
	assert.Equal(t, uint32(0x000a0000), v.Footer.CreatorVersion)
	assert.Equal(t, uint64(4<<20), v.Footer.CurrentSize)
	assert.Empty(t, v.Problems)
	require.NotNil(t, v.Dynamic)
	assert.Zero(t, v.Dynamic.ParentTimestamp)
	assert.Equal(t, `C:\Projects\dfvfs\test_data\fat-parent.vhd`, v.Dynamic.ParentName)
	// vhdiinfo prints these in raw byte order; we print Windows order.
	assert.Equal(t, "36164FF8-9ECD-4190-A69E-DCC2380E416A", v.Footer.UniqueID.String())
	require.Len(t, v.Dynamic.Locators, 2)
	assert.Equal(t, "W2ku", v.Dynamic.Locators[0].Code)
	assert.Equal(t, `C:\Projects\dfvfs\test_data\fat-parent.vhd`, v.Dynamic.Locators[0].Path)
	assert.Equal(t, uint64(0x1000), v.Dynamic.Locators[0].DataOffset)
	assert.Equal(t, "W2ru", v.Dynamic.Locators[1].Code)
	assert.Equal(t, `.\fat-parent.vhd`, v.Dynamic.Locators[1].Path)
	assert.Equal(t, uint64(0x3000), v.Dynamic.Locators[1].DataOffset)

	d := vhdx.DiskFromVHD("dfvfs/fat-differential.vhd", v)
	require.Len(t, d.ParentPaths, 3)
	assert.Equal(t, vhdx.PathRelative, d.ParentPaths[0].Kind)
	assert.Equal(t, int64(512+40), d.LinkageOffset)
}

func TestCorpusImageDifferential(t *testing.T) {
	// Unlike what the reference notes say, the parent image.vhd also has a
	// bad footer checksum (both copies); its dynamic header is fine.
	dir := filepath.Join(corpusDir(t), "dfvfs")
	child := openCorpusVHD(t, filepath.Join(dir, "image-differential.vhd"))
	parent := openCorpusVHD(t, filepath.Join(dir, "image.vhd"))
	assert.Equal(t, vhdx.DiskTypeDifferencing, child.Type())
	assert.False(t, child.Footer.ChecksumOK())
	assert.Equal(t, uint32(0xfffff683), child.Footer.Checksum)
	assert.Equal(t, uint32(0xffffeeb6), child.Footer.ComputedChecksum)
	require.NotNil(t, child.Dynamic)
	assert.Equal(t, uint32(0xfffff476), child.Dynamic.Checksum)
	assert.Equal(t, uint32(0xffffe9a5), child.Dynamic.ComputedChecksum)
	assert.True(t, hasProblem(child.Problems, vhdx.ProblemChecksum, child.Footer.Off+64, "footer checksum"))
	assert.True(t, hasProblem(child.Problems, vhdx.ProblemChecksum, 512+36, "dynamic header checksum"))
	assert.Empty(t, child.Dynamic.Locators)
	assert.Equal(t, parent.Footer.UniqueID, child.Dynamic.ParentUniqueID)

	assert.Equal(t, vhdx.DiskTypeDynamic, parent.Type())
	assert.Equal(t, uint32(0xffffef25), parent.Footer.ComputedChecksum)
	require.Len(t, parent.Problems, 1)
	assert.True(t, hasProblem(parent.Problems, vhdx.ProblemChecksum, parent.Footer.Off+64, "the copy at 0x0 has the same mismatch"))
	require.NotNil(t, parent.Dynamic)
	assert.True(t, parent.Dynamic.ChecksumOK())
	assert.False(t, parent.Corrupt())
}
