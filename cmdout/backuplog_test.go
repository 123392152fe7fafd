package cmdout

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Each product's log or job text, shortened to the line that matters. The
// shapes follow the public articles cited in analyze/realworld_test.go;
// hosts, VMs, IDs and paths are our own.
func TestParseBackupLog(t *testing.T) {
	cases := []struct {
		name, text, product string
		vm, vmID, wmi       string
		codes               []string
		target              bool
	}{
		{"veeam task log", "[12.03.2025 01:02:05] <14> Error    Failed to create VM recovery checkpoint Details: Job failed ('Checkpoint operation for 'HR-FILES' failed. (Virtual machine ID 0F4C2B86-3A1D-4E97-B05C-8D6E1A7F3924)  'HR-FILES' could not initiate a checkpoint operation: %%2147754996'). Error code: '32768'.\n",
			"veeam", "HR-FILES", "0f4c2b86-3a1d-4e97-b05c-8d6e1a7f3924", "32768", []string{"0x800423F4"}, false},
		{"veeam repository full", "[03.06.2025 22:00:01.102] <  9> Info     Service Svc.VeeamBackup started\n[03.06.2025 22:14:37.551] <  31> Error    Failed to write to backup file 'R:\\Backups\\HV2025-06-03T220001.vbk'. There is not enough space on the disk.\n",
			"veeam", "", "", "", []string{"0x80070070"}, true},
		{"veeam session", "09.03.2025 03:02:15 :: Processing LEDGER-DB Error: mismatch (0xC03A000E)\n09.03.2025 03:44:10 :: Task failed Error: see above\n",
			"veeam", "LEDGER-DB", "", "", []string{"0xC03A000E"}, false},
		{"backup exec", "V-79-57344-65233 - AOFO: Initialization failure on: \"VRTSRV^Hyper-V?Virtual Machine?ACCT-11\".\nSnapshot error (0x80042316): Another shadow copy creation is already in progress.\n",
			"backup-exec", "", "", "", []string{"0x80042316"}, false},
		{"netbackup bpfis", "01:03:45.902 [5120.4404] <32> onlfi_vfms_logf: FTL - checkpoint for VM ANALYTICS-5 failed: (0x80070070)\n",
			"netbackup", "ANALYTICS-5", "", "", []string{"0x80070070"}, false},
		{"avamar", "2025-02-11 00:05:09 avhypervvss Error <43426>: Checkpoint creation for Virtual machine 'GIS-WEB2<5E3A0C71-9B2D-4F68-A4E0-1C7D3B9F2A85>' has failed: General access denied error (0x80070005).\n",
			"avamar", "GIS-WEB2", "5e3a0c71-9b2d-4f68-a4e0-1c7d3b9f2a85", "", []string{"0x80070005"}, false},
		{"networker nmm", "02/19/25 01:30:14.527 nsrnmmsv NMM .. Error: 'QA-DB5' is excluded from the backup. Reason: Saveset contains VM with checkpoint\n",
			"networker", "", "", "", nil, false},
		{"dpm", " DPM encountered a retryable VSS error. (ID 30112 Details: VssError:The writer experienced a non-transient error. (0x800423F4))\n",
			"dpm", "", "", "", []string{"0x800423F4"}, false},
		{"wbadmin", "wbadmin 1.0 - Backup command-line tool\nERROR - A Volume Shadow Copy Service operation error has occurred: (0x800423f4)\n",
			"windows-server-backup", "", "", "", []string{"0x800423F4"}, false},
		{"commvault", "4188  1d0c  05/14 02:11:58 93127 CVMDiskInfo::GetDiskChain() - Failed to open disk for VM [WEBFARM-3]: The system cannot find the file specified. (0x80070002)\n",
			"commvault", "WEBFARM-3", "", "", []string{"0x80070002"}, false},
		{"rubrik", "Object Name,Object Type,Status,Time,Message\nRND-SQL2,HypervVirtualMachine,Failure,2025-07-02 03:10:44,\"Failed backup of Hyper-V virtual machine 'RND-SQL2'. (0x80042316)\"\n",
			"rubrik", "RND-SQL2", "", "", []string{"0x80042316"}, false},
		{"altaro", "Altaro VM Backup\n2025-01-27 22:00:18  Backup failed. Error code 'RCTCONTROLLER_018'\n",
			"altaro", "", "", "", nil, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			log := ParseBackupLog(c.text)
			require.NotNil(t, log.Product)
			assert.Equal(t, c.product, log.Product.ID)
			var e *BackupEntry
			for i := range log.Entries {
				if x := &log.Entries[i]; x.Level == "error" && (e == nil || len(e.Codes) == 0 && len(x.Codes) > 0) {
					e = x
				}
			}
			require.NotNil(t, e, "no error entry")
			assert.Equal(t, c.vm, e.VM)
			assert.Equal(t, c.vmID, e.VMID)
			assert.Equal(t, c.wmi, e.WMICode)
			if c.codes != nil {
				assert.Equal(t, c.codes[0], e.Codes[0])
			}
			assert.Equal(t, c.target, e.Target)
		})
	}
}

// Notes that name a product, and other tools' logs, are not product logs.
func TestSniffBackupLogLookAlikes(t *testing.T) {
	for _, text := range []string{
		"Hi, our Veeam job fails every night with 'Failed to create VM recovery checkpoint', can you help?",
		"We moved from Altaro to Rubrik last year; Windows Server Backup still runs on HV-SMALL-1.",
		"2025-01-27 22:00:18 INFO  service started\n2025-01-27 22:00:19 ERROR could not bind port 8080\n",
	} {
		assert.Nil(t, SniffBackupLog(text), text)
	}
	// Repeats fold into the first entry.
	log := ParseBackupLog("[01.02.2025 01:00:00] <01> Error    Processing VM 'A1' failed (0x80070005)\n[02.02.2025 01:00:00] <01> Error    Processing VM 'A1' failed (0x80070005)\n")
	require.Len(t, log.Entries, 1)
	assert.Equal(t, 1, log.Entries[0].Repeats)
	assert.Equal(t, 2, log.Lines)
}

// A session's action list copied from the console: its fixed action texts
// mark the product, and the lines the console wrapped under a time stamp
// belong to that entry (its codes and path come from them), up to a blank
// line or the next time stamp.
func TestParseBackupLog_wrappedEntry(t *testing.T) {
	text := "08.11.2025 21:00:04  Queued for processing at 08.11.2025 21:00:04\n" +
		"08.11.2025 21:00:06  Required backup infrastructure resources have been assigned\n" +
		"08.11.2025 21:01:10  Warning: Failed to get changed blocks for disk\n" +
		"                     'E:\\VMs\\PAY-01\\Virtual Hard Disks\\PAY-01.vhdx':\n" +
		"                     The specified change tracking identifier is not valid.\n" +
		"08.11.2025 21:01:11  Hard disk 1 (60 GB) read in full\n" +
		"\n" +
		"   indented note after a blank line, no entry of the log\n"
	log := ParseBackupLog(text)
	require.NotNil(t, log.Product)
	assert.Equal(t, "veeam", log.Product.ID)
	require.Len(t, log.Entries, 1)
	e := log.Entries[0]
	assert.Equal(t, 3, e.Line)
	assert.Equal(t, "warning", e.Level)
	assert.Equal(t, []string{"0xC03A0029"}, e.Codes)
	assert.Equal(t, `E:\VMs\PAY-01\Virtual Hard Disks\PAY-01.vhdx`, e.Path)
	assert.Contains(t, e.Text, "change tracking identifier is not valid")
	assert.Equal(t, []Span{{First: 1, Last: 6}}, log.Covered, "the wrapped lines are read; the note after the blank line is not")
}

// A log whose line breaks a portal lost: each time stamp starts an entry
// again, all on the file's one line.
func TestParseBackupLog_runOnLine(t *testing.T) {
	text := "Case 4411 | NetWorker 19.6 | log below: 03/03/2025 23:10:42 NMM .. Hyper-V backup: processing VM 'CRM-7' " +
		"03/03/2025 23:10:43 NMM .. Hyper-V backup of VM 'CRM-7' failed. Reason: Saveset contains VM with checkpoint " +
		"03/03/2025 23:10:44 nsrnmmsv: Save set completed with errors. Checkpoints on the VM are listed below.\n"
	log := ParseBackupLog(text)
	require.NotNil(t, log.Product)
	assert.Equal(t, "networker", log.Product.ID)
	require.NotEmpty(t, log.Entries)
	e := log.Entries[0]
	assert.Equal(t, 1, e.Line)
	assert.Equal(t, "CRM-7", e.VM)
	assert.True(t, strings.HasPrefix(e.Text, "NMM .. Hyper-V backup of VM 'CRM-7' failed. Reason: Saveset contains VM with checkpoint"), e.Text)
	short := "03/03/2025 23:10:42 NMM .. started 03/03/2025 23:10:43"
	assert.Equal(t, []string{short}, splitRunOn(short), "a line shorter than runOnMin is left whole")
}
