package analyze

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvtriage/hvtriage/evidence"
	"github.com/hvtriage/hvtriage/internal/fixture"
	"github.com/hvtriage/hvtriage/rules"
	"github.com/hvtriage/hvtriage/vhdx"
	"github.com/hvtriage/hvtriage/vhdx/vhdxtest"
)

// writeDisk writes a Hyper-V-style disk into dir and returns its parsed form.
func writeDisk(t *testing.T, dir, name string, o vhdxtest.Options) *vhdx.File {
	t.Helper()
	b, err := vhdxtest.VHDX(o)
	require.NoError(t, err)
	p := filepath.Join(dir, filepath.FromSlash(name))
	require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(t, os.WriteFile(p, b, 0o644))
	f, err := vhdx.Open(bytesReaderAt(b), int64(len(b)))
	require.NoError(t, err)
	return f
}

type bytesReaderAt []byte

func (b bytesReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off >= int64(len(b)) {
		return 0, os.ErrClosed
	}
	return copy(p, b[off:]), nil
}

func findingFor(res *Result, cause string) *rules.Finding {
	for i := range res.Outcome.Findings {
		if res.Outcome.Findings[i].Cause.ID == cause {
			return &res.Outcome.Findings[i]
		}
	}
	return nil
}

// TestParentWrittenAfterChild: the base disk was attached and written after
// the checkpoint; its DataWriteGuid changed, so the child's linkage no
// longer matches. The finding must name both files and both GUIDs.
func TestParentWrittenAfterChild(t *testing.T) {
	dir := t.TempDir()
	const vhdDir = "Hyper-V/APP01/Virtual Hard Disks"
	original := writeDisk(t, t.TempDir(), "scratch.vhdx", vhdxtest.Options{Seed: "app01-base"})
	childOpt := vhdxtest.ChildOf("app01-cp1", original, `.\APP01.vhdx`, `D:\Hyper-V\APP01\Virtual Hard Disks\APP01.vhdx`, "")
	writeDisk(t, dir, vhdDir+"/APP01_6F0D2C41-9A3B-4E7C-8B15-2D4F6A9C0E73.avhdx", childOpt)
	// The parent as collected: same disk, new DataWriteGuid after a write.
	modified := vhdxtest.Options{Seed: "app01-base", DataWriteGUID: vhdxtest.GUID("app01-base", "after-mount"), Sequence: 7}
	writeDisk(t, dir, vhdDir+"/APP01.vhdx", modified)

	res, err := Run(t.Context(), dir, Options{})
	require.NoError(t, err)
	f := findingFor(res, "chain-parent-modified")
	require.NotNil(t, f, "findings: %v", causes(res))
	assert.Equal(t, rules.Critical, f.Severity)
	require.NotEmpty(t, f.Evidence)
	ev := f.Evidence[0]
	assert.Equal(t, vhdDir+"/APP01_6F0D2C41-9A3B-4E7C-8B15-2D4F6A9C0E73.avhdx", ev.Source)
	assert.Equal(t, evidence.UnitOffset, ev.At.Unit, "cites the byte offset of the linkage in the child")
	assert.Equal(t, vhdDir+"/APP01.vhdx", ev.Attrs["parent"])
	assert.Equal(t, original.DataWriteGUID.String(), ev.Attrs["child_guid"])
	assert.Equal(t, vhdxtest.GUID("app01-base", "after-mount").String(), ev.Attrs["parent_guid"])
	assert.Equal(t, "0xC03A000E", ev.Attrs["code"])
	var commands []string
	for _, s := range f.Resolution {
		commands = append(commands, s.Command)
	}
	assert.Contains(t, strings.Join(commands, "\n"), `Set-VHD -Path '<child_host_path>' -ParentPath 'D:\Hyper-V\APP01\Virtual Hard Disks\APP01.vhdx' -IgnoreIdMismatch`)
	assert.Nil(t, findingFor(res, "chain-broken"), "the parent is present: the chain is misaligned, not broken")
	require.Len(t, res.Chains.Links, 1)
	assert.Equal(t, vhdx.LinkBroken, res.Chains.Links[0].Status)
}

func TestMissingParentBreaksTheChain(t *testing.T) {
	dir := t.TempDir()
	parent := writeDisk(t, t.TempDir(), "gone.vhdx", vhdxtest.Options{Seed: "sql01-base"})
	writeDisk(t, dir, "SQL01_1C7E9B34-0D5A-4F62-A8B3-5E2C7D9F1A06.avhdx",
		vhdxtest.ChildOf("sql01-cp", parent, `.\SQL01.vhdx`, `E:\VMs\SQL01\SQL01.vhdx`, ""))

	res, err := Run(t.Context(), dir, Options{})
	require.NoError(t, err)
	f := findingFor(res, "chain-broken")
	require.NotNil(t, f, "findings: %v", causes(res))
	assert.Equal(t, "parent-missing", f.Evidence[0].Attrs["issue"])
	assert.Contains(t, f.Evidence[0].Summary, "SQL01.vhdx")
	assert.Nil(t, findingFor(res, "chain-parent-modified"))
}

func TestHealthyChainIsQuiet(t *testing.T) {
	dir := t.TempDir()
	parent := writeDisk(t, dir, "WEB01.vhdx", vhdxtest.Options{Seed: "web01-base"})
	writeDisk(t, dir, "WEB01_E4A07B19-6C3D-42F8-9D51-8B0E3F6A2C74.avhdx",
		vhdxtest.ChildOf("web01-cp", parent, `.\WEB01.vhdx`, `C:\VMs\WEB01.vhdx`, ""))
	res, err := Run(t.Context(), dir, Options{})
	require.NoError(t, err)
	assert.Empty(t, res.Outcome.Findings)
	require.Len(t, res.Chains.Links, 1)
	assert.Equal(t, vhdx.LinkOK, res.Chains.Links[0].Status)
	var ruled []string
	for _, r := range res.Outcome.RuledOut {
		ruled = append(ruled, r.Cause)
	}
	assert.Contains(t, ruled, "chain-broken", "headers present and the link verified")
}

// TestCheckpointListsAloneMakeNoOrphans: Get-VMSnapshot names the disks as
// they were when each checkpoint was taken (the base), never the AVHDX the
// VM runs on now; without the VM's current disks, no disk can be called
// unused.
func TestCheckpointListsAloneMakeNoOrphans(t *testing.T) {
	dir := t.TempDir()
	base := writeDisk(t, dir, "FS01/FS01.vhdx", vhdxtest.Options{Seed: "fs01-base"})
	writeDisk(t, dir, "FS01/FS01_3B8E5D27-C1A4-4F09-9E6B-72D0A5C8F413.avhdx",
		vhdxtest.ChildOf("fs01-cp", base, `.\FS01.vhdx`, `D:\VMs\FS01\FS01.vhdx`, ""))
	snaps := fixture.VMSnapshotsList([]fixture.Checkpoint{{VMName: "FS01", Name: "before patch", Type: "Standard",
		Created: fixture.At(1, 0, 0), HardDrives: []string{`D:\VMs\FS01\FS01.vhdx`}}})
	require.NoError(t, os.WriteFile(filepath.Join(dir, "snapshots.txt"), fixture.UTF16(snaps), 0o644))
	res, err := Run(t.Context(), dir, Options{})
	require.NoError(t, err)
	for _, is := range res.Chains.Issues {
		assert.NotEqual(t, vhdx.IssueOrphan, is.Kind, "%s", is.Msg)
	}
}
