package evtx

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A pasted event is followed by other things: each form says which lines
// its events took (Line..EndLine), and a block ends where the paste goes on
// with something that is not the event's.

func TestTextEventEndLine_FormatListStopsAtColumnZeroText(t *testing.T) {
	in := strings.Join([]string{
		"TimeCreated  : 14.03.2026 02:10:05", // 1
		"ProviderName : Microsoft-Windows-Hyper-V-VMMS",
		"Id           : 19100",
		"Message      : 'BLD-07' background disk merge failed to complete: General access denied error",
		"               (0x80070005).", // 5
		"",
		"The share was moved last week.", // 7
		`F:\Builds\BLD-07 BUILTIN\Administrators:(OI)(CI)(F)`,
		`                 NT AUTHORITY\SYSTEM:(OI)(CI)(F)`,
		"",
	}, "\n")
	got, _ := walkTextString(t, []byte(in))
	require.Len(t, got, 1)
	assert.Equal(t, 1, got[0].Line)
	assert.Equal(t, 5, got[0].EndLine)
	assert.NotContains(t, got[0].Message, "SYSTEM", "indented lines after the block are not its message")
}

func TestTextEventEndLine_DetailsStopAtPrompt(t *testing.T) {
	in := strings.Join([]string{
		"Our host logged this:", // 1
		"",
		"Log Name:      Microsoft-Windows-Hyper-V-VMMS-Admin", // 3
		"Source:        Microsoft-Windows-Hyper-V-VMMS",
		"Date:          3/14/2026 9:12:40 AM",
		"Event ID:      16300",
		"Level:         Error",
		"Description:",
		"Cannot load a virtual machine configuration: The file or directory is corrupted and unreadable. (0x80070570)", // 9
		"",
		`PS C:\> Get-VM LAB-APP7`, // 11
		`Get-VM : Hyper-V was unable to find a virtual machine with name "LAB-APP7".`,
		"",
		"-----Original Message-----",
		"",
	}, "\r\n")
	got, _ := walkTextString(t, []byte(in))
	require.Len(t, got, 1)
	assert.Equal(t, 3, got[0].Line)
	assert.Equal(t, 9, got[0].EndLine)
	assert.NotContains(t, got[0].Message, "Get-VM")
}

func TestTextEventEndLine_TableAndCSV(t *testing.T) {
	table := strings.Join([]string{
		`PS C:\> Get-WinEvent -LogName Microsoft-Windows-Hyper-V-VMMS-Admin -MaxEvents 1`,
		"",
		"   ProviderName: Microsoft-Windows-Hyper-V-VMMS",
		"",
		"TimeCreated                     Id LevelDisplayName Message",
		"-----------                     -- ---------------- -------",
		"3/14/2026 2:10:05 AM         19100 Error            'BLD-07' background disk merge failed", // 7
		"                                                    to complete (0x80070005).",             // 8
		"",
	}, "\n")
	got, _ := walkTextString(t, []byte(table))
	require.Len(t, got, 1)
	assert.Equal(t, 7, got[0].Line)
	assert.Equal(t, 8, got[0].EndLine)
}

// TestCommandLineNamesTheProvider: views that select properties leave the
// provider out; the Get-WinEvent command pasted above them names it (or
// the log, whose name carries the provider's).
func TestCommandLineNamesTheProvider(t *testing.T) {
	list := strings.Join([]string{
		`PS C:\> Get-WinEvent -LogName Microsoft-Windows-Hyper-V-VMMS-Admin -MaxEvents 1 | Format-List TimeCreated,Id,LevelDisplayName,Message`,
		"",
		"TimeCreated      : 11.05.2026 01:17:55",
		"Id               : 19100",
		"LevelDisplayName : Error",
		"Message          : 'OPS-5' background disk merge failed to complete: General access denied error (0x80070005).",
		"",
	}, "\n")
	require.True(t, SniffText([]byte(list)))
	got, _ := walkTextString(t, []byte(list))
	require.Len(t, got, 1)
	assert.Equal(t, "Microsoft-Windows-Hyper-V-VMMS", got[0].Provider)
	assert.Equal(t, "Microsoft-Windows-Hyper-V-VMMS-Admin", got[0].Channel)

	table := strings.Join([]string{
		`PS C:\> Get-WinEvent -ProviderName Microsoft-Windows-Hyper-V-StorageVSP -MaxEvents 1 | ft -Wrap`,
		"",
		"TimeCreated          Id LevelDisplayName Message",
		"-----------          -- ---------------- -------",
		"11.05.2026 03:20:41   6 Information      Storage device 'H:\\VMs\\DB-31\\DB-31.avhdx' encountered IO failure",
		"",
	}, "\n")
	got, _ = walkTextString(t, []byte(table))
	require.Len(t, got, 1)
	assert.Equal(t, "Microsoft-Windows-Hyper-V-StorageVSP", got[0].Provider)

	// A quoted log name may hold a space (Defender's operational log).
	quoted := strings.Join([]string{
		`PS C:\> Get-WinEvent -LogName 'Microsoft-Windows-Windows Defender/Operational' -MaxEvents 1 | fl TimeCreated,Id,Message`,
		"",
		"TimeCreated : 09.09.2026 08:41:06",
		"Id          : 1123",
		"Message     : Microsoft Defender Exploit Guard has blocked an operation that is not allowed by your IT administrator.",
		"",
	}, "\n")
	got, _ = walkTextString(t, []byte(quoted))
	require.Len(t, got, 1)
	assert.Equal(t, "Microsoft-Windows-Windows Defender", got[0].Provider)
	assert.Equal(t, "Microsoft-Windows-Windows Defender/Operational", got[0].Channel)

	// Without a command line naming one, a view without ProviderName is
	// not taken for events.
	assert.False(t, SniffText([]byte(strings.Join(strings.Split(list, "\n")[2:], "\n"))))
}
