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

// A VM with a user checkpoint whose backup the product's log reports as
// failed: the check ties the two, as it does for the product's events.
func TestBackupLogFailureOnCheckpointedVM(t *testing.T) {
	b := analyzeFiles(t, Files{
		"snapshots.txt":   UTF16(VMSnapshotsList([]Checkpoint{web01Checkpoint("Before IIS update", "Standard", Day(2024, 3, 10, 16, 20))})),
		"Veeam_WEB01.log": ASCII(veeamJobLog),
	})
	f := b.finding("backup-blocked-by-user-checkpoint")
	assert.Contains(t, signalIDs(f), "user-checkpoint-backup-failed")
	assert.Contains(t, cited(f), "Veeam_WEB01.log line 3 user-checkpoint-backup-failed")
	v := b.finding("backup-vendor-integration")
	assert.Contains(t, signalIDs(v), "vendor-log-error")
	assert.Contains(t, signalIDs(b.finding("vss-writer-failed")), "cmd-recovery-checkpoint-failed")
}

// Near miss: the product failed on another VM; WEB01's checkpoint is not
// what blocked it.
func TestBackupLogFailureOnOtherVM(t *testing.T) {
	other := `[14.03.2024 01:00:02] <01> Info     Job 'HV02-Nightly' started by Svc.VeeamBackup
[14.03.2024 01:01:55] <14> Error    Processing VM 'SQL02' failed: Failed to create VM recovery checkpoint. Error code: '32768'.
`
	b := analyzeFiles(t, Files{
		"snapshots.txt":   UTF16(VMSnapshotsList([]Checkpoint{web01Checkpoint("Before IIS update", "Standard", Day(2024, 3, 10, 16, 20))})),
		"Veeam_SQL02.log": ASCII(other),
	})
	if b.has("backup-blocked-by-user-checkpoint") {
		assert.NotContains(t, signalIDs(b.finding("backup-blocked-by-user-checkpoint")), "user-checkpoint-backup-failed")
	}
	assert.Contains(t, b.missingFor("backup-blocked-by-user-checkpoint"), "vmms-admin-log")
}

// Near miss: a healthy product log is read (the file counts) but reports
// nothing, and a full backup repository is not a full VM volume.
func TestBackupLogHealthyAndRepositoryFull(t *testing.T) {
	ok := `[14.03.2024 01:00:02] <01> Info     Job 'HV02-Nightly' started by Svc.VeeamBackup
[14.03.2024 01:07:12] <14> Info     VM 'WEB01' processed successfully
[14.03.2024 01:07:13] <01> Info     Job finished with status 'Success'
`
	b := analyzeFiles(t, Files{"Veeam_ok.log": ASCII(ok)})
	assert.Empty(t, b.causes())
	assert.Contains(t, b.missingFor("backup-vendor-integration"), "vss-providers")

	full := `[14.03.2024 01:00:02] <01> Info     Job 'HV02-Nightly' started by Svc.VeeamBackup
[14.03.2024 01:20:40] <31> Error    Failed to write to backup file 'R:\Repo\HV02-Nightly\WEB01D2024-03-14T010002.vbk'. There is not enough space on the disk.
`
	b = analyzeFiles(t, Files{"Veeam_full.log": ASCII(full)})
	assert.False(t, b.has("storage-space-exhausted"), "findings: %v", b.causes())
	assert.Contains(t, b.missingFor("storage-space-exhausted"), "system-log")
	assert.True(t, b.has("backup-vendor-integration"), "the job error still counts for the product")
}
