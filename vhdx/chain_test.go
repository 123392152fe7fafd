package vhdx_test

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvtriage/hvtriage/vhdx"
	"github.com/hvtriage/hvtriage/vhdx/vhdxtest"
)

// family builds Hyper-V-style disks in memory and turns them into Disks.
type family struct {
	t     *testing.T
	files map[string]*vhdx.File
}

func newFamily(t *testing.T) *family { return &family{t: t, files: map[string]*vhdx.File{}} }

func (fm *family) base(path string, o vhdxtest.Options) *vhdx.File {
	fm.t.Helper()
	if o.Seed == "" {
		o.Seed = path
	}
	f := openBytes(fm.t, mustVHDX(fm.t, o))
	fm.files[path] = f
	return f
}

// child writes a differencing disk of parentPath at path, with a relative
// locator path computed like Hyper-V does for files in one directory.
func (fm *family) child(path, parentPath string, edit func(*vhdxtest.Options)) *vhdx.File {
	fm.t.Helper()
	p := fm.files[parentPath]
	require.NotNil(fm.t, p, parentPath)
	name := filepath.Base(parentPath)
	o := vhdxtest.ChildOf(path, p, `.\`+name, `C:\VMs\`+name, `\\?\Volume{11111111-2222-3333-4444-555555555555}\VMs\`+name)
	if edit != nil {
		edit(&o)
	}
	f := openBytes(fm.t, mustVHDX(fm.t, o))
	fm.files[path] = f
	return f
}

func (fm *family) disks() []vhdx.Disk {
	var ds []vhdx.Disk
	for p, f := range fm.files {
		ds = append(ds, vhdx.DiskFromVHDX(p, f))
	}
	return ds
}

func issuesOf(set vhdx.ChainSet, kind vhdx.IssueKind) []vhdx.Issue {
	var out []vhdx.Issue
	for _, is := range set.Issues {
		if is.Kind == kind {
			out = append(out, is)
		}
	}
	return out
}

func TestChainHealthyThreeDeep(t *testing.T) {
	fm := newFamily(t)
	fm.base("vm/base.vhdx", vhdxtest.Options{VirtualSize: 20 << 30})
	fm.child("vm/base_A.avhdx", "vm/base.vhdx", nil)
	fm.child("vm/base_B.avhdx", "vm/base_A.avhdx", nil)
	set := vhdx.BuildChains(fm.disks(), vhdx.ChainOptions{References: []string{`C:\VMs\vm\base_B.avhdx`}})
	assert.Empty(t, set.Issues)
	require.Len(t, set.Nodes, 3)
	require.Len(t, set.Links, 2)
	for _, l := range set.Links {
		assert.Equal(t, vhdx.LinkOK, l.Status, l.Reason)
		assert.Equal(t, "relative path", l.MatchedBy)
	}
	require.Len(t, set.Chains, 1)
	ch := set.Chains[0]
	assert.Equal(t, "vm/base_B.avhdx", ch.Leaf)
	assert.Equal(t, []string{"vm/base_B.avhdx", "vm/base_A.avhdx", "vm/base.vhdx"}, ch.Disks)
	assert.True(t, ch.Complete)
	assert.False(t, ch.Broken)
	for _, n := range set.Nodes {
		assert.Equal(t, n.Path == "vm/base_B.avhdx", n.Leaf, n.Path)
		assert.Equal(t, n.Path == "vm/base_B.avhdx", n.Referenced, n.Path)
	}
}

func TestChainParentModifiedAfterChild(t *testing.T) {
	fm := newFamily(t)
	old := fm.base("vm/base.vhdx", vhdxtest.Options{})
	child := fm.child("vm/base_A.avhdx", "vm/base.vhdx", nil)
	// The parent is written again (mounted read-write, say): new DataWriteGuid.
	fresh := fm.base("vm/base.vhdx", vhdxtest.Options{Seed: "vm/base.vhdx", DataWriteGUID: vhdxtest.GUID("x", "after"), Sequence: 9})
	require.NotEqual(t, old.DataWriteGUID, fresh.DataWriteGUID)

	set := vhdx.BuildChains(fm.disks(), vhdx.ChainOptions{})
	got := issuesOf(set, vhdx.IssueLinkageMismatch)
	require.Len(t, got, 1)
	is := got[0]
	assert.Equal(t, uint32(0xC03A000E), is.Code)
	assert.Equal(t, vhdx.SeverityError, is.Severity)
	assert.Equal(t, "vm/base_A.avhdx", is.Child)
	assert.Equal(t, "vm/base.vhdx", is.Parent)
	assert.Equal(t, old.DataWriteGUID, is.ChildGUID)
	assert.Equal(t, fresh.DataWriteGUID, is.ParentGUID)
	assert.Equal(t, child.Parent.LinkageOff, is.ChildOffset)
	assert.Equal(t, int64(0x20020), is.ParentOffset)
	assert.Contains(t, is.Msg, fresh.DataWriteGUID.String())
	assert.Contains(t, is.Msg, old.DataWriteGUID.Braced())
	assert.Equal(t, "vm/base_A.avhdx", is.Fix)
	require.Len(t, set.Links, 1)
	assert.Equal(t, vhdx.LinkBroken, set.Links[0].Status)
	require.Len(t, set.Chains, 1)
	assert.True(t, set.Chains[0].Broken)
	assert.False(t, set.Chains[0].Complete)
}

func TestChainParentMissingAndNotCollected(t *testing.T) {
	fm := newFamily(t)
	fm.base("vm/base.vhdx", vhdxtest.Options{})
	fm.child("vm/base_A.avhdx", "vm/base.vhdx", nil)
	delete(fm.files, "vm/base.vhdx")
	ds := fm.disks()

	set := vhdx.BuildChains(ds, vhdx.ChainOptions{})
	got := issuesOf(set, vhdx.IssueParentMissing)
	require.Len(t, got, 1)
	assert.Equal(t, uint32(0xC03A000D), got[0].Code)
	assert.Equal(t, "vm/base_A.avhdx", got[0].Child)
	assert.Equal(t, `.\base.vhdx`, got[0].Parent)
	assert.Contains(t, got[0].Msg, `C:\VMs\base.vhdx`)
	assert.Equal(t, vhdx.LinkBroken, set.Links[0].Status)

	set = vhdx.BuildChains(ds, vhdx.ChainOptions{KnownPaths: []string{`c:\vms\BASE.vhdx`, `C:\VMs\other.vhdx`}})
	assert.Empty(t, issuesOf(set, vhdx.IssueParentMissing))
	got = issuesOf(set, vhdx.IssueParentNotCollected)
	require.Len(t, got, 1)
	assert.Equal(t, `c:\vms\BASE.vhdx`, got[0].Parent)
	assert.Equal(t, vhdx.LinkUnverified, set.Links[0].Status)
	assert.False(t, set.Chains[0].Complete)
}

func TestChainMovedParentFoundByID(t *testing.T) {
	fm := newFamily(t)
	fm.base("vm/base.vhdx", vhdxtest.Options{})
	fm.child("vm/base_A.avhdx", "vm/base.vhdx", nil)
	fm.files["archive/renamed.vhdx"] = fm.files["vm/base.vhdx"]
	delete(fm.files, "vm/base.vhdx")
	set := vhdx.BuildChains(fm.disks(), vhdx.ChainOptions{})
	got := issuesOf(set, vhdx.IssueParentMissing)
	require.Len(t, got, 1)
	assert.Contains(t, got[0].Msg, "archive/renamed.vhdx has the expected ID")
	assert.Equal(t, int64(0x20020), got[0].ParentOffset)
}

func TestChainOrphan(t *testing.T) {
	fm := newFamily(t)
	fm.base("vm/base.vhdx", vhdxtest.Options{})
	fm.child("vm/base_A.avhdx", "vm/base.vhdx", nil)
	fm.child("vm/base_B.avhdx", "vm/base_A.avhdx", nil)
	fm.child("vm/base_OLD.avhdx", "vm/base.vhdx", nil)
	ds := fm.disks()

	set := vhdx.BuildChains(ds, vhdx.ChainOptions{References: []string{`D:\Hyper-V\vm\base_B.avhdx`}})
	got := issuesOf(set, vhdx.IssueOrphan)
	require.Len(t, got, 1)
	assert.Equal(t, "vm/base_OLD.avhdx", got[0].Child)
	assert.Equal(t, vhdx.SeverityWarning, got[0].Severity)
	assert.Len(t, set.Chains, 2, "two leaves: the used chain and the orphan")

	// A reference that matches a path exactly does not also claim every
	// file with the same name.
	fm2 := newFamily(t)
	fm2.base("a/base.vhdx", vhdxtest.Options{})
	fm2.child("a/x.avhdx", "a/base.vhdx", nil)
	fm2.base("b/base.vhdx", vhdxtest.Options{})
	fm2.child("b/x.avhdx", "b/base.vhdx", nil)
	set2 := vhdx.BuildChains(fm2.disks(), vhdx.ChainOptions{References: []string{`C:\VMs\a\x.avhdx`}})
	got = issuesOf(set2, vhdx.IssueOrphan)
	require.Len(t, got, 1)
	assert.Equal(t, "b/x.avhdx", got[0].Child)

	// Without references nothing can be called an orphan.
	set = vhdx.BuildChains(ds, vhdx.ChainOptions{})
	assert.Empty(t, issuesOf(set, vhdx.IssueOrphan))
}

func TestChainCycle(t *testing.T) {
	x := vhdx.Disk{Path: "vm/x.avhdx", Format: vhdx.FormatVHDX, Type: vhdx.DiskTypeDifferencing, HasID: true,
		ID: vhdxtest.GUID("x", "id"), IDOffset: 0x10020, ParentInfo: true, LinkageOffset: 0x210100,
		ParentLinkage: []vhdx.GUID{vhdxtest.GUID("y", "id")},
		ParentPaths:   []vhdx.ParentPath{{Kind: vhdx.PathRelative, Path: `.\y.avhdx`}}}
	y := x
	y.Path, y.ID = "vm/y.avhdx", vhdxtest.GUID("y", "id")
	y.ParentLinkage = []vhdx.GUID{x.ID}
	y.ParentPaths = []vhdx.ParentPath{{Kind: vhdx.PathRelative, Path: `.\x.avhdx`}}
	leaf := x
	leaf.Path, leaf.ID = "vm/leaf.avhdx", vhdxtest.GUID("leaf", "id")
	leaf.ParentLinkage = []vhdx.GUID{x.ID}
	leaf.ParentPaths = []vhdx.ParentPath{{Kind: vhdx.PathRelative, Path: `.\x.avhdx`}}

	set := vhdx.BuildChains([]vhdx.Disk{y, leaf, x}, vhdx.ChainOptions{})
	got := issuesOf(set, vhdx.IssueCycle)
	require.Len(t, got, 1)
	assert.Equal(t, uint32(0xC03A0018), got[0].Code)
	assert.Contains(t, got[0].Msg, "vm/x.avhdx -> vm/y.avhdx -> vm/x.avhdx")
	assert.Empty(t, issuesOf(set, vhdx.IssueLinkageMismatch))
	require.Len(t, set.Chains, 1)
	assert.Equal(t, []string{"vm/leaf.avhdx", "vm/x.avhdx", "vm/y.avhdx"}, set.Chains[0].Disks)
	assert.True(t, set.Chains[0].Broken)

	self := x
	self.ParentPaths = []vhdx.ParentPath{{Kind: vhdx.PathRelative, Path: `.\x.avhdx`}}
	self.ParentLinkage = []vhdx.GUID{x.ID}
	set = vhdx.BuildChains([]vhdx.Disk{self}, vhdx.ChainOptions{})
	require.Len(t, issuesOf(set, vhdx.IssueCycle), 1)
}

func TestChainChildWithoutLinkage(t *testing.T) {
	fm := newFamily(t)
	fm.base("vm/base.vhdx", vhdxtest.Options{})
	fm.child("vm/a.avhdx", "vm/base.vhdx", nil)
	ds := fm.disks()
	for i := range ds {
		ds[i].ParentLinkage = nil
	}
	set := vhdx.BuildChains(ds, vhdx.ChainOptions{})
	got := issuesOf(set, vhdx.IssueLinkageMismatch)
	require.Len(t, got, 1)
	assert.Contains(t, got[0].Msg, "no readable parent linkage")
	assert.Equal(t, vhdx.LinkBroken, set.Links[0].Status)
}

func TestChainSizeSectorAndDiskIDMismatch(t *testing.T) {
	fm := newFamily(t)
	fm.base("vm/base.vhdx", vhdxtest.Options{VirtualSize: 10 << 30})
	fm.child("vm/big.avhdx", "vm/base.vhdx", func(o *vhdxtest.Options) { o.VirtualSize = 12 << 30 })
	fm.child("vm/4k.avhdx", "vm/base.vhdx", func(o *vhdxtest.Options) { o.LogicalSectorSize = 4096 })
	fm.child("vm/other.avhdx", "vm/base.vhdx", func(o *vhdxtest.Options) { o.VirtualDiskID = vhdxtest.GUID("z", "vd") })
	set := vhdx.BuildChains(fm.disks(), vhdx.ChainOptions{})

	size := issuesOf(set, vhdx.IssueSizeMismatch)
	require.Len(t, size, 1)
	assert.Equal(t, "vm/big.avhdx", size[0].Child)
	assert.Equal(t, uint32(0xC03A0017), size[0].Code)
	sector := issuesOf(set, vhdx.IssueSectorSizeMismatch)
	require.Len(t, sector, 1)
	assert.Equal(t, "vm/4k.avhdx", sector[0].Child)
	id := issuesOf(set, vhdx.IssueVirtualDiskIDMismatch)
	require.Len(t, id, 1)
	assert.Equal(t, "vm/other.avhdx", id[0].Child)
	assert.Equal(t, vhdx.SeverityWarning, id[0].Severity)
	for _, l := range set.Links {
		want := vhdx.LinkBroken
		if l.Child == "vm/other.avhdx" {
			want = vhdx.LinkWarning
		}
		assert.Equal(t, want, l.Status, l.Child)
	}
}

func TestChainParentCorruptAndDirty(t *testing.T) {
	fm := newFamily(t)
	fm.base("vm/base.vhdx", vhdxtest.Options{DirtyLog: true})
	fm.child("vm/a.avhdx", "vm/base.vhdx", nil)
	set := vhdx.BuildChains(fm.disks(), vhdx.ChainOptions{})
	dirty := issuesOf(set, vhdx.IssueParentDirty)
	require.Len(t, dirty, 1)
	assert.Equal(t, "vm/base.vhdx", dirty[0].Fix)
	assert.Equal(t, vhdx.LinkWarning, set.Links[0].Status)

	// Both parent headers damaged.
	b := mustVHDX(t, vhdxtest.Options{Seed: "vm/base.vhdx"})
	b[0x10004] ^= 1
	b[0x20004] ^= 1
	broken := openBytes(t, b)
	require.True(t, broken.Corrupt())
	fm.files["vm/base.vhdx"] = broken
	set = vhdx.BuildChains(fm.disks(), vhdx.ChainOptions{})
	got := issuesOf(set, vhdx.IssueParentCorrupt)
	require.Len(t, got, 1)
	assert.Equal(t, uint32(0xC03A0019), got[0].Code)
	assert.Equal(t, "vm/base.vhdx", got[0].Fix)
}

func TestChainUnverifiableTruncatedChild(t *testing.T) {
	fm := newFamily(t)
	fm.base("vm/base.vhdx", vhdxtest.Options{})
	p := fm.files["vm/base.vhdx"]
	full := mustVHDX(t, vhdxtest.ChildOf("c", p, `.\base.vhdx`, "", ""))
	fm.files["vm/c.avhdx"] = openBytes(t, full[:1<<20])
	set := vhdx.BuildChains(fm.disks(), vhdx.ChainOptions{})
	got := issuesOf(set, vhdx.IssueParentUnverifiable)
	require.Len(t, got, 1)
	assert.Equal(t, "vm/c.avhdx", got[0].Child)
	assert.Contains(t, got[0].Msg, "metadata")
	assert.Equal(t, vhdx.LinkUnverified, set.Links[0].Status)
}

func TestChainAbsolutePathAndHostPaths(t *testing.T) {
	fm := newFamily(t)
	fm.base("disks/base.vhdx", vhdxtest.Options{})
	p := fm.files["disks/base.vhdx"]
	// Only an absolute path, into a directory layout the bundle does not mirror.
	fm.files["vms/c.avhdx"] = openBytes(t, mustVHDX(t, vhdxtest.Options{Seed: "c", VirtualSize: p.VirtualSize,
		VirtualDiskID: p.VirtualDiskID, Parent: &vhdxtest.Locator{Linkage: p.DataWriteGUID, AbsolutePath: `\\?\E:\Store\base.vhdx`}}))
	ds := fm.disks()
	set := vhdx.BuildChains(ds, vhdx.ChainOptions{})
	require.Len(t, set.Links, 1)
	assert.Equal(t, "disks/base.vhdx", set.Links[0].Parent)
	assert.Equal(t, "file name", set.Links[0].MatchedBy)
	assert.Equal(t, vhdx.LinkOK, set.Links[0].Status)

	for i := range ds {
		if ds[i].Path == "disks/base.vhdx" {
			ds[i].HostPath = `E:\Store\base.vhdx`
		}
	}
	set = vhdx.BuildChains(ds, vhdx.ChainOptions{})
	assert.Equal(t, "host path", set.Links[0].MatchedBy)
}

func TestChainVHDByUniqueID(t *testing.T) {
	parent, err := vhdxtest.VHD(vhdxtest.VHDOptions{Seed: "p", CurrentSize: 64 << 20})
	require.NoError(t, err)
	pv, err := vhdx.OpenVHD(bytes.NewReader(parent), int64(len(parent)))
	require.NoError(t, err)
	mk := func(id vhdx.GUID) vhdx.Disk {
		b, err := vhdxtest.VHD(vhdxtest.VHDOptions{Seed: "c", CurrentSize: 64 << 20, ParentUniqueID: id,
			ParentName: `D:\VMs\base.vhd`, AbsolutePath: `D:\VMs\base.vhd`, RelativePath: `.\base.vhd`})
		require.NoError(t, err)
		v, err := vhdx.OpenVHD(bytes.NewReader(b), int64(len(b)))
		require.NoError(t, err)
		return vhdx.DiskFromVHD("vm/base_1.avhd", v)
	}
	pd := vhdx.DiskFromVHD("vm/base.vhd", pv)
	set := vhdx.BuildChains([]vhdx.Disk{pd, mk(pv.Footer.UniqueID)}, vhdx.ChainOptions{})
	assert.Empty(t, set.Issues)
	require.Len(t, set.Chains, 1)
	assert.True(t, set.Chains[0].Complete)

	set = vhdx.BuildChains([]vhdx.Disk{pd, mk(vhdxtest.GUID("other", "id"))}, vhdx.ChainOptions{})
	got := issuesOf(set, vhdx.IssueLinkageMismatch)
	require.Len(t, got, 1)
	assert.Equal(t, int64(512+40), got[0].ChildOffset)
	assert.Equal(t, pv.Footer.Off+68, got[0].ParentOffset)
}

func TestCorpusVHDChains(t *testing.T) {
	dir := filepath.Join(corpusDir(t), "dfvfs")
	var ds []vhdx.Disk
	for _, name := range []string{"image.vhd", "image-differential.vhd", "fat-differential.vhd", "ext2.vhd"} {
		ds = append(ds, vhdx.DiskFromVHD("dfvfs/"+name, openCorpusVHD(t, filepath.Join(dir, name))))
	}
	set := vhdx.BuildChains(ds, vhdx.ChainOptions{})
	byChild := map[string]vhdx.Link{}
	for _, l := range set.Links {
		byChild[l.Child] = l
	}
	img := byChild["dfvfs/image-differential.vhd"]
	assert.Equal(t, "dfvfs/image.vhd", img.Parent)
	assert.Equal(t, vhdx.LinkOK, img.Status, img.Reason)
	fat := byChild["dfvfs/fat-differential.vhd"]
	assert.Equal(t, vhdx.LinkBroken, fat.Status)
	missing := issuesOf(set, vhdx.IssueParentMissing)
	require.Len(t, missing, 1)
	assert.Equal(t, "dfvfs/fat-differential.vhd", missing[0].Child)
	assert.Equal(t, `.\fat-parent.vhd`, missing[0].Parent)
	assert.Equal(t, "36164FF8-9ECD-4190-A69E-DCC2380E416A", ds[2].ID.String())
	assert.Equal(t, "551AA25F-94F3-4DAA-9958-1951A67D5540", missing[0].ChildGUID.String())
}
