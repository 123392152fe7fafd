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
