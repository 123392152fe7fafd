package cmdout

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestPrechecksAreTheRegexps: each line test of precheck.go accepts
// exactly the lines its regular expression matches, over every line of
// the test data and lines built to sit at the edge of each precheck
// (case, Unicode letters that fold to ASCII ones, tabs, missing bytes).
func TestPrechecksAreTheRegexps(t *testing.T) {
	lines := []string{"", " ", "\t", "x", " C:\\", " Directory of C:\\Users", " Verzeichnis von C:\\VMs", " Répertoire de \\\\srv\\share",
		" Directory of C:", "Directory of C:\\x", "\t Directory of C:\\x", " Directory: C:\\x",
		"01/02/2024  10:00 AM    <DIR>          .", "2024-01-02  10:00    1.234.567 a b.vhdx", "1/2/2024 10:00 12 x", "a01/02/2024  10:00  1 x",
		"               2 Dir(s)  12,345,678,901 bytes free", "\t1 Dir(s)  12 bytes free", "2 Dir(s)  12 bytes free", "   3 Verzeichnis(se), 1.234 Bytes frei",
		"    Directory: C:\\ClusterStorage\\Volume1", "\tRépertoire : C:\\x", "    Directory: Microsoft.PowerShell.Core\\FileSystem::\\\\srv\\x",
		"    Directory: relative", "Directory: C:\\x", "    Directory C:\\x",
		"SeBackupPrivilege = *S-1-5-32-544", "SeServiceLogonRight=x", "seBackupPrivilege = x", " SeBackupPrivilege = x", "Se = x",
		"C:\\VMs\\a.vhdx: Access is denied.", "\\\\srv\\share: The network path was not found.", "C:\\x:(OI)(CI)F", "C:\\x: (a)", "c:/x: denied", "C:\\x:denied",
		"Filter listing failed with error: 0x80070005", "  filter LISTING FAILED with error", "Filter liſting failed with error", "Filter listing FAİLED", "failed",
		"An error occurred while attempting to start the selected virtual machine(s).", "AN ERROR OCCURRED WHILE ATTEMPTING TO CHECKPOINT",
		"The application encountered an error while attempting to change the state of 'vm1'.", "An ERRor occurred while attempting to merge",
		"An error occurred while attempting to ſtart", "An errorſ occurred while attempting to start", "  An error occurred while attempting to\texport",
		"Hyper-V Requirements:      VM Monitor Mode Extensions: Yes", "HYPER-V REQUIREMENTS: A hypervisor has been detected.", "Hyper‐V: x"}
	lines = append(lines, testDataLines(t)...)
	// Each line also with its case flipped and indented.
	for _, l := range lines[:len(lines):len(lines)] {
		lines = append(lines, strings.ToUpper(l), strings.ToLower(l), " "+l, "\t"+l)
	}
	for _, c := range []struct {
		name  string
		test  func(string) bool
		match func(string) bool
	}{
		{"dirHead", isDirHeadLine, dirHeadRe.MatchString},
		{"dirHeadTrimmed", isDirHeadTrimmed, dirHeadTrimmedRe.MatchString},
		{"dirEntry", isDirEntry, dirEntryRe.MatchString},
		{"dirFree", isDirFree, dirFreeRe.MatchString},
		{"gciDir", isGCIDir, gciDirRe.MatchString},
		{"seRight", isSeRight, seRightRe.MatchString},
		{"icaclsErr", isIcaclsErr, icaclsErrRe.MatchString},
		{"fltmcErr", isFltmcErr, fltmcErrRe.MatchString},
		{"managerErrorHead", isManagerErrorHead, managerErrorHeadRe.MatchString},
		{"hyper-v", func(l string) bool { return containsFoldASCII(l, "hyper-v") },
			func(l string) bool { return strings.Contains(strings.ToLower(l), "hyper-v") }},
		{"failed", func(l string) bool { return containsFoldASCII(l, "failed") }, regexp.MustCompile(`(?i)failed`).MatchString},
		{"error", func(l string) bool { return containsFoldASCII(l, "error") }, regexp.MustCompile(`(?i)error`).MatchString},
	} {
		matched := 0
		for _, l := range lines {
			want := c.match(l)
			if want {
				matched++
			}
			assert.Equal(t, want, c.test(l), "%s: %q", c.name, l)
		}
		assert.Positive(t, matched, "%s: no line of the test data matches", c.name)
	}
}
