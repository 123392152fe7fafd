package analyze_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvtriage/hvtriage/analyze"
	"github.com/hvtriage/hvtriage/internal/fixture"
	"github.com/hvtriage/hvtriage/vhdx"
	"github.com/hvtriage/hvtriage/vhdx/vhdxtest"
)

type byteReader []byte

func (b byteReader) ReadAt(p []byte, off int64) (int, error) {
	if off >= int64(len(b)) {
		return 0, os.ErrClosed
	}
	return copy(p, b[off:]), nil
}

// twoNodeCase writes two node bundles of one cluster. APP01's disks live on
// a CSV; node 1 collected their headers but runs only WEB01; node 2 runs
// APP01 on its checkpoint disk. withInventory2 leaves node 2's VM
// inventory out when false.
func twoNodeCase(t *testing.T, withInventory2 bool) (node1, node2 string) {
	t.Helper()
	const csv = `C:\ClusterStorage\Volume1\APP01\Virtual Hard Disks`
	baseImg, err := vhdxtest.VHDX(vhdxtest.Options{Seed: "app01-base"})
	require.NoError(t, err)
	base, err := vhdx.Open(byteReader(baseImg), int64(len(baseImg)))
	require.NoError(t, err)
	cpName := "APP01_1C7E9B34-0D5A-4F62-A8B3-5E2C7D9F1A06.avhdx"
	cpImg, err := vhdxtest.VHDX(vhdxtest.ChildOf("app01-cp1", base, `.\APP01.vhdx`, csv+`\APP01.vhdx`, ""))
	require.NoError(t, err)
	dir := t.TempDir()
	node1, node2 = filepath.Join(dir, "HV01"), filepath.Join(dir, "HV02")
	require.NoError(t, fixture.Files{
		"disks/APP01.vhdx": baseImg,
		"disks/" + cpName:  cpImg,
		"harddrives.txt": fixture.UTF16(fixture.VMHardDiskDrives([]fixture.Drive{
			{VMName: "WEB01", ControllerType: "SCSI", Path: `C:\ClusterStorage\Volume1\WEB01\WEB01.vhdx`}})),
	}.WriteDir(node1))
	files2 := fixture.Files{"notes.txt": []byte("node 2\r\n")}
	if withInventory2 {
		files2["harddrives.txt"] = fixture.UTF16(fixture.VMHardDiskDrives([]fixture.Drive{
			{VMName: "APP01", ControllerType: "SCSI", Path: csv + `\` + cpName}}))
	}
	require.NoError(t, files2.WriteDir(node2))
	return node1, node2
}

func orphans(res *analyze.Result) []string {
	var out []string
	for _, n := range res.Chains.Nodes {
		for _, is := range res.Chains.Issues {
			if is.Kind == vhdx.IssueOrphan && is.Child == n.Path {
				out = append(out, n.Path)
			}
		}
	}
	return out
}

func TestCaseJoinsNodes(t *testing.T) {
	node1, node2 := twoNodeCase(t, true)

	// Node 1 alone: nothing it knows uses APP01's checkpoint disk.
	alone, err := analyze.Run(t.Context(), node1, analyze.Options{})
	require.NoError(t, err)
	require.NotEmpty(t, orphans(alone), "node 1 alone sees an orphan; the case must not")

	res, err := analyze.RunCase(t.Context(), []string{node1, node2}, analyze.Options{})
	require.NoError(t, err)
	assert.Equal(t, "HV01 + HV02", res.Bundle.Name)
	assert.Empty(t, orphans(res), "the VM on node 2 runs on the disk node 1 collected")
	require.Len(t, res.Chains.Links, 1, "one chain for APP01")
	assert.Equal(t, vhdx.LinkOK, res.Chains.Links[0].Status)
	assert.True(t, strings.HasPrefix(res.Chains.Links[0].Child, "HV01/disks/"))
	for _, f := range res.Outcome.Findings {
		assert.NotEqual(t, "checkpoint-orphaned", f.Cause.ID)
	}
	// Every file and every evidence item names its bundle first.
	for _, r := range res.Inventory {
		assert.True(t, strings.HasPrefix(r.Path, "HV01/") || strings.HasPrefix(r.Path, "HV02/"), r.Path)
	}
	var fromNode2 bool
	for _, e := range res.Evidence {
		fromNode2 = fromNode2 || strings.HasPrefix(e.Source, "HV02/harddrives.txt")
	}
	assert.True(t, fromNode2, "node 2's drives are evidence of the case")
	assert.Len(t, res.Bundle.SHA256, 64)
}

// Without node 2's inventory, the VM using the disk may run there: no
// orphan is judged.
func TestCaseJudgesOrphansOnlyWithEveryInventory(t *testing.T) {
	node1, node2 := twoNodeCase(t, false)
	res, err := analyze.RunCase(t.Context(), []string{node1, node2}, analyze.Options{})
	require.NoError(t, err)
	assert.Empty(t, orphans(res))
	for _, f := range res.Outcome.Findings {
		assert.NotEqual(t, "checkpoint-orphaned", f.Cause.ID)
	}
}

func TestCaseSameNames(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a", "logs"), filepath.Join(dir, "b", "logs")
	for _, d := range []string{a, b} {
		require.NoError(t, fixture.Files{"notes.txt": []byte("x\r\n")}.WriteDir(d))
	}
	res, err := analyze.RunCase(t.Context(), []string{a, b}, analyze.Options{})
	require.NoError(t, err)
	assert.Equal(t, "logs + logs~2", res.Bundle.Name)
	var paths []string
	for _, r := range res.Inventory {
		paths = append(paths, r.Path)
	}
	assert.Equal(t, []string{"logs/notes.txt", "logs~2/notes.txt"}, paths)
}
