package rules_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/hvtriage/hvtriage/internal/fixture"
)

// A checkpoint that fails with "The file exists" in a Hyper-V Manager
// dialog (not an event), beside a listing of the disk named after the VM's
// disk, <disk>-AutoRecovery.avhdx, as Hyper-V names it.
func TestAutoRecoveryFromDialogAndNamedListing(t *testing.T) {
	dialog := "---------------------------\nHyper-V Manager\n---------------------------\n" +
		"An error occurred while attempting to checkpoint the selected virtual machine(s).\n\n" +
		"'APP-22' could not initiate a checkpoint operation: The file exists. (0x80070050). (Virtual machine ID 0D3B7A51-2E8C-4F19-A6D4-95C1E7B2F083)\n" +
		"---------------------------\nOK\n---------------------------\n"
	listing := " Directory of G:\\VMs\\APP-22\\Virtual Hard Disks\n\n" +
		"05/11/2026  02:14 AM       268,435,456 APP-22-AutoRecovery.avhdx\n" +
		"05/12/2026  07:40 AM    64,424,509,440 APP-22.vhdx\n" +
		"               2 File(s) 64,692,944,896 bytes\n"
	b := analyzeFiles(t, fixture.Files{"dialog.txt": fixture.ASCII(dialog), "dir.txt": fixture.ASCII(listing)})
	f := b.finding("checkpoint-orphaned")
	assert.Subset(t, signalIDs(f), []string{"autorecovery-file-exists-cmd", "autorecovery-in-listing"})
}

// A Japanese dialog line long enough that its printed 0xC03A000E sits past
// the cut of a mention's text: the code still routes to the modified parent.
func TestIDMismatchAtTheEndOfALongLine(t *testing.T) {
	note := "仮想ディスク 'F:\\VMs\\KAI-03\\KAI-03_6B2D0E71-4A95-4C38-B1F2-7E9D03A6C514.avhdx' を開けませんでした。" +
		"差分ディスクのチェーンの仮想ディスクを開くときに問題が発生しました。'F:\\VMs\\KAI-03\\KAI-03.vhdx': " +
		"'仮想ハード ディスクのチェーンが壊れています。親仮想ハード ディスクと差分ディスクの識別子が一致しません。' (0xC03A000E)。\n"
	b := analyzeFiles(t, fixture.Files{"note.txt": []byte(note)})
	assert.Contains(t, signalIDs(b.finding("chain-parent-modified")), "get-vhd-id-mismatch")
}

// StorageVSP's recovery-state change to Disk Full, read from a
// Get-WinEvent table whose provider only the command line names.
func TestStorageVSPDiskFull(t *testing.T) {
	table := "PS C:\\> Get-WinEvent -ProviderName Microsoft-Windows-Hyper-V-StorageVSP -MaxEvents 2 | ft TimeCreated,Id,LevelDisplayName,Message -Wrap\n\n" +
		"TimeCreated          Id LevelDisplayName Message\n" +
		"-----------          -- ---------------- -------\n" +
		"11.05.2026 03:20:41   4 Information      Storage device 'H:\\VMs\\DB-31\\DB-31_data_4C2E.avhdx' changed recovery state\n" +
		"                                         Previous state = Normal\n" +
		"                                         New state = Disk Full\n"
	b := analyzeFiles(t, fixture.Files{"storagevsp.txt": fixture.ASCII(table)})
	f := b.finding("storage-space-exhausted")
	assert.Contains(t, signalIDs(f), "storagevsp-disk-full")
	assert.True(t, strings.HasPrefix(b.causes()[0], "storage-space-exhausted"), "first: %v", b.causes())
}

// The same recovery-state change worded "New status = Disk Full" in a
// Get-WinEvent Format-List paste, followed by a drive table whose numbers
// sit where fltmc's altitude would: the table is not taken for fltmc and
// the full disk outranks the I/O failure it causes. Names are our own.
func TestStorageVSPDiskFullStatusWording(t *testing.T) {
	paste := "TimeCreated  : 5/2/2026 1:12:40 AM\n" +
		"ProviderName : Microsoft-Windows-Hyper-V-StorageVSP\n" +
		"Id           : 6\n" +
		"Message      : IO failure with error = SRB_STATUS_ERROR_RECOVERY for storage device 'K:\\Guests\\LAB-71\\LAB-71_5E0C.avhdx'.\n\n" +
		"TimeCreated  : 5/2/2026 1:12:40 AM\n" +
		"ProviderName : Microsoft-Windows-Hyper-V-StorageVSP\n" +
		"Id           : 4\n" +
		"Message      : Storage device 'K:\\Guests\\LAB-71\\LAB-71_5E0C.avhdx' changed recovery state. New status = Disk Full.\n\n" +
		"Name           Used (GB)     Free (GB) Provider      Root\n" +
		"----           ---------     --------- --------      ----\n" +
		"K                 930.10          0.00 FileSystem    K:\\\n"
	b := analyzeFiles(t, fixture.Files{"paste.txt": fixture.ASCII(paste)})
	assert.Contains(t, signalIDs(b.finding("storage-space-exhausted")), "storagevsp-disk-full")
	assert.True(t, strings.HasPrefix(b.causes()[0], "storage-space-exhausted"), "first: %v", b.causes())
}
