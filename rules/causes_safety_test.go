package rules_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvtriage/hvtriage/internal/evtxwrite"
	. "github.com/hvtriage/hvtriage/internal/fixture"
	"github.com/hvtriage/hvtriage/rules"
)

// These bundles reproduce resolution commands that once aimed a
// destructive step at the wrong file or volume. Each asserts what an
// engineer pasting the commands would check.

// allCommands is every command of every finding of a bundle.
func allCommands(b *bundleResult) string {
	var out []string
	for i := range b.res.Outcome.Findings {
		out = append(out, commands(&b.res.Outcome.Findings[i]))
	}
	return strings.Join(out, "\n")
}

// A VHDMP change-tracking event names the VM's disk, and an old Recovery
// checkpoint is left over. The clean-up of an orphaned change tracking file
// must not take the VM's disk from the VHDMP event and delete it.
func TestNoStepDeletesTheDiskAnEventNames(t *testing.T) {
	const disk = `D:\Hyper-V\APP03\Virtual Hard Disks\APP03.vhdx`
	sys := []evtxwrite.Record{
		hv02.Manifest("System", "Microsoft-Windows-VHDMP", GUIDVHDMP, 8, LevelError, At(2, 0, 0), F("VhdFileName", disk), F("Status", "0xC03A0030")),
	}
	b := analyzeFiles(t, Files{
		"System.evtx":   EVTX(sys, 10),
		"snapshots.txt": UTF16(VMSnapshotsList([]Checkpoint{web01Checkpoint("WEB01 - Backup - (3/1/2024 - 1:00:02 AM)", "Recovery", Day(2024, 3, 1, 1, 0))})),
	})
	require.True(t, b.has("backup-vendor-integration"), b.causes())
	cmds := allCommands(b)
	assert.NotContains(t, cmds, "Remove-Item", "no step deletes a file by hand")
	for _, line := range strings.Split(cmds, "\n") {
		if strings.Contains(line, "APP03.vhdx") {
			assert.NotRegexp(t, `(?i)\b(Remove|Move)-Item\b`, line, "the VM's disk is never deleted or moved")
		}
	}
}

// NTFS reports corruption on a Cluster Shared Volume. The drive letter in
// its path is the system volume's: no repair may be aimed at C:, and the
// CSV's own steps (maintenance mode, its path) are offered instead.
func TestCSVCorruptionNeverRepairsTheSystemVolume(t *testing.T) {
	sys := []evtxwrite.Record{
		hv02.Manifest("System", "Ntfs", GUIDNtfs, 55, LevelError, At(3, 0, 5), F("DriveName", `C:\ClusterStorage\Volume1`),
			F("DeviceName", `\Device\HarddiskVolume7`), F("CorruptionState", "0x0"),
			F("Description", "The exact nature of the corruption is unknown. The file system structures need to be scanned and fixed offline.")),
	}
	b := analyzeFiles(t, Files{"System.evtx": EVTX(sys, 60)})
	f := b.finding("filesystem-corruption")
	cmds := commands(f)
	assert.NotRegexp(t, regexp.MustCompile(`(?i)-DriveLetter\s+'?C'?\b|chkdsk\s+'?C:'?(\s|$)|Path -like 'C:\\\*'`), cmds,
		"nothing is aimed at the system volume")
	assert.Contains(t, cmds, `$_.SharedVolumeInfo.FriendlyVolumeName -eq 'C:\ClusterStorage\Volume1' } | Suspend-ClusterResource`)
	assert.Contains(t, cmds, `chkdsk 'C:\ClusterStorage\Volume1' /spotfix`)
	for _, s := range f.Resolution {
		if s.Risk == rules.RiskRewritesData {
			assert.NotEmpty(t, s.Warning, s.Command)
		}
	}
}

// An upgraded host with an old checkpoint: the advice deletes checkpoints
// one at a time by name, after a copy and an export of the one to keep,
// never all of them at once.
func TestUpgradeAdviceKeepsTheCheckpointToGoBackTo(t *testing.T) {
	files, _ := upgradeBundle(Build2022)
	f := analyzeFiles(t, files).finding("upgrade-with-unmerged-checkpoints")
	cmds := commands(f)
	assert.NotRegexp(t, `Get-VMSnapshot[^|\n]*\|\s*Remove-VMSnapshot`, cmds, "no step removes every checkpoint")
	exported, copied := false, false
	for _, s := range f.Resolution {
		exported = exported || strings.HasPrefix(s.Command, "Export-VMSnapshot")
		copied = copied || s.Copies
		if strings.HasPrefix(s.Command, "Remove-VMSnapshot") {
			assert.True(t, exported && copied, "the checkpoint to keep is exported and the files copied before any deletion")
		}
	}
}

// Ntfs 137 (a transaction resource manager error, routine on shadow copy
// devices) is not corruption the engineer should repair offline: it gets
// the online scan at most, never a spot fix or an offline repair.
func TestNtfs137GetsNoRepair(t *testing.T) {
	sys := []evtxwrite.Record{
		hv02.Manifest("System", "Ntfs", GUIDNtfs, 137, LevelError, At(3, 0, 5), F("DriveName", "D:"), F("DeviceName", `\Device\HarddiskVolume4`)),
	}
	b := analyzeFiles(t, Files{"System.evtx": EVTX(sys, 60)})
	f := b.finding("filesystem-corruption")
	for _, s := range f.Resolution {
		assert.NotEqual(t, rules.RiskRewritesData, s.Risk, "no repair for a lone Ntfs 137: %s", s.Command)
	}
	assert.Contains(t, commands(f), "Repair-Volume -DriveLetter 'D' -Scan")
}
