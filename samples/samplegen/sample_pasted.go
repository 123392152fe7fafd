package samplegen

import (
	. "github.com/hvtriage/hvtriage/internal/fixture"
)

// Samples of what customers paste rather than collect: an Event Viewer
// copy and a console error in a ticket, and a backup product's own logs.
// The layouts follow the public threads and articles cited in
// analyze/realworld_test.go; hosts, VMs, IDs and paths are our own.

// pastedEventAndCmdletError: the customer sends no logs, only what they
// copied: one Event Viewer entry (UTF-16, as Notepad saves it) and the
// Start-VM error from their console.
func pastedEventAndCmdletError() Sample {
	const (
		vm, vmID = "INVOICE-02", "58A1D3C7-2E90-4B6F-8D14-C7E03A9B5F26"
		disk     = `E:\Hyper-V\INVOICE-02\Virtual Hard Disks\INVOICE-02.vhdx`
	)
	event := `Log Name:      Microsoft-Windows-Hyper-V-Worker-Admin
Source:        Microsoft-Windows-Hyper-V-Worker
Date:          4/7/2025 8:12:40 AM
Event ID:      12030
Task Category: None
Level:         Error
Keywords:
User:          NT VIRTUAL MACHINE\` + vmID + `
Computer:      HV31.fabrikam.local
Description:
'` + vm + `' failed to start. (Virtual machine ID ` + vmID + `)

'` + vm + `' Microsoft Emulated IDE Controller (Instance ID 0E6B3A92-7D41-4C58-B2F0-93A1E5C7D846): Failed to Power on with Error 'The process cannot access the file because it is being used by another process.' (0x80070020). (Virtual machine ID ` + vmID + `)
`
	console := `PS C:\Users\adm.kim> Start-VM -Name ` + vm + `
Start-VM : '` + vm + `' failed to start.
Microsoft Emulated IDE Controller (Instance ID 0E6B3A92-7D41-4C58-B2F0-93A1E5C7D846): Failed to Power on with Error 'The process cannot access the file because it is being used by another process.'
Failed to open attachment '` + disk + `'. Error: 'The process cannot access the file because it is being used by another process.' (0x80070020).
'` + vm + `' failed to start. (Virtual machine ID ` + vmID + `)
At line:1 char:1
+ Start-VM -Name ` + vm + `
+ ~~~~~~~~~~~~~~~~~~~~~~~
    + CategoryInfo          : NotSpecified: (:) [Start-VM], VirtualizationException
    + FullyQualifiedErrorId : OperationFailed,Microsoft.HyperV.PowerShell.Commands.StartVM
`
	return Sample{
		Name:   "pasted-event-and-cmdlet-error",
		Bundle: "ticket-88120",
		Story: `Ticket 88120 holds no collected logs at all: the customer copied one Event Viewer entry
into Notepad (saved as UTF-16) and pasted the error Start-VM printed in their console.
INVOICE-02 will not start because its disk is still open in another process (an admin had
mounted INVOICE-02.vhdx on the host the evening before to copy a file out of it): both
texts carry 0x80070020.`,
		Files: Files{
			"event-viewer-copy.txt": UTF16(event),
			"console.txt":           ASCII(console),
		},
		Expected: Expected{
			TopCause: "stale-file-lock",
			MustFind: []string{"stale-file-lock"},
			MustNot:  []string{"permission-acl", "vm-files-missing"},
			Cites: []string{
				"stale-file-lock event-viewer-copy.txt line 1",
				"stale-file-lock console.txt line 2",
			},
		},
	}
}

// backupProductLogsVeeam: the backup administrator sends the Veeam job's
// task log and service log, nothing from the Hyper-V host.
func backupProductLogsVeeam() Sample {
	const (
		vm, vmID = "SQL-CRM1", "C4E29B70-1A5D-4F83-9E26-0B7D3A8C5F14"
		vm2      = "WEB-CRM1"
	)
	task := `[21.05.2025 23:00:09] <01> Info     Job 'CRM-Hourly' started by Svc.VeeamBackup
[21.05.2025 23:00:12] <01> Info     [AP] Preparing VM '` + vm + `' for processing
[21.05.2025 23:00:47] <14> Info     Creating VM recovery checkpoint (mode: Veeam application-aware processing)
[21.05.2025 23:02:31] <14> Error    Failed to create VM recovery checkpoint (mode: Veeam application-aware processing) Details: Job failed ('Checkpoint operation for '` + vm + `' failed. (Virtual machine ID ` + vmID + `)  '` + vm + `' could not initiate a checkpoint operation: %%2147754996 (0x800423F4). (Virtual machine ID ` + vmID + `)'). Error code: '32768'.
[21.05.2025 23:02:31] <14> Error    Task failed Error: Failed to create VM recovery checkpoint
[21.05.2025 23:02:32] <01> Info     VM '` + vm2 + `' processed successfully
[21.05.2025 23:02:33] <01> Info     Job finished with status 'Failed'
[22.05.2025 00:00:09] <01> Info     Job 'CRM-Hourly' started by Svc.VeeamBackup
[22.05.2025 00:02:28] <14> Error    Failed to create VM recovery checkpoint (mode: Veeam application-aware processing) Details: Job failed ('Checkpoint operation for '` + vm + `' failed. (Virtual machine ID ` + vmID + `)  '` + vm + `' could not initiate a checkpoint operation: %%2147754996 (0x800423F4). (Virtual machine ID ` + vmID + `)'). Error code: '32768'.
[22.05.2025 00:02:28] <14> Error    Task failed Error: Failed to create VM recovery checkpoint
[22.05.2025 00:02:30] <01> Info     Job finished with status 'Failed'
`
	svc := `[21.05.2025 22:59:58.412] <  7> Info     Svc.VeeamBackup: scheduler tick, 1 job due
[21.05.2025 23:02:33.020] <  7> Warning  Job 'CRM-Hourly' finished with warnings or errors, retry scheduled
[22.05.2025 00:02:30.611] <  7> Warning  Job 'CRM-Hourly' finished with warnings or errors, retry scheduled
`
	return Sample{
		Name:   "backup-product-logs-veeam",
		Bundle: "veeam_CRM-Hourly_logs.zip",
		Zip:    true,
		Story: `Since 21 May every hourly Veeam job fails on SQL-CRM1: the recovery checkpoint cannot be
created because a VSS writer inside the guest fails non-retryably (0x800423F4, which Veeam
also prints as %%2147754996, with the generic WMI code 32768). The backup administrator
sends only the product's task and service logs. WEB-CRM1 in the same job is backed up fine.`,
		Files: Files{
			"Task." + vm + ".log": ASCII(task),
			"Svc.VeeamBackup.log": ASCII(svc),
		},
		Expected: Expected{
			TopCause: "vss-writer-failed",
			MustFind: []string{"vss-writer-failed", "backup-vendor-integration"},
			MustNot:  []string{"storage-space-exhausted", "permission-acl"},
			Cites: []string{
				"vss-writer-failed Task." + vm + ".log line 4",
			},
		},
	}
}

// backupProductLogsNetBackup: a cluster backed up by NetBackup; the job
// details say only status 156, the client's bpfis log says the checkpoint
// ran out of space on the CSV.
func backupProductLogsNetBackup() Sample {
	const (
		vm, vmID = "ERP-BATCH", "2F7C9A41-6B0E-4D35-A8E1-D94C0B3F7E62"
	)
	bpfis := `23:40:02.117 [6312.5540] <2> bpfis: INF - BACKUP START 6312
23:40:02.554 [6312.5540] <2> onlfi_vfms_logf: INF - snapshot services: hyperv: creating checkpoint for VM ` + vm + ` (VM ID ` + vmID + `)
23:41:19.870 [6312.5540] <32> onlfi_vfms_logf: FTL - snapshot services: hyperv: checkpoint for VM ` + vm + ` failed: 'ERP-BATCH' could not create auto virtual hard disk C:\ClusterStorage\Volume2\ERP-BATCH\ERP-BATCH_disk1_6E2B.avhdx: There is not enough space on the disk. (0x80070070)
23:41:19.881 [6312.5540] <32> bpfis: FTL - VfMS error 11; see following messages:
23:41:19.882 [6312.5540] <4> bpfis: INF - EXIT STATUS 156: snapshot error encountered
`
	details := `05/30/2025 23:40:01 - Info nbjm (pid=2204) starting backup job (jobid=77120) for client hvclu2-n1.fabrikam.local, policy HV-Cluster2, schedule Nightly
05/30/2025 23:41:20 - Critical bpbrm (pid=4412) from client hvclu2-n1.fabrikam.local: FTL - snapshot processing failed, status 156
05/30/2025 23:41:21 - end writing
snapshot error encountered  (156)
`
	return Sample{
		Name:   "backup-product-logs-netbackup",
		Bundle: "nbu_job77120",
		Story: `NetBackup's nightly Hyper-V job on the cluster HVCLU2 fails with status 156. The job
details say only "snapshot error encountered"; the client's bpfis log says why: the
checkpoint of ERP-BATCH could not create its AVHDX because C:\ClusterStorage\Volume2 is
full (0x80070070).`,
		Files: Files{
			"bpfis/053025_00001.log": ASCII(bpfis),
			"job_77120_details.txt":  ASCII(details),
		},
		Expected: Expected{
			TopCause: "storage-space-exhausted",
			MustFind: []string{"storage-space-exhausted", "backup-vendor-integration"},
			MustNot:  []string{"vss-writer-failed"},
			Cites: []string{
				"storage-space-exhausted bpfis/053025_00001.log line 3",
			},
		},
	}
}
