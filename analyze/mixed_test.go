package analyze

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvtriage/hvtriage/evidence"
)

// mixedMail is a mail that pastes an Event Viewer copy, then a prompt with
// a Get-VM error and a dir listing, then a sentence with a code.
var mixedMail = strings.Join([]string{
	"Subject: LAB-APP7 gone after deleting checkpoints", // 1
	"",
	"Hello, the VM is gone from the console. Event Viewer says:", // 3
	"",
	"Log Name:      Microsoft-Windows-Hyper-V-VMMS-Admin", // 5
	"Source:        Microsoft-Windows-Hyper-V-VMMS",
	"Date:          3/14/2026 9:12:40 AM",
	"Event ID:      16300",
	"Task Category: None",
	"Level:         Error",
	"Keywords:",
	"User:          SYSTEM",
	"Computer:      HVLAB-02.corp.test",
	"Description:",
	"Cannot load a virtual machine configuration: The file or directory is corrupted and unreadable. (0x80070570) (Virtual machine ID 1C6E2F0A-93B7-4D21-8A55-0E4F7B9C3D12)", // 15
	"",
	`PS C:\> Get-VM LAB-APP7`, // 17
	`Get-VM : Hyper-V was unable to find a virtual machine with name "LAB-APP7".`,
	"",
	` Directory of E:\VMs\LAB-APP7\Virtual Machines`, // 20
	"",
	"03/14/2026  09:11 AM                 0 1C6E2F0A-93B7-4D21-8A55-0E4F7B9C3D12.xml", // 22
	"               1 File(s)              0 bytes",
	"               0 Dir(s)  52,118,007,808 bytes free",
	"",
	"Before that, Remove-VMSnapshot had failed with 0x80070020 on LAB-APP7.", // 26
	"",
}, "\r\n")

func evidenceAt(res *Result, line int64) []evidence.Evidence {
	var out []evidence.Evidence
	for _, e := range res.Evidence {
		if e.At.Unit == evidence.UnitLine && e.At.Value == line {
			out = append(out, e)
		}
	}
	return out
}

// TestMixedFileEveryReaderReadsItsPart: the mail's kind stays that of its
// first recognizer, and the event, the error record, the listing and the
// free-text sentence each give evidence at their own line, once.
func TestMixedFileEveryReaderReadsItsPart(t *testing.T) {
	want := classify("mail.txt", []byte(mixedMail)).Kind
	res := runFiles(t, map[string][]byte{"mail.txt": []byte(mixedMail)})
	require.Len(t, res.Inventory, 1)
	assert.Equal(t, want, res.Inventory[0].Kind, "the kind stays the first recognizer's")

	ev := evidenceAt(res, 5)
	require.Len(t, ev, 1, "the Event Viewer copy is read as an event at its first line")
	assert.Equal(t, evidence.KindEvent, ev[0].Kind)
	assert.Equal(t, "16300", ev[0].Attrs[evidence.AttrEventID])
	assert.NotContains(t, ev[0].Attrs["text"], "Get-VM", "the message ends before the prompt")
	assert.Empty(t, evidenceAt(res, 15), "the message line is the event's, not free text")

	assert.NotEmpty(t, evidenceAt(res, 18), "the Get-VM error record")
	files := evidenceAt(res, 22)
	require.NotEmpty(t, files, "the listing")
	assert.Equal(t, evidence.KindFile, files[0].Kind)

	free := evidenceAt(res, 26)
	require.Len(t, free, 1, "the sentence is a free-text mention")
	assert.Equal(t, "true", free[0].Attrs[evidence.AttrWeak])
	assert.Contains(t, free[0].Attrs[evidence.AttrHResults], "0x80070020")

	lines := map[int64]string{}
	for _, e := range res.Evidence {
		if e.At.Unit != evidence.UnitLine {
			continue
		}
		src := e.Attrs[evidence.AttrSourceKind] + string(e.Kind)
		if prev, ok := lines[e.At.Value]; ok {
			assert.Equal(t, prev, src, "line %d read by two readers", e.At.Value)
		}
		lines[e.At.Value] = src
	}
	assert.Contains(t, strings.Join(res.Inventory[0].Notes, "\n"), "also read in this file")
}

// mixedListAndACL is a Get-WinEvent Format-List export, a remark, then
// icacls output of the folder the events name.
var mixedListAndACL = strings.Join([]string{
	`PS C:\> Get-WinEvent -LogName Microsoft-Windows-Hyper-V-VMMS-Admin -MaxEvents 1 | Format-List`,
	"",
	"TimeCreated  : 14.03.2026 02:10:05", // 3
	"ProviderName : Microsoft-Windows-Hyper-V-VMMS",
	"Id           : 19100",
	"Message      : 'BLD-07' background disk merge failed to complete: General access denied error",
	"               (0x80070005). (Virtual machine ID 4F1A2B3C-5D6E-4F70-8192-A3B4C5D6E7F8)", // 7
	"",
	"The share was moved last week.", // 9
	"",
	`PS C:\> icacls F:\Builds\BLD-07`,
	`F:\Builds\BLD-07 BUILTIN\Administrators:(OI)(CI)(F)`, // 12
	`                 NT AUTHORITY\SYSTEM:(OI)(CI)(F)`,
	"",
	"Successfully processed 1 files; Failed processing 0 files",
	"",
}, "\n")

// TestMixedEventsAndOutput: the events and the icacls output are both read
// whichever comes first; the event's message does not swallow the ACL.
func TestMixedEventsAndOutput(t *testing.T) {
	res := runFiles(t, map[string][]byte{"paste.txt": []byte(mixedListAndACL)})
	ev := evidenceAt(res, 3)
	require.Len(t, ev, 1)
	assert.Equal(t, "19100", ev[0].Attrs[evidence.AttrEventID])
	assert.NotContains(t, ev[0].Attrs["text"], "BUILTIN", "the block ends at the first line that is no property")
	acl := evidenceAt(res, 12)
	require.Len(t, acl, 1)
	assert.Equal(t, evidence.KindACL, acl[0].Kind)
	assert.Empty(t, evidenceAt(res, 7))
}

// mixedJobLog is a backup product's job log followed by a Get-VMSnapshot
// table.
var mixedJobLog = strings.Join([]string{
	"Job name: HV-Nightly",
	"Completed status: Failed", // 2
	"Final error: 0xa000971e - A recovery checkpoint cannot be created because Backup Exec detected another recovery checkpoint on the virtual machine 'FS-12'.",
	"",
	`PS C:\> Get-VMSnapshot -VMName FS-12 | ft VMName,Name,SnapshotType -a`,
	"",
	"VMName Name                 SnapshotType",
	"------ ----                 ------------",
	"FS-12  BE_Snapshot_FS-12    Recovery", // 9
	"",
}, "\n")

func TestMixedBackupLogAndTable(t *testing.T) {
	res := runFiles(t, map[string][]byte{"job.txt": []byte(mixedJobLog)})
	snap := evidenceAt(res, 9)
	require.Len(t, snap, 1)
	assert.Equal(t, evidence.KindSnapshot, snap[0].Kind)
	be := evidenceAt(res, 3)
	require.Len(t, be, 1, "the job log line is read by the backup-log reader")
	assert.Equal(t, KindBackupLog, be[0].Attrs[evidence.AttrSourceKind])
	assert.Empty(t, be[0].Attrs[evidence.AttrWeak])
}
