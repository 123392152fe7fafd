package cmdout

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParse_basicInfo(t *testing.T) {
	// DC_HyperVBasicInfo.ps1 writes UTF-8 with BOM.
	text, enc, _ := Decode(append([]byte{0xef, 0xbb, 0xbf}, readTestdata(t, "HVNODE7_Hyper-VBasicInfo.txt")...))
	assert.Equal(t, EncUTF8BOM, enc)
	assert.Equal(t, KindSDPBasicInfo, Sniff(text))
	d, problems := Parse(text)
	assert.Empty(t, problems)
	require.Len(t, d.BasicInfo, 2)

	vm := d.BasicInfo[0]
	assert.Equal(t, 12, vm.Line)
	assert.Equal(t, "WEB02", vm.Name)
	assert.Equal(t, "9c2b7e15-3d48-4a6f-b1e0-5f7a2c8d4e91", vm.GUID)
	assert.True(t, vm.Running)
	assert.Equal(t, "9.0", vm.Version)
	assert.False(t, vm.ICVersionMismatch)
	require.Len(t, vm.Disks, 2)
	disk := vm.Disks[0]
	assert.Equal(t, `E:\VMs\WEB02\Virtual Hard Disks\WEB02_0C4B9E27-5D13-4A86-B3F0-7E21D9A5C648.avhdx`, disk.Path)
	assert.Equal(t, "Differencing", disk.VhdType)
	assert.Equal(t, "3/14/2024 2:05:09 AM", disk.CreationTime)
	assert.Equal(t, "3/14/2024 2:07:41 AM", disk.LastWriteTime)
	assert.Equal(t, "4.41 GB", disk.CurrentSize)
	assert.Equal(t, "100 GB", disk.MaxFileSize)
	assert.Equal(t, `BUILTIN\Administrators`, disk.Owner)
	assert.Equal(t, []BasicInfoACE{
		{Line: 25, Identity: `NT VIRTUAL MACHINE\9C2B7E15-3D48-4A6F-B1E0-5F7A2C8D4E91`, Rights: "Read, Write, Synchronize"},
		{Line: 26, Identity: `NT AUTHORITY\SYSTEM`, Rights: "FullControl"},
		{Line: 27, Identity: `BUILTIN\Administrators`, Rights: "FullControl"},
	}, disk.ACL)
	assert.Equal(t, "5e8a1c47-2b9d-4f30-a6e1-93c70d2b8f54", disk.ID)
	assert.False(t, disk.Missing)
	assert.True(t, vm.Disks[1].Missing)

	require.Len(t, vm.Snapshots, 2)
	s := vm.Snapshots[0]
	assert.Equal(t, "Before patch", s.Name)
	assert.Equal(t, "Standard", s.Type)
	assert.Equal(t, "2023-03-01T10:12:44Z", s.CreationTime.Time.Format(time.RFC3339))
	assert.Empty(t, s.Parent)
	require.Len(t, s.Files, 2)
	assert.False(t, s.Files[0].Missing)
	assert.True(t, s.Files[1].Missing)
	assert.Equal(t, "Before patch", vm.Snapshots[1].Parent)
	assert.Equal(t, "Recovery", vm.Snapshots[1].Type)

	db := d.BasicInfo[1]
	assert.Equal(t, "DB03", db.Name)
	assert.False(t, db.Running)
	assert.Equal(t, "N/A => Virtual Machine is not running.", db.PID)
	assert.Equal(t, "5.0", db.Version)
	assert.True(t, db.ICVersionMismatch)
	assert.Empty(t, db.Snapshots)
	require.Len(t, db.Disks, 1)
	assert.Equal(t, `F:\Hyper-V\DB03\Virtual Hard Disks\DB03 OS Disk.vhdx`, db.Disks[0].Path)
}

func TestParse_basicInfoTruncated(t *testing.T) {
	text := readTestdata(t, "HVNODE7_Hyper-VBasicInfo.txt")
	cut := text[:strings.Index(text, "    File List    : E:")]
	d, _ := Parse(cut)
	require.Len(t, d.BasicInfo, 1)
	require.Len(t, d.BasicInfo[0].Snapshots, 1)
	assert.Equal(t, "Before patch", d.BasicInfo[0].Snapshots[0].Name)
	assert.Empty(t, d.BasicInfo[0].Snapshots[0].Files)
}
