package vhdx_test

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvtriage/hvtriage/vhdx"
	"github.com/hvtriage/hvtriage/vhdx/vhdxtest"
)

// mustVHDX writes a VHDX with vhdxtest and fails the test on error.
func mustVHDX(t testing.TB, o vhdxtest.Options) []byte {
	t.Helper()
	b, err := vhdxtest.VHDX(o)
	require.NoError(t, err)
	return b
}

func openBytes(t testing.TB, b []byte) *vhdx.File {
	t.Helper()
	f, err := vhdx.Open(bytes.NewReader(b), int64(len(b)))
	require.NoError(t, err)
	return f
}

func TestWriterRoundTrip(t *testing.T) {
	base := mustVHDX(t, vhdxtest.Options{Seed: "base", VirtualSize: 10 << 30})
	pf := openBytes(t, base)
	assert.Empty(t, pf.Problems)
	assert.Equal(t, vhdx.DiskTypeDynamic, pf.Type())
	assert.Equal(t, 1, pf.Current, "header 2 has the higher sequence number")
	assert.Equal(t, uint64(10<<30), pf.VirtualSize)
	assert.Equal(t, uint32(32<<20), pf.BlockSize)
	assert.Equal(t, uint32(512), pf.LogicalSectorSize)
	assert.Equal(t, uint32(4096), pf.PhysicalSectorSize)
	assert.Equal(t, vhdxtest.GUID("base", "data-write"), pf.DataWriteGUID)
	assert.Equal(t, vhdx.LogClean, pf.Log.State)
	assert.True(t, pf.Parts.Has(vhdx.PartFileID|vhdx.PartHeader|vhdx.PartRegionTable|vhdx.PartMetadata|vhdx.PartBAT))
	assert.False(t, pf.Parts.Has(vhdx.PartParentLocator))
	assert.Nil(t, pf.Parent)

	const (
		abs = `C:\Projects\dfvfs\test_data\fat-parent.vhdx`
		rel = `.\fat-parent.vhdx`
		vol = `\\?\Volume{5e0bd954-71b2-4bff-a928-082af7ab0f8f}\Projects\dfvfs\test_data\fat-parent.vhdx`
	)
	child := mustVHDX(t, vhdxtest.ChildOf("child", pf, rel, abs, vol))
	cf := openBytes(t, child)
	assert.Empty(t, cf.Problems)
	assert.Equal(t, vhdx.DiskTypeDifferencing, cf.Type())
	assert.Equal(t, uint32(2<<20), cf.BlockSize)
	assert.Equal(t, pf.VirtualDiskID, cf.VirtualDiskID)
	require.NotNil(t, cf.Parent)
	loc := cf.Parent
	assert.Equal(t, int64(vhdxtest.LocatorOffset), loc.Off)
	assert.Equal(t, vhdx.LocatorTypeVHDX, loc.Type)
	assert.Equal(t, pf.DataWriteGUID, loc.Linkage)
	assert.True(t, loc.HasLinkage2)
	assert.True(t, loc.Linkage2.IsZero())
	assert.Equal(t, []vhdx.GUID{pf.DataWriteGUID}, loc.Linkages())
	assert.Equal(t, rel, loc.RelativePath)
	assert.Equal(t, abs, loc.AbsolutePath)
	assert.Equal(t, vol, loc.VolumePath)
	keys := []string{}
	for _, e := range loc.Entries {
		keys = append(keys, e.Key)
	}
	assert.Equal(t, []string{"parent_linkage", "absolute_win32_path", "relative_path", "volume_path", "parent_linkage2"}, keys)
	assert.Equal(t, pf.DataWriteGUID.Braced(), loc.Keys["parent_linkage"])
	// Hyper-V's real locator for these paths is 674 bytes long.
	for _, it := range cf.Metadata {
		if it.ItemID == vhdx.ItemParentLocator {
			assert.Equal(t, uint32(674), it.Length)
			assert.Equal(t, uint32(0x10028), it.Offset)
		}
	}
	// parent_linkage value: UTF-16LE "{" then the GUID at the reported offset.
	v := child[loc.LinkageOff : loc.LinkageOff+4]
	assert.Equal(t, []byte{'{', 0, pf.DataWriteGUID.Braced()[1], 0}, v)

	d := vhdx.DiskFromVHDX("vm/child.avhdx", cf)
	assert.Equal(t, []vhdx.GUID{pf.DataWriteGUID}, d.ParentLinkage)
	assert.Equal(t, loc.LinkageOff, d.LinkageOffset)
	require.Len(t, d.ParentPaths, 3)
	assert.Equal(t, []vhdx.PathKind{vhdx.PathRelative, vhdx.PathVolume, vhdx.PathAbsolute},
		[]vhdx.PathKind{d.ParentPaths[0].Kind, d.ParentPaths[1].Kind, d.ParentPaths[2].Kind})
	assert.Equal(t, int64(0x20000+32), d.IDOffset)
}

func TestWriterLog(t *testing.T) {
	dirty := openBytes(t, mustVHDX(t, vhdxtest.Options{Seed: "d", DirtyLog: true, StaleLogEntry: true}))
	assert.Equal(t, vhdx.LogDirty, dirty.Log.State)
	assert.Equal(t, 1, dirty.Log.Entries)
	assert.Equal(t, 1, dirty.Log.StaleEntries)
	assert.Equal(t, int64(vhdxtest.LogOffset), dirty.Log.FirstEntry)
	assert.True(t, dirty.Parts.Has(vhdx.PartLog))

	clean := openBytes(t, mustVHDX(t, vhdxtest.Options{Seed: "c", StaleLogEntry: true}))
	assert.Equal(t, vhdx.LogClean, clean.Log.State)
	assert.Empty(t, clean.Problems)

	// LogGuid set, matching entry present but its CRC broken: nothing to replay.
	b := mustVHDX(t, vhdxtest.Options{Seed: "d", DirtyLog: true})
	b[vhdxtest.LogOffset+100] ^= 0xff
	f := openBytes(t, b)
	assert.Equal(t, vhdx.LogClean, f.Log.State)
	assert.True(t, hasProblem(f.Problems, vhdx.ProblemNote, vhdxtest.LogOffset, "no valid log entry"))

	// LogGuid set but the log was not collected.
	b = mustVHDX(t, vhdxtest.Options{Seed: "d", DirtyLog: true})
	f = openBytes(t, b[:1<<20])
	assert.Equal(t, vhdx.LogUnverifiable, f.Log.State)
	assert.True(t, hasProblem(f.Problems, vhdx.ProblemTruncated, vhdxtest.LogOffset, "cannot be verified"))
}

func TestVHDWriterRoundTrip(t *testing.T) {
	parent, err := vhdxtest.VHD(vhdxtest.VHDOptions{Seed: "p", CurrentSize: 64 << 20})
	require.NoError(t, err)
	pv, err := vhdx.OpenVHD(bytes.NewReader(parent), int64(len(parent)))
	require.NoError(t, err)
	assert.Empty(t, pv.Problems)
	assert.Equal(t, vhdx.DiskTypeDynamic, pv.Type())
	assert.Equal(t, uint64(64<<20), pv.Footer.CurrentSize)
	require.NotNil(t, pv.FooterCopy)

	child, err := vhdxtest.VHD(vhdxtest.VHDOptions{Seed: "c", CurrentSize: 64 << 20, ParentUniqueID: pv.Footer.UniqueID,
		ParentName: `D:\VMs\base.vhd`, AbsolutePath: `D:\VMs\base.vhd`, RelativePath: `.\base.vhd`})
	require.NoError(t, err)
	cv, err := vhdx.OpenVHD(bytes.NewReader(child), int64(len(child)))
	require.NoError(t, err)
	assert.Empty(t, cv.Problems)
	assert.Equal(t, vhdx.DiskTypeDifferencing, cv.Type())
	assert.Equal(t, pv.Footer.UniqueID, cv.Dynamic.ParentUniqueID)
	assert.Equal(t, `D:\VMs\base.vhd`, cv.Dynamic.ParentName)
	pp := cv.ParentPaths()
	require.Len(t, pp, 3)
	assert.Equal(t, vhdx.ParentPath{Kind: vhdx.PathRelative, Path: `.\base.vhd`, Off: vhdxtest.VHDW2ruOffset}, pp[0])
	assert.Equal(t, vhdx.ParentPath{Kind: vhdx.PathAbsolute, Path: `D:\VMs\base.vhd`, Off: vhdxtest.VHDW2kuOffset}, pp[1])
	assert.Equal(t, vhdx.PathParentName, pp[2].Kind)

	fixed, err := vhdxtest.VHD(vhdxtest.VHDOptions{Seed: "f", Type: vhdx.DiskTypeFixed, CurrentSize: 1 << 20})
	require.NoError(t, err)
	fv, err := vhdx.OpenVHD(bytes.NewReader(fixed), int64(len(fixed)))
	require.NoError(t, err)
	assert.Equal(t, vhdx.DiskTypeFixed, fv.Type())
	assert.Nil(t, fv.Dynamic)
	assert.Empty(t, fv.Problems)
	assert.Equal(t, ^uint64(0), binary.BigEndian.Uint64(fixed[len(fixed)-512+16:]))
}
