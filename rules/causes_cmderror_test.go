package rules_test

import (
	"strings"
	"testing"

	. "github.com/hvtriage/hvtriage/internal/fixture"
)

// psError writes a Windows PowerShell 5.1 error record the way a console
// or a transcript prints it: the "Cmdlet : message" head, message lines,
// the position and the CategoryInfo / FullyQualifiedErrorId lines. The
// layout follows the records pasted in canonical/multipass#3090 and
// docker/for-win#6379; every host, VM, ID and path here is our own.
func psError(cmdlet, invocation, class string, message ...string) string {
	var b strings.Builder
	b.WriteString(cmdlet + " : " + message[0] + "\n")
	for _, l := range message[1:] {
		b.WriteString(l + "\n")
	}
	b.WriteString("At line:1 char:1\n+ " + invocation + "\n+ " + strings.Repeat("~", len(invocation)) + "\n")
	b.WriteString("    + CategoryInfo          : NotSpecified: (:) [" + cmdlet + "], " + class + "\n")
	b.WriteString("    + FullyQualifiedErrorId : OperationFailed,Microsoft.HyperV.PowerShell.Commands." + strings.ReplaceAll(cmdlet, "-", "") + "\n\n")
	return b.String()
}

const (
	cmdVMID = "4C2B9E71-0D38-4A6F-B915-7E3D20A8C6F4"
	cmdVM   = "ERP-APP2"
)

// startVMError is a Start-VM record whose component line carries one code.
func startVMError(component string) string {
	return psError("Start-VM", "Start-VM -Name "+cmdVM, "VirtualizationException",
		"'"+cmdVM+"' failed to start.",
		component,
		"'"+cmdVM+"' failed to start. (Virtual machine ID "+cmdVMID+")")
}

// cmdErrorCases are bundles of error records only. Structured command
// errors (cmdlet error records, Hyper-V Manager dialogs) feed the cause
// their code names, weighed like the event that carries the same code; the
// closest look-alike of each fires nothing and the report asks for the
// input that would decide.
var cmdErrorCases = append([]causeCase{
	{name: "access denied on a VM disk", cause: "permission-acl", want: firing().with("cmd-access-denied").citedFrom("errors.txt"),
		build: errorsFile(startVMError(`Account does not have permission to open attachment 'E:\VMs\ERP-APP2\Virtual Hard Disks\ERP-APP2.vhdx'. Error: 'General access denied error' (0x80070005).`))},
	{name: "access denied outside Hyper-V", cause: "permission-acl", want: missingInput("vm-acls"),
		build: errorsFile(psError("Stop-Service", "Stop-Service -Name Spooler", "ServiceCommandException",
			"Service 'Print Spooler (Spooler)' cannot be stopped due to the following error: Cannot open Spooler service on computer '.'. Access is denied"))},
	{name: "logon type not granted", cause: "permission-logon-as-service", want: firing().with("cmd-logon-type-denied").citedFrom("errors.txt"),
		build: errorsFile(startVMError(`'ERP-APP2' failed to start worker process: Logon failure: the user has not been granted the requested logon type at this computer. (0x80070569).`))},
	{name: "logon type of a scheduled task", cause: "permission-logon-as-service", want: missingInput("user-rights"),
		build: errorsFile(psError("Start-ScheduledTask", `Start-ScheduledTask -TaskName 'Nightly export'`, "CimException",
			"Logon failure: the user has not been granted the requested logon type at this computer. (0x80070569)"))},
	{name: "disk file not found", cause: "vm-files-missing", want: firing().with("cmd-file-not-found").citedFrom("errors.txt"),
		build: errorsFile(startVMError(`Microsoft Emulated IDE Controller (Instance ID 0B7E4D29-63C1-4F0A-9A82-5D1E6C3B7F90): Failed to Power on with Error 'The system cannot find the file specified.' (0x80070002).`))},
	{name: "script file not found", cause: "vm-files-missing", want: missingInput("vm-folder-listing"),
		build: errorsFile(psError("Start-Process", `Start-Process -FilePath 'C:\Tools\collect.exe'`, "InvalidOperationException",
			"This command cannot be run due to the error: The system cannot find the file specified."))},
	{name: "folder not found", cause: "vm-path-misconfigured", want: firing().with("cmd-path-not-found").citedFrom("errors.txt"),
		build: errorsFile(startVMError(`Failed to open attachment 'F:\Hyper-V\ERP-APP2\Virtual Hard Disks\ERP-APP2.vhdx'. Error: 'The system cannot find the path specified.' (0x80070003).`))},
	{name: "switch missing", cause: "vm-path-misconfigured", want: firing().with("cmd-switch-not-found").citedFrom("errors.txt"),
		build: errorsFile(psError("Import-VM", `Import-VM -Path 'E:\Import\ERP-APP2\Virtual Machines\4C2B9E71-0D38-4A6F-B915-7E3D20A8C6F4.vmcx'`, "VirtualizationException",
			"Unable to import virtual machine due to configuration errors.  Please use Compare-VM to repair the virtual machine.",
			"Could not find Ethernet switch 'vSwitch-Prod'."))},
	{name: "a bare WMI code", cause: "vm-path-misconfigured", want: missingInput("vm-inventory"),
		build: errorsFile(psError("Start-VM", "Start-VM -Name "+cmdVM, "VirtualizationException",
			"The operation failed with error code '32788'."))},
	{name: "disk full on a checkpoint", cause: "storage-space-exhausted", want: firing().with("cmd-disk-full").citedFrom("errors.txt"),
		build: errorsFile(psError("Checkpoint-VM", "Checkpoint-VM -Name "+cmdVM, "VirtualizationException",
			"Checkpoint operation for '"+cmdVM+"' failed. (Virtual machine ID "+cmdVMID+")",
			"Could not create checkpoint: There is not enough space on the disk. (0x80070070)"))},
	{name: "disk full writing a report", cause: "storage-space-exhausted", want: missingInput("system-log"),
		build: errorsFile(psError("Export-Csv", `Export-Csv -Path 'D:\Reports\inventory.csv'`, "IOException",
			"There is not enough space on the disk."))},
	{name: "identifier mismatch", cause: "chain-parent-modified", want: firing().with("cmd-id-mismatch-code").citedFrom("errors.txt"),
		build: errorsFile(startVMError(`Failed to open attachment 'E:\VMs\ERP-APP2\ERP-APP2_7F3A1C22-5B9D-4E08-A6C4-19D0E2B8F573.avhdx'. Error: 'The specified file is not a valid virtual disk.' (0x8007000D). The chain of virtual hard disks is corrupted: There is a mismatch in the identifiers of the parent virtual hard disk and differencing disk. (0xC03A000E).`))},
	{name: "parent not found", cause: "chain-parent-modified", want: missingInput("disk-headers"),
		others: []string{"chain-broken"},
		build: errorsFile(psError("Get-VHD", `Get-VHD -Path 'E:\VMs\ERP-APP2\ERP-APP2_7F3A1C22-5B9D-4E08-A6C4-19D0E2B8F573.avhdx'`, "VirtualizationException",
			`The chain of virtual hard disks is broken. The system cannot locate the parent virtual hard disk for the differencing disk 'E:\VMs\ERP-APP2\ERP-APP2_7F3A1C22-5B9D-4E08-A6C4-19D0E2B8F573.avhdx' (0xC03A000D).`))},
	{name: "catastrophic on restore", cause: "saved-state-stuck", want: firing().with("cmd-restore-catastrophic").citedFrom("errors.txt"),
		build: errorsFile(startVMError(`'ERP-APP2' could not restore the virtual machine from its saved state: Catastrophic failure (0x8000FFFF).`))},
	{name: "saved state unreadable", cause: "saved-state-stuck", want: firing().with("cmd-restore-failed").citedFrom("errors.txt"),
		build: errorsFile(psError("Start-VM", "Start-VM -Name "+cmdVM, "VirtualizationException",
			"'"+cmdVM+"' failed to restore.",
			"Failed to restore virtual machine state.",
			"'"+cmdVM+"' failed to restore. (Virtual machine ID "+cmdVMID+")"))},
	// The saved state was written by another processor family (VM files
	// copied to a new host while saved). Shape: held-out m, hv13_20.
	{name: "saved state incompatible with the hypervisor", cause: "saved-state-stuck", want: firing().with("cmd-restore-failed").citedFrom("errors.txt"),
		build: errorsFile(psError("Start-VM", "Start-VM -Name "+cmdVM, "VirtualizationException",
			"'"+cmdVM+"' failed to start.",
			"Cannot restore this virtual machine to the saved state because of hypervisor incompatibility. Delete the saved state data and then try to start the virtual machine. (0xC0370029)."))},
	{name: "backup restore of a file", cause: "saved-state-stuck", want: missingInput("worker-admin-log"),
		build: errorsFile(psError("Restore-Item", `Restore-Item -Path 'E:\Share\report.docx'`, "IOException",
			"Failed to restore 'E:\\Share\\report.docx': the backup set is offline."))},
	{name: "catastrophic on an adapter", cause: "saved-state-stuck", want: missingInput("worker-admin-log"),
		build: errorsFile(psError("Set-VMNetworkAdapter", "Set-VMNetworkAdapter -VMName "+cmdVM+" -MacAddressSpoofing On", "VirtualizationException",
			"Failed to modify device 'Ethernet Connection'. Catastrophic failure (0x8000FFFF)."))},
	{name: "writer non-retryable", cause: "vss-writer-failed", want: firing().with("cmd-writer-hresult").citedFrom("errors.txt"),
		build: errorsFile(psError("Checkpoint-VM", "Checkpoint-VM -Name "+cmdVM, "VirtualizationException",
			"Production checkpoint for '"+cmdVM+"' failed. (Virtual machine ID "+cmdVMID+")",
			"Could not create backup checkpoint for virtual machine '"+cmdVM+"': The writer experienced a non-transient error. (0x800423F4)."))},
	{name: "a bare WMI 32768", cause: "vss-writer-failed", want: missingInput("vss-writers"),
		build: errorsFile(psError("Start-VM", "Start-VM -Name "+cmdVM, "VirtualizationException",
			"The operation failed with error code '32768'."))},
	{name: "another snapshot set", cause: "backup-overlapping-jobs", want: firing().with("cmd-snapshot-set-in-progress").citedFrom("errors.txt"),
		build: errorsFile(psError("Checkpoint-VM", "Checkpoint-VM -Name "+cmdVM, "VirtualizationException",
			"Production checkpoint for '"+cmdVM+"' failed. (Virtual machine ID "+cmdVMID+")",
			"Could not create backup checkpoint: Another shadow copy creation is already in progress. (0x80042316)."))},
	{name: "shadow limit reached", cause: "backup-overlapping-jobs", want: missingInput("application-log"),
		build: errorsFile(psError("Checkpoint-VM", "Checkpoint-VM -Name "+cmdVM, "VirtualizationException",
			"Production checkpoint for '"+cmdVM+"' failed. (Virtual machine ID "+cmdVMID+")",
			"Could not create backup checkpoint: The specified volume has already reached its maximum number of shadow copies. (0x80042317)."))},
	// Tools that drive Hyper-V (Vagrant's snapshot and import scripts)
	// print the job's sentence with no code.
	{name: "checkpoints disabled on a checkpoint", cause: "checkpoint-type-blocks", want: firing().with("checkpoints-disabled-cmd").citedFrom("errors.txt"),
		build: errorsFile(psError("Checkpoint-VM", "Checkpoint-VM -Name "+cmdVM+" -SnapshotName before-patch", "VirtualizationException",
			"Checkpoint operation failed.",
			"Checkpoints have been disabled for '"+cmdVM+"'. (Virtual machine ID "+cmdVMID+")"))},
	{name: "checkpoint failed for a lock", cause: "checkpoint-type-blocks", want: missingInput("vm-inventory"),
		others: []string{"stale-file-lock"},
		build: errorsFile(psError("Checkpoint-VM", "Checkpoint-VM -Name "+cmdVM, "VirtualizationException",
			"Checkpoint operation for '"+cmdVM+"' failed. (Virtual machine ID "+cmdVMID+")",
			"The process cannot access the file because it is being used by another process. (0x80070020)"))},
	{name: "import of a newer VM", cause: "config-version-unsupported", want: firing().with("version-message").citedFrom("errors.txt"),
		build: errorsFile(psError("Import-VM", `Import-VM -Path 'E:\Import\ERP-APP2\Virtual Machines\4C2B9E71-0D38-4A6F-B915-7E3D20A8C6F4.vmcx'`, "VirtualizationException",
			"Failed to import a virtual machine.",
			"Error Code: 32784",
			"Cause: VM version is unsupported"))},
}, cmdErrorFreeTextCase)

// errorsFile is a bundle of one file of error records.
func errorsFile(text string) func(*testing.T) Files {
	return func(*testing.T) Files { return Files{"errors.txt": UTF16(text)} }
}

// A free-text mention of the same error counts half: a ticket that says
// "Start-VM failed with 0x80070569" raises the cause, below medium.
var cmdErrorFreeTextCase = causeCase{name: "free-text mention is weak", cause: "permission-logon-as-service",
	want: firing().with("cmd-logon-type-denied").maxConfidence(0.44),
	build: func(*testing.T) Files {
		note := "Hi team,\n\nsince the GPO change last night ERP-APP2 will not boot.\n" +
			"Start-VM says: 'ERP-APP2' failed to start worker process: Logon failure: the user has not been granted the requested logon type at this computer. (0x80070569)\n\nThanks, Dana\n"
		return Files{"ticket-note.txt": ASCII(note)}
	}}
