package cmdout

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Error records of Hyper-V cmdlets other than the Get-* ones, as Windows
// PowerShell 5.1 and PowerShell 7 print them. The layouts follow pastes in
// canonical/multipass#3090 (a Start-VM record with CategoryInfo and
// FullyQualifiedErrorId), rbalsleyMSFT/FFU#378 (PowerShell 7 "Line |"
// form) and docker/for-win#6379 (module-qualified "Hyper-V\Start-VM");
// hosts, VM names, IDs and paths are our own.
const psErrorsText = "Start-VM : 'APP-DB3' failed to start.\r\n" +
	"Synthetic SCSI Controller (Instance ID 6B1D2F40-88A3-4C1E-9D57-0E2A7C4B9F13): Failed to Power on with Error 'General access denied error'.\r\n" +
	"Account does not have permission to open attachment 'F:\\Hyper-V\\APP-DB3\\Virtual Hard Disks\\APP-DB3-data.vhdx'. Error: 'General access denied error'.\r\n" +
	"'APP-DB3' failed to start. (Virtual machine ID 3E9F0A21-5C7B-4D86-A1F2-7B40C9E8D615)\r\n" +
	"At line:1 char:1\r\n" +
	"+ Start-VM -Name APP-DB3\r\n" +
	"+ ~~~~~~~~~~~~~~~~~~~~~~\r\n" +
	"    + CategoryInfo          : NotSpecified: (:) [Start-VM], VirtualizationException\r\n" +
	"    + FullyQualifiedErrorId : OperationFailed,Microsoft.HyperV.PowerShell.Commands.StartVM\r\n" +
	"\r\n" +
	"Hyper-V\\Checkpoint-VM : Checkpoint operation for 'FS-NORTH' failed. (Virtual machine ID 90C4E7B2-1D3A-4F58-B6E0-2A9D8C71F504)\r\n" +
	"Could not create checkpoint: There is not enough space on the disk.\r\n" +
	"At C:\\ops\\nightly.ps1:14 char:5\r\n" +
	"+     Checkpoint-VM -Name FS-NORTH -SnapshotName pre-patch\r\n" +
	"+     ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\r\n" +
	"    + CategoryInfo          : NotSpecified: (:) [Checkpoint-VM], VirtualizationException\r\n" +
	"    + FullyQualifiedErrorId : OperationFailed,Microsoft.HyperV.PowerShell.Commands.CheckpointVM\r\n" +
	"\r\n" +
	"Merge-VHD: C:\\ops\\merge.ps1:7\r\n" +
	"Line |\r\n" +
	"   7 |  Merge-VHD -Path 'G:\\VMs\\LAB9\\LAB9_5D2A.avhdx' -DestinationPath 'G:\\VMs\\LAB9\\LAB9.vhdx'\r\n" +
	"     |  ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\r\n" +
	"     | Failed to merge the virtual disk. The process cannot access the file because it is being\r\n" +
	"     | used by another process.\r\n"

func TestParse_anyCmdletErrorRecord(t *testing.T) {
	assert.Equal(t, KindPSError, Sniff(psErrorsText))
	d, _ := Parse(psErrorsText)
	require.Len(t, d.Errors, 3)

	e := d.Errors[0]
	assert.Equal(t, 1, e.Line)
	assert.Equal(t, "Start-VM", e.Command)
	assert.Equal(t, "APP-DB3", e.VM)
	assert.Equal(t, "3e9f0a21-5c7b-4d86-a1f2-7b40c9e8d615", e.VMID)
	assert.Equal(t, `F:\Hyper-V\APP-DB3\Virtual Hard Disks\APP-DB3-data.vhdx`, e.Path)
	assert.Equal(t, []string{"0x80070005"}, e.Codes, "named only by its text")
	assert.Zero(t, e.HResult, "HResult stays what was printed")
	assert.Equal(t, "OperationFailed,Microsoft.HyperV.PowerShell.Commands.StartVM", e.ErrorID)
	assert.Equal(t, "Start-VM", cmdletFromRecord(e.ErrorID, ""))

	e = d.Errors[1]
	assert.Equal(t, 11, e.Line)
	assert.Equal(t, "Checkpoint-VM", e.Command)
	assert.Equal(t, "FS-NORTH", e.VM)
	assert.Equal(t, []string{"0x80070070"}, e.Codes)

	e = d.Errors[2]
	assert.Equal(t, "Merge-VHD", e.Command)
	assert.Equal(t, "Failed to merge the virtual disk. The process cannot access the file because it is being used by another process.", e.Message)
	assert.Equal(t, []string{"0x80070020"}, e.Codes)
	assert.Equal(t, `G:\VMs\LAB9\LAB9_5D2A.avhdx`, e.Path)
}

// The Hyper-V Manager dialog as people copy it into tickets; layout after
// microsoft/MSLab#353 (the "'NAME' failed to start. (Virtual machine ID
// …)" lines) with our own names.
const managerText = "An error occurred while attempting to start the selected virtual machine(s).\r\n" +
	"\r\n" +
	"'KIOSK-07' failed to start.\r\n" +
	"\r\n" +
	"Microsoft Emulated IDE Controller (Instance ID 83BA5C6E-0F29-47D1-9E3B-C41A6D2E7F08): Failed to Power on with Error 'The process cannot access the file because it is being used by another process.' (0x80070020).\r\n" +
	"\r\n" +
	"'KIOSK-07' failed to start. (Virtual machine ID 5A0E3C18-7B24-4F9D-8E61-D2C94B07A3F5)\r\n" +
	"\r\n\r\n" +
	"Notes from the night shift follow.\r\n"

func TestParse_managerDialog(t *testing.T) {
	assert.Equal(t, KindPSError, Sniff(managerText))
	d, _ := Parse(managerText)
	require.Len(t, d.Errors, 1)
	e := d.Errors[0]
	assert.Equal(t, "Hyper-V Manager", e.Command)
	assert.Equal(t, "KIOSK-07", e.VM)
	assert.Equal(t, "5a0e3c18-7b24-4f9d-8e61-d2c94b07a3f5", e.VMID)
	assert.Equal(t, uint32(0x80070020), e.HResult)
	assert.Equal(t, []string{"0x80070020"}, e.Codes)
	assert.NotContains(t, e.Message, "night shift")
}

// A tool that ran the cmdlet prints its own words before the record's
// head ("… PowerShell error: Hyper-V\Compare-VM : …"); the record's lines
// below confirm it. The same words without a record are no error record.
func TestParse_relayedErrorRecord(t *testing.T) {
	text := "Error cloning virtual machine: PowerShell error: Hyper-V\\Compare-VM : The virtual machine configuration could not be read.\n" +
		"At C:\\Temp\\ps1.ps1:12 char:17\n" +
		"+ $r = Hyper-V\\Compare-VM -Path $p\n" +
		"    + CategoryInfo          : InvalidArgument: (:) [Compare-VM], VirtualizationException\n" +
		"    + FullyQualifiedErrorId : InvalidParameter,Microsoft.HyperV.PowerShell.Commands.CompareVM\n"
	d, _ := Parse(text)
	require.Len(t, d.Errors, 1)
	assert.Equal(t, "Compare-VM", d.Errors[0].Command)
	assert.Equal(t, 1, d.Errors[0].Line)
	assert.Equal(t, "The virtual machine configuration could not be read.", d.Errors[0].Message)
	assert.True(t, strings.HasPrefix(text, "Error cloning"), "the text is left as it was")

	d, _ = Parse("Note: we ran Hyper-V\\Compare-VM : it said nothing useful.\nthanks\n")
	assert.Empty(t, d.Errors)
}

func TestCodesInText(t *testing.T) {
	assert.Equal(t, []string{"0xC03A000E"}, CodesInText("The chain of virtual hard disks is corrupted. There is a mismatch in the\r\n  identifiers of the parent virtual hard disk and differencing disk."))
	assert.Equal(t, []string{"0x80070569"}, CodesInText("Logon failure: the user has not been granted the requested logon type at this computer. (0x80070569)"))
	assert.Equal(t, []string{"0x80070522"}, CodesInText("A required privilege is not held by the client."))
	assert.Empty(t, CodesInText("The file exists in the backup set."[:4]))
	assert.Equal(t, []string{"0x8007000D", "0x80070002"}, Codes("error 0x8007000d; The system cannot find the file specified."))
	// Resilient Change Tracking's messages, wrapped as consoles do.
	assert.Equal(t, []string{"0xC03A0029"}, CodesInText("Failed to get changed blocks: The specified change tracking\n  identifier is not valid."))
	assert.Equal(t, []string{"0xC03A0022"}, CodesInText("VHD file is changed due to compaction, expansion, or offline updates."))
	assert.Equal(t, []string{"0xC03A0024"}, CodesInText("Change Tracking file for the virtual disk is not in a valid state."))
}

func TestCodesInText_decimalAndGerman(t *testing.T) {
	assert.Equal(t, []string{"0x80070005"}, CodesInText("Export of 'OPS-GW1' failed with HRESULT 2147942405."))
	assert.Equal(t, []string{"0x80070020"}, CodesInText("System.Runtime.InteropServices.COMException (-2147024864): in use"))
	assert.Equal(t, []string{"0x80070570"}, CodesInText(`"OPS-GW1": Die Datei oder das Verzeichnis ist beschädigt und nicht lesbar.`))
	assert.Empty(t, CodesInText("Length 2147942406 bytes, serial 4294967295, id 1234567890"), "a ten-digit number that is no known code")
	assert.Empty(t, CodesInText("build 10.0.2147942405.1, C:/x/2147942405/y"), "a number inside a version or path")
}
