package analyze

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvtriage/hvtriage/evidence"
	"github.com/hvtriage/hvtriage/rules"
)

// A customer mail quoting a Start-VM error inside its prose (layout after
// canonical/multipass#3090; our own names): the quote markers of a region
// that is mostly prose stay and keep it from the structured reader, so
// free text reads it, and its evidence counts for less than the same
// record in a command output.
const quotedStartVMMail = "Subject: WEB-EDGE2 will not start\r\n" +
	"\r\n" +
	"Hi team,\r\n" +
	"the VM does not come up after the patch night, the error says\r\n" +
	"> Start-VM : 'WEB-EDGE2' failed to start.\r\n" +
	"> 'WEB-EDGE2' failed to start. (Virtual machine ID 2F8C1D07-94B3-4E6A-A0D5-7B3E96C2F148)\r\n" +
	"> Failed to open attachment 'E:\\VMs\\WEB-EDGE2\\WEB-EDGE2.vhdx'. Error: 'The process cannot access the file because it is being used by another process.' (0x80070020).\r\n" +
	"please have a look,\r\n" +
	"thanks\r\n" +
	"Ops desk\r\n"

func TestFreeTextMailIsReadAndWeighsLess(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "mail.txt"), []byte(quotedStartVMMail), 0o644))
	res, err := Run(t.Context(), dir, Options{})
	require.NoError(t, err)
	require.Len(t, res.Inventory, 1)
	assert.Equal(t, KindFreeText, res.Inventory[0].Kind)
	require.NotEmpty(t, res.Evidence)
	var withCode *evidence.Evidence
	for i, e := range res.Evidence {
		assert.Equal(t, "true", e.Attrs[evidence.AttrWeak])
		assert.Equal(t, "free-text", e.Attrs[evidence.AttrSourceKind])
		if e.Attrs["code"] == "0x80070020" {
			withCode = &res.Evidence[i]
		}
	}
	require.NotNil(t, withCode)
	assert.Equal(t, evidence.KindCmdError, withCode.Kind)
	assert.Equal(t, `E:\VMs\WEB-EDGE2\WEB-EDGE2.vhdx`, withCode.Attrs[evidence.AttrPath])
	assert.Equal(t, evidence.AtLine(7), withCode.At)

	// The same record unquoted is a structured command output: full weight.
	structured := t.TempDir()
	plain := "Start-VM : 'WEB-EDGE2' failed to start.\r\n" +
		"Failed to open attachment 'E:\\VMs\\WEB-EDGE2\\WEB-EDGE2.vhdx'. Error: 'The process cannot access the file because it is being used by another process.' (0x80070020).\r\n" +
		"'WEB-EDGE2' failed to start. (Virtual machine ID 2F8C1D07-94B3-4E6A-A0D5-7B3E96C2F148)\r\n" +
		"At line:1 char:1\r\n+ Start-VM -Name WEB-EDGE2\r\n" +
		"    + CategoryInfo          : NotSpecified: (:) [Start-VM], VirtualizationException\r\n" +
		"    + FullyQualifiedErrorId : OperationFailed,Microsoft.HyperV.PowerShell.Commands.StartVM\r\n"
	require.NoError(t, os.WriteFile(filepath.Join(structured, "start.txt"), []byte(plain), 0o644))
	full, err := Run(t.Context(), structured, Options{})
	require.NoError(t, err)
	assert.Equal(t, "ps-error", full.Inventory[0].Kind)
	require.Len(t, full.Evidence, 1)
	assert.Equal(t, "WEB-EDGE2", full.Evidence[0].Attrs[evidence.AttrVM])
	assert.Equal(t, "2f8c1d07-94b3-4e6a-a0d5-7b3e96c2f148", full.Evidence[0].Attrs[evidence.AttrVMID])
	assert.Equal(t, "Start-VM", full.Evidence[0].Attrs["command"])
	weak, strong := confidenceOf(res, "stale-file-lock"), confidenceOf(full, "stale-file-lock")
	assert.Greater(t, strong, weak)
	assert.Greater(t, weak, 0.0)
	for _, f := range res.Outcome.Findings {
		assert.Less(t, f.Severity, rules.Medium, "free text alone stays below medium: %s", f.Cause.ID)
	}
}

// Near misses: other hypervisors, benign VSS notices and monitoring
// chatter in a ticket note give no evidence and no finding.
func TestFreeTextLookAlikesStayQuiet(t *testing.T) {
	dir := t.TempDir()
	note := "Ticket 4471 notes (HV-LAB3)\n" +
		"VMware Workstation: The virtual machine 'DEV-UBU' failed to start: Access is denied (0x80070005).\n" +
		"VirtualBox: Result Code: E_FAIL (0x80004005) Component: MachineWrap\n" +
		"VSS 8224: The VSS service is shutting down due to idle timeout.\n" +
		"check_hyperv OK - 4 VMs running, 0 checkpoints, 0 errors | vms=4;;\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "notes.txt"), []byte(note), 0o644))
	res, err := Run(t.Context(), dir, Options{})
	require.NoError(t, err)
	assert.Equal(t, KindUnknown, res.Inventory[0].Kind)
	assert.Empty(t, res.Evidence)
	assert.Empty(t, res.Outcome.Findings)
}

func confidenceOf(res *Result, cause string) float64 {
	for _, f := range res.Outcome.Findings {
		if f.Cause.ID == cause {
			return f.Confidence
		}
	}
	return 0
}

// The same error record quoted whole in a forum reply ("> " on every
// line): the markers are dropped on decode and the structured reader reads
// it, at the lines the file has. Names are our own.
func TestQuotedRecordIsReadAsStructured(t *testing.T) {
	dir := t.TempDir()
	post := "Quote from: ops_nadia\n" +
		"> Start-VM : 'WEB-EDGE2' failed to start.\n" +
		"> Failed to open attachment 'E:\\VMs\\WEB-EDGE2\\WEB-EDGE2.vhdx'. Error: 'The process cannot access the file because it is being used by another process.' (0x80070020).\n" +
		"> 'WEB-EDGE2' failed to start. (Virtual machine ID 2F8C1D07-94B3-4E6A-A0D5-7B3E96C2F148)\n" +
		"> At line:1 char:1\n> + Start-VM -Name WEB-EDGE2\n" +
		">     + CategoryInfo          : NotSpecified: (:) [Start-VM], VirtualizationException\n" +
		">     + FullyQualifiedErrorId : OperationFailed,Microsoft.HyperV.PowerShell.Commands.StartVM\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "post.txt"), []byte(post), 0o644))
	res, err := Run(t.Context(), dir, Options{})
	require.NoError(t, err)
	assert.Equal(t, "ps-error", res.Inventory[0].Kind)
	require.NotEmpty(t, res.Evidence)
	assert.Equal(t, "Start-VM", res.Evidence[0].Attrs["command"])
	assert.Equal(t, "2f8c1d07-94b3-4e6a-a0d5-7b3e96c2f148", res.Evidence[0].Attrs[evidence.AttrVMID])
	assert.Equal(t, evidence.AtLine(2), res.Evidence[0].At)
}
