package rules_test

import (
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
	// A full backup repository is not a full VM volume; the job error
	// still counts for the product.
	{name: "product log: repository full", cause: "storage-space-exhausted",
		build:  func(*testing.T) Files { return Files{"Veeam_full.log": ASCII(veeamRepositoryFull)} },
		want:   missingInput("system-log"),
		others: []string{"backup-vendor-integration"}},
}
