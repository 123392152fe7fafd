package rules_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	. "github.com/hvtriage/hvtriage/internal/fixture"
)

// Backup products' own logs (the shapes of analyze/testdata/realworld,
// with the articles they follow cited there; names here are our own).

// veeamJobLog is a Veeam task log in which processing WEB01 failed.
const veeamJobLog = `[14.03.2024 01:00:02] <01> Info     Job 'HV02-Nightly' started by Svc.VeeamBackup
[14.03.2024 01:00:40] <14> Info     Creating VM recovery checkpoint for 'WEB01'
[14.03.2024 01:01:55] <14> Error    Processing VM 'WEB01' failed: Failed to create VM recovery checkpoint. Error code: '32768'.
[14.03.2024 01:01:56] <01> Info     Job finished with status 'Failed'
`

// veeamOn is a bundle of WEB01's user checkpoint and a product log.
func veeamOn(log, text string) func(*testing.T) Files {
	return func(*testing.T) Files {
		return Files{
			"snapshots.txt": UTF16(VMSnapshotsList([]Checkpoint{web01Checkpoint("Before IIS update", "Standard", Day(2024, 3, 10, 16, 20))})),
			log:             ASCII(text),
		}
	}
}

const veeamOK = `[14.03.2024 01:00:02] <01> Info     Job 'HV02-Nightly' started by Svc.VeeamBackup
[14.03.2024 01:07:12] <14> Info     VM 'WEB01' processed successfully
[14.03.2024 01:07:13] <01> Info     Job finished with status 'Success'
`

const veeamRepositoryFull = `[14.03.2024 01:00:02] <01> Info     Job 'HV02-Nightly' started by Svc.VeeamBackup
[14.03.2024 01:20:40] <31> Error    Failed to write to backup file 'R:\Repo\HV02-Nightly\WEB01D2024-03-14T010002.vbk'. There is not enough space on the disk.
`

// veeamSessionRCT is a session's action list, time stamps first, with a
// warning the console wrapped over three lines.
const veeamSessionRCT = `Job "HV02-Files" finished with Warning
03.11.2025 22:00:05  Queued for processing at 03.11.2025 22:00:05
03.11.2025 22:00:07  Required backup infrastructure resources have been assigned
03.11.2025 22:00:31  Creating VM recovery checkpoint
03.11.2025 22:01:02  Warning: Failed to get changed blocks for disk
                     'D:\Hyper-V\FILES02\Virtual Hard Disks\FILES02_D.vhdx':
                     The specified change tracking identifier is not valid.
03.11.2025 22:01:02  Falling back to reading the whole disk
03.11.2025 23:14:40  Processing finished with warnings at 03.11.2025 23:14:40
`

// veeamSessionCBTOff is the same session with change tracking turned off
// in the job's settings.
const veeamSessionCBTOff = `Job "HV02-Files" finished with Warning
03.11.2025 22:00:05  Queued for processing at 03.11.2025 22:00:05
03.11.2025 22:00:07  Required backup infrastructure resources have been assigned
03.11.2025 22:01:02  Warning: Resilient change tracking is turned off in the job settings,
                     every disk is read in full
03.11.2025 23:14:40  Processing finished with warnings at 03.11.2025 23:14:40
`

var backupLogCases = []causeCase{
	// A VM with a user checkpoint whose backup the product's log reports
	// as failed: the check ties the two, as it does for the product's
	// events; the log's error counts for the product and the failed
	// recovery checkpoint for the writers.
	{name: "product log: checkpointed VM failed", cause: "backup-blocked-by-user-checkpoint", build: veeamOn("Veeam_WEB01.log", veeamJobLog),
		want: firing().with("user-checkpoint-backup-failed").citing("Veeam_WEB01.log line 3 user-checkpoint-backup-failed")},
	{name: "product log: checkpointed VM failed", cause: "backup-vendor-integration", build: veeamOn("Veeam_WEB01.log", veeamJobLog),
		want: firing().with("vendor-log-error")},
	{name: "product log: checkpointed VM failed", cause: "vss-writer-failed", build: veeamOn("Veeam_WEB01.log", veeamJobLog),
		want: firing().with("cmd-recovery-checkpoint-failed")},
	// The product failed on another VM; WEB01's checkpoint is not what
	// blocked it.
	{name: "product log: another VM failed", cause: "backup-blocked-by-user-checkpoint",
		build: veeamOn("Veeam_SQL02.log", `[14.03.2024 01:00:02] <01> Info     Job 'HV02-Nightly' started by Svc.VeeamBackup
[14.03.2024 01:01:55] <14> Error    Processing VM 'SQL02' failed: Failed to create VM recovery checkpoint. Error code: '32768'.
`),
		want: missingInput("vmms-admin-log")},
	// A healthy product log is read (the file counts) but reports nothing.
	{name: "product log: healthy", cause: "backup-vendor-integration",
		build: func(*testing.T) Files { return Files{"Veeam_ok.log": ASCII(veeamOK)} },
		want:  missingInput("vss-providers"),
		also: func(t *testing.T, b *bundleResult) {
			assert.Empty(t, b.causes())
		}},
	// The job's action list copied from the console: the product warns
	// that the disk's change tracking ID is not valid (the Windows message
	// of 0xC03A0029, wrapped under its time stamp) and falls back to
	// reading the whole disk. Shape: the session of a disk restored behind
	// Hyper-V's back (anystackarchitect.com, RCT deep dive).
	{name: "product log: change tracking ID not valid", cause: "change-tracking-corrupt",
		build: func(*testing.T) Files { return Files{"session.txt": ASCII(veeamSessionRCT)} },
		want:  firing().with("cmdlet-change-tracking-code").citing("session.txt line 5 cmdlet-change-tracking-code")},
	// The same warning in the product's own words, with no Windows
	// message to take a code from.
	{name: "product log: RCT ID mismatch", cause: "change-tracking-corrupt",
		build: func(*testing.T) Files {
			return Files{"session.txt": ASCII(strings.Replace(veeamSessionRCT, "The specified change tracking identifier is not valid.", "Resilient change tracking query failed (RCT ID mismatch).", 1))}
		},
		want: firing().with("vendor-log-change-tracking").citing("session.txt line 5 vendor-log-change-tracking")},
	// Change tracking turned off in the job's settings is a choice, not
	// damage: the product says so and reads the whole disk.
	{name: "product log: change tracking turned off", cause: "change-tracking-corrupt",
		build: func(*testing.T) Files { return Files{"session.txt": ASCII(veeamSessionCBTOff)} },
		want:  missingInput("vmms-admin-log")},
	// A full backup repository is not a full VM volume; the job error
	// still counts for the product.
	{name: "product log: repository full", cause: "storage-space-exhausted",
		build:  func(*testing.T) Files { return Files{"Veeam_full.log": ASCII(veeamRepositoryFull)} },
		want:   missingInput("system-log"),
		others: []string{"backup-vendor-integration"}},
}
