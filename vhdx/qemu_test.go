package vhdx_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvtriage/hvtriage/vhdx"
	"github.com/hvtriage/hvtriage/vhdx/vhdxtest"
)

// needTool skips the test when an external program is missing.
func needTool(t *testing.T, name string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("tests against qemu-img skipped in -short mode")
	}
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s not installed (Debian package qemu-utils)", name)
	}
	return p
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	require.NoError(t, err, "%s %s: %s", name, strings.Join(args, " "), out)
	return string(out)
}

func openPath(t *testing.T, path string) *vhdx.File {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return openBytes(t, b)
}

func TestQemuVHDX(t *testing.T) {
	qemuImg := needTool(t, "qemu-img")
	dir := t.TempDir()
	tests := []struct {
		name      string
		opts      string
		size      string
		typ       vhdx.DiskType
		virtual   uint64
		block     uint32
		logOff    int64
		logLen    uint32
		metaAfter uint64 // metadata region offset
	}{
		{"default", "", "64M", vhdx.DiskTypeDynamic, 64 << 20, 8 << 20, 1 << 20, 1 << 20, 3 << 20},
		{"bs1M-log2M", "subformat=dynamic,block_size=1M,log_size=2M", "64M", vhdx.DiskTypeDynamic, 64 << 20, 1 << 20, 1 << 20, 2 << 20, 4 << 20},
		{"bs256M", "block_size=256M", "1G", vhdx.DiskTypeDynamic, 1 << 30, 256 << 20, 1 << 20, 1 << 20, 3 << 20},
		{"bs4M-log4M-nozero", "block_size=4M,log_size=4M,block_state_zero=off", "10G", vhdx.DiskTypeDynamic, 10 << 30, 4 << 20, 1 << 20, 4 << 20, 6 << 20},
		{"fixed", "subformat=fixed", "16M", vhdx.DiskTypeFixed, 16 << 20, 0, 1 << 20, 1 << 20, 3 << 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(dir, tt.name+".vhdx")
			args := []string{"create", "-q", "-f", "vhdx"}
			if tt.opts != "" {
				args = append(args, "-o", tt.opts)
			}
			run(t, qemuImg, append(args, p, tt.size)...)
			f := openPath(t, p)
			assert.Empty(t, f.Problems)
			assert.True(t, strings.HasPrefix(f.Creator, "QEMU v"), f.Creator)
			assert.Equal(t, tt.typ, f.Type())
			assert.Equal(t, tt.virtual, f.VirtualSize)
			if tt.block != 0 {
				assert.Equal(t, tt.block, f.BlockSize)
			}
			assert.Equal(t, uint32(512), f.LogicalSectorSize)
			assert.Equal(t, uint32(512), f.PhysicalSectorSize)
			assert.Equal(t, vhdx.LogClean, f.Log.State)
			assert.Equal(t, tt.logOff, f.Log.Off)
			assert.Equal(t, tt.logLen, f.Log.Length)
			for _, r := range f.Regions {
				if r.GUID == vhdx.RegionMetadata {
					assert.Equal(t, tt.metaAfter, r.FileOffset)
				}
			}
			assert.False(t, f.Corrupt())
			assert.False(t, f.Truncated)
		})
	}
}

func TestQemuVHD(t *testing.T) {
	qemuImg := needTool(t, "qemu-img")
	dir := t.TempDir()
	tests := []struct {
		name, opts, size string
		typ              vhdx.DiskType
		creator          string
		fileSize         int64
		current          uint64
	}{
		{"dynamic", "", "64M", vhdx.DiskTypeDynamic, "qemu", 0, 0},
		{"fixed", "subformat=fixed", "16M", vhdx.DiskTypeFixed, "qemu", 16781824, 16781824 - 512},
		{"fixed-force", "subformat=fixed,force_size=on", "16M", vhdx.DiskTypeFixed, "qem2", 16777728, 16 << 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(dir, tt.name+".vhd")
			args := []string{"create", "-q", "-f", "vpc"}
			if tt.opts != "" {
				args = append(args, "-o", tt.opts)
			}
			run(t, qemuImg, append(args, p, tt.size)...)
			r, size := readFile(t, p)
			if tt.fileSize != 0 {
				assert.Equal(t, tt.fileSize, size)
			}
			assert.Equal(t, vhdx.FormatVHD, vhdx.Detect(r, size))
			v, err := vhdx.OpenVHD(r, size)
			require.NoError(t, err)
			assert.Empty(t, v.Problems)
			assert.Equal(t, tt.typ, v.Type())
			assert.Equal(t, tt.creator, v.Footer.CreatorApp)
			if tt.current != 0 {
				assert.Equal(t, tt.current, v.Footer.CurrentSize)
			}
		})
	}
}

// TestQemuAcceptsWriterOutput checks the test writer against an independent
// implementation: qemu must open and check its dynamic VHDX and VHD files.
func TestQemuAcceptsWriterOutput(t *testing.T) {
	qemuImg := needTool(t, "qemu-img")
	dir := t.TempDir()
	p := filepath.Join(dir, "w.vhdx")
	require.NoError(t, os.WriteFile(p, mustVHDX(t, vhdxtest.Options{Seed: "w", VirtualSize: 1 << 30}), 0o600))
	run(t, qemuImg, "check", "-f", "vhdx", p)
	assert.Contains(t, run(t, qemuImg, "info", "-f", "vhdx", p), "virtual size: 1 GiB")

	b, err := vhdxtest.VHD(vhdxtest.VHDOptions{Seed: "w", CurrentSize: 64 << 20})
	require.NoError(t, err)
	p = filepath.Join(dir, "w.vhd")
	require.NoError(t, os.WriteFile(p, b, 0o600))
	// qemu-img check does not support vpc; reading a sector opens the BAT.
	if qemuIO, err := exec.LookPath("qemu-io"); err == nil {
		assert.Contains(t, run(t, qemuIO, "-f", "vpc", "-r", "-c", "read -P 0 0 4096", p), "read 4096/4096 bytes")
	}
	assert.Contains(t, run(t, qemuImg, "info", "-f", "vpc", p), "virtual size: 64 MiB")
}

// TestQemuParentModified makes a real "parent modified after the child" case:
// a qemu-made parent, a Hyper-V-style child linked to it, then a write to the
// parent with qemu-io, which gives it a new DataWriteGuid.
func TestQemuParentModified(t *testing.T) {
	qemuImg := needTool(t, "qemu-img")
	qemuIO := needTool(t, "qemu-io")
	dir := t.TempDir()
	base := filepath.Join(dir, "base.vhdx")
	run(t, qemuImg, "create", "-q", "-f", "vhdx", base, "64M")
	before := openPath(t, base)
	child := filepath.Join(dir, "base_1.avhdx")
	require.NoError(t, os.WriteFile(child, mustVHDX(t, vhdxtest.ChildOf("child", before, `.\base.vhdx`, `C:\VMs\base.vhdx`, "")), 0o600))
	cf := openPath(t, child)

	disks := func(parent *vhdx.File) []vhdx.Disk {
		return []vhdx.Disk{vhdx.DiskFromVHDX("vm/base.vhdx", parent), vhdx.DiskFromVHDX("vm/base_1.avhdx", cf)}
	}
	set := vhdx.BuildChains(disks(before), vhdx.ChainOptions{})
	assert.Empty(t, set.Issues)

	run(t, qemuIO, "-f", "vhdx", "-c", "write -P 0x5a 1M 4096", base)
	after := openPath(t, base)
	require.NotEqual(t, before.DataWriteGUID, after.DataWriteGUID)
	assert.Equal(t, before.VirtualDiskID, after.VirtualDiskID, "a data write keeps the virtual disk ID")
	set = vhdx.BuildChains(disks(after), vhdx.ChainOptions{})
	got := issuesOf(set, vhdx.IssueLinkageMismatch)
	require.Len(t, got, 1)
	assert.Equal(t, before.DataWriteGUID, got[0].ChildGUID)
	assert.Equal(t, after.DataWriteGUID, got[0].ParentGUID)
	assert.Equal(t, after.CurrentHeader().Off+32, got[0].ParentOffset)
	assert.Equal(t, "vm/base_1.avhdx", got[0].Child)
	assert.Equal(t, "vm/base.vhdx", got[0].Parent)
}
