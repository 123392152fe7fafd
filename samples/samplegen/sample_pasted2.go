package samplegen

import (
	"strings"

	. "github.com/hvtriage/hvtriage/internal/fixture"
)

// pastedWebFormStorage: the customer filled a web form whose text box
// joined every line of the Event Viewer entries they copied into one, and
// attached a sheet exported with ";" under titles of its own
// ("Date/Time;Source;EventID;Level;Message"), the German Excel default.
// Shapes: held-out h/hv8_03 and e/hv5_21 (analyze/testdata/heldout).
func pastedWebFormStorage() Sample {
	block := func(src, date, id, level, msg string) string {
		return "Log Name: System Source: " + src + " Date: " + date + " Event ID: " + id + " Task Category: None Level: " + level +
			" Keywords: Classic User: N/A Computer: HVS-N02.stahlwerk.local Description: " + msg + " "
	}
	form := "Customer: Stahlwerk Nord IT | Severity: 2 | Description: since the switch firmware update VMs on CSV2 freeze for a minute at night. Events from HVS-N02: " +
		block("iScsiPrt", "3/11/2025 1:47:12 AM", "129", "Warning", `Reset to device, \Device\RaidPort4, was issued.`) +
		block("iScsiPrt", "3/11/2025 1:47:27 AM", "9", "Error", "Target did not respond in time for a SCSI request. The CDB is given in the dump data.") +
		block("Microsoft-Windows-FailoverClustering", "3/11/2025 1:47:31 AM", "5120", "Error",
			"Cluster Shared Volume 'Volume2' ('Cluster Disk 3') has entered a paused state because of 'STATUS_IO_TIMEOUT(c00000b5)'. All I/O will temporarily be queued until a path to the volume is reestablished.") +
		"Thanks, M. Brandt\n"
	sheet := strings.Join([]string{
		"Date/Time;Source;EventID;Level;Message",
		"11.03.2025 01:47:28;disk;153;Warning;The IO operation at logical block address 0x2b81c4d0 for Disk 4 (PDO name: \\Device\\000000a7) was retried.",
		"11.03.2025 01:46:58;iScsiPrt;20;Error;Connection to the target was lost. The initiator will attempt to retry the connection.",
		"",
	}, "\r\n")
	return Sample{
		Name:   "pasted-web-form-storage",
		Bundle: "case-5517",
		Story: `Case 5517 came in through a web form that joined every line of the three Event Viewer
entries the customer pasted into one, and a sheet of System events exported with ";" under
the customer's own column titles. The iSCSI path to CSV2 resets and times out at night (129,
9, 20, disk 153) until the CSV pauses on STATUS_IO_TIMEOUT (5120): the storage path, not
Hyper-V, is at fault.`,
		Files: Files{
			"webform.txt":      ASCII(form),
			"system-sheet.csv": ASCII(sheet),
		},
		Expected: Expected{
			TopCause: "storage-connectivity",
			MustFind: []string{"storage-connectivity"},
			MustNot:  []string{"filesystem-corruption", "vss-writer-failed"},
			Cites: []string{
				"storage-connectivity webform.txt line 1",
				"storage-connectivity system-sheet.csv line 3",
			},
		},
	}
}

// pastedToolRelayedError: a build pipeline's log, where Packer relays the
// error record of the Hyper-V cmdlet it ran under its own line prefix, and
// the engineer's recursive listing cut to Length and FullName. Shapes:
// held-out e/hv5_17 (hashicorp/packer#7748).
func pastedToolRelayedError() Sample {
	const vmID = "9B3E1C7A-40D2-4F85-A6E9-2C7D5B1F8E34"
	build := `==> hyperv-vmcx: Creating build directory...
==> hyperv-vmcx: Cloning virtual machine...
==> hyperv-vmcx: Error cloning virtual machine: PowerShell error: Hyper-V\Compare-VM : The virtual machine configuration could not be read. The configuration might be corrupt or not valid.
==> hyperv-vmcx: At C:\Windows\TEMP\powershell2205918347.ps1:12 char:17
==> hyperv-vmcx: +     $compatibilityReport = Hyper-V\Compare-VM -Path $importPath -VirtualMachinePath ...
==> hyperv-vmcx:     + CategoryInfo          : InvalidArgument: (:) [Compare-VM], VirtualizationException
==> hyperv-vmcx:     + FullyQualifiedErrorId : InvalidParameter,Microsoft.HyperV.PowerShell.Commands.CompareVM
Build 'hyperv-vmcx' errored after 4 seconds 102 milliseconds: Error cloning virtual machine
`
	listing := `PS Microsoft.PowerShell.Core\FileSystem::\\BLD-STORE7\images\srv2025-base> gci -Recurse | ft Length,FullName -auto

     Length FullName
     ------ --------
            \\BLD-STORE7\images\srv2025-base\Virtual Hard Disks
            \\BLD-STORE7\images\srv2025-base\Virtual Machines
21474836480 \\BLD-STORE7\images\srv2025-base\Virtual Hard Disks\srv2025-base.vhdx
          0 \\BLD-STORE7\images\srv2025-base\Virtual Machines\` + vmID + `.vmcx
    1048576 \\BLD-STORE7\images\srv2025-base\Virtual Machines\` + vmID + `.vmgs
`
	return Sample{
		Name:   "pasted-tool-relayed-error",
		Bundle: "build-2231",
		Story: `A nightly image build fails when Packer clones its golden VM: Packer relays the error
record of Compare-VM under its own "==> hyperv-vmcx:" prefix (the configuration could not be
read), and the engineer's recursive listing of the image share shows why: the golden VM's
.vmcx is zero bytes, left so by a copy that was cut off.`,
		Files: Files{
			"packer-build.log": ASCII(build),
			"listing.txt":      UTF16(listing),
		},
		Expected: Expected{
			TopCause: "vm-config-corrupt",
			MustFind: []string{"vm-config-corrupt"},
			MustNot:  []string{"vm-files-missing", "permission-acl"},
			Cites: []string{
				"vm-config-corrupt listing.txt line 8",
				"vm-config-corrupt packer-build.log line 3",
			},
		},
	}
}
