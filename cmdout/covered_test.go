package cmdout

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestDocCovered: Parse says which lines its sections read, so that the
// prose and pasted events around them can go to other readers.
func TestDocCovered(t *testing.T) {
	text := strings.Join([]string{
		"Hi, here is what the host shows:", // 1
		"",
		`PS C:\> icacls F:\Builds\BLD-07`,
		`F:\Builds\BLD-07 BUILTIN\Administrators:(OI)(CI)(F)`, // 4
		`                 NT AUTHORITY\SYSTEM:(OI)(CI)(F)`,    // 5
		"",
		"Successfully processed 1 files; Failed processing 0 files", // 7
		"",
		"and the checkpoints:", // 9
		"",
		"VMName Name              SnapshotType",
		"------ ----              ------------",
		"FS-12  Before patching   Standard", // 13
		"",
		"Thanks", // 15
	}, "\n")
	d, _ := Parse(text)
	covered := map[int]bool{}
	for _, s := range d.Covered {
		for l := s.First; l <= s.Last; l++ {
			covered[l] = true
		}
	}
	for _, l := range []int{4, 5, 7, 13} {
		assert.True(t, covered[l], "line %d is read; covered %v", l, d.Covered)
	}
	for _, l := range []int{1, 9, 15} {
		assert.False(t, covered[l], "line %d is prose; covered %v", l, d.Covered)
	}
}

// TestBackupLogCovered: a product log takes its entries and its own
// information lines, not the lines of other forms.
func TestBackupLogCovered(t *testing.T) {
	text := strings.Join([]string{
		"23:40:02.117 [6312.5540] <2> bpfis: INF - BACKUP START 6312", // 1
		"23:41:19.870 [6312.5540] <32> bpfis: FTL - snapshot processing failed, status 156",
		"",
		"VMName Name              SnapshotType", // 4
		"------ ----              ------------",
		"FS-12  Before patching   Standard",
	}, "\n")
	log := ParseBackupLog(text)
	assert.Equal(t, []Span{{1, 2}}, log.Covered)
}

// TestPastedPartsEndWhereTheyEnd: a copied message box ends at its button
// rule, a dir head pasted without its leading space still heads a
// listing, and a Get-VM view with CheckpointType is a VM list.
func TestPastedPartsEndWhereTheyEnd(t *testing.T) {
	text := strings.Join([]string{
		"---------------------------",
		"Hyper-V Manager",
		"---------------------------",
		"An error occurred while attempting to checkpoint the selected virtual machine(s).", // 4
		"",
		"Production checkpoints cannot be created for 'OPS-5'.",
		"---------------------------",
		"OK",
		"---------------------------", // 9
		"",
		`PS C:\> Get-VM OPS-5 | Select Name,State,CheckpointType`,
		"",
		"Name  State   CheckpointType",
		"----  -----   --------------",
		"OPS-5 Running Disabled", // 15
		"",
		`Directory of G:\VMs\OPS-5\Virtual Hard Disks`, // 17
		"",
		"05/11/2026  02:14 AM       268,435,456 OPS-5-AutoRecovery.avhdx", // 19
		"",
	}, "\n")
	d, _ := Parse(text)
	if assert.Len(t, d.Errors, 1) {
		assert.NotContains(t, d.Errors[0].Message, "Get-VM")
		assert.NotContains(t, d.Errors[0].Message, "OK")
	}
	if assert.Len(t, d.VMs, 1) {
		assert.Equal(t, "Disabled", d.VMs[0].CheckpointType)
		assert.Equal(t, 15, d.VMs[0].Line)
	}
	if assert.Len(t, d.Files, 1) {
		assert.Equal(t, `G:\VMs\OPS-5\Virtual Hard Disks`, d.Files[0].Dir)
		assert.Equal(t, 19, d.Files[0].Line)
	}
	assert.Equal(t, KindUnknown, Sniff("Copied the files to D:\\Backup\nand it worked.\n"), "a sentence naming a folder is no dir head")
}

// TestMentionTextKeepsTheCode: a paste whose line breaks were lost is one
// long line; the mention's text keeps the sentence with its first code.
func TestMentionTextKeepsTheCode(t *testing.T) {
	l := "PS C:\\> vagrant up " + strings.Repeat("==> default: waiting for the machine... ", 15) +
		"'OPS-5' failed to start: the requested operation could not be completed due to a virtual disk system limitation (0xC03A001A)."
	got := ScanFreeText(l)
	if assert.Len(t, got, 1) {
		assert.Contains(t, got[0].Text, "0xC03A001A")
		assert.LessOrEqual(t, len(got[0].Text), maxMentionText)
	}
}
