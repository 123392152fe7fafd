package cmdout

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A mail forwarded twice: quote markers, UTF-8 shown as cp1252, smart
// quotes and a lost line break. The Docker Desktop wording ("failed to
// change state.", "The operation failed with error code '32788'.") follows
// docker/for-win#5945; names, IDs and hosts are our own.
const damagedMail = "> > Hi team, the nightly job on HVNODE-12 failed again.\n" +
	"> > Docker Desktop said: Unable to start Hyper-V VM: \u00e2\u20ac\u02dcBUILD-AGENT4\u00e2\u20ac\u2122 failed to change state. The operation failed with error code \u00e2\u20ac\u02dc32788\u00e2\u20ac\u2122.\n" +
	"> \u2018BUILD-AGENT4\u2019 failed to start. (Virtual machine ID 4D2B7E90-6A1C-4F38-B5E2-9C07A3D1F826)'BUILD-AGENT4' failed to start worker process: The system cannot find the path specified. (0x3)\n"

func TestNormalizeAndScanDamagedText(t *testing.T) {
	n := NormalizeFreeText(damagedMail)
	assert.Contains(t, n, "Unable to start Hyper-V VM: 'BUILD-AGENT4' failed to change state.")
	assert.Contains(t, n, "F826) 'BUILD-AGENT4' failed", "lost line break")
	assert.NotContains(t, n, "> ")
	ms := ScanFreeText(n)
	require.Len(t, ms, 2)
	assert.Equal(t, 2, ms[0].Line)
	assert.Equal(t, "BUILD-AGENT4", ms[0].VM)
	assert.Equal(t, "32788", ms[0].WMICode)
	assert.Equal(t, 3, ms[1].Line)
	assert.Equal(t, "4d2b7e90-6a1c-4f38-b5e2-9c07a3d1f826", ms[1].VMID)
	assert.Equal(t, "BUILD-AGENT4", ms[1].VM)
	assert.Equal(t, []string{"0x80070003"}, ms[1].Codes, "(0x3) and the message text are one code")
}

// Look-alikes that must give nothing: other hypervisors, VSS's benign idle
// shutdown (8224), monitoring chatter, a code with nothing about Hyper-V.
const lookAlikes = "VMware Workstation: The virtual machine 'DEV-UBU' failed to start: Access is denied (0x80070005).\n" +
	"VirtualBox: Result Code: E_FAIL (0x80004005) Component: MachineWrap\n" +
	"Event 8224 VSS: The VSS service is shutting down due to idle timeout.\n" +
	"check_hyperv OK - 4 VMs running, 0 checkpoints, 0 errors | vms=4;;\n" +
	"Printer spooler: error 0x80070005 while adding a port.\n"

func TestScanLookAlikesGiveNothing(t *testing.T) {
	assert.Empty(t, ScanFreeText(NormalizeFreeText(lookAlikes)))
	assert.False(t, HasMentions(lookAlikes))
}
