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

// Failures Hyper-V reports with a sentence and no code: a tool's output
// (Vagrant prints the WMI job's "Cause:" line) or a ticket quoting the
// dialog. Each sentence is a mention; the same words with no failure
// (a setting described in prose) are not.
func TestScanCodelessHyperVSentences(t *testing.T) {
	text := "Script: import_vm.ps1\n" +
		"Error Code: 32784\n" +
		"Cause: VM version is unsupported\n" +
		"Checkpoints have been disabled for 'LAB-WEB3'.\n" +
		"Virtual machine could not be started because the hypervisor is not running.\n" +
		"We keep checkpoints on a separate volume.\n"
	ms := ScanFreeText(NormalizeFreeText(text))
	require.Len(t, ms, 3)
	assert.Equal(t, 3, ms[0].Line)
	assert.Equal(t, 4, ms[1].Line)
	assert.Equal(t, "Checkpoints have been disabled for 'LAB-WEB3'.", ms[1].Text)
	assert.Equal(t, 5, ms[2].Line)
	assert.Empty(t, ms[2].Codes)
}

// The system messages of the codes the catalog uses, as localized Windows
// prints them, map to the same codes as the English text.
func TestCodesInLocalizedText(t *testing.T) {
	for text, code := range map[string]string{
		"Fehler beim Zusammenführen: Der Prozess kann nicht auf die Datei zugreifen, da sie von einem anderen Prozess verwendet wird.": "0x80070020",
		"No se pudo crear el punto de control: El proceso no tiene acceso al archivo porque está siendo utilizado por otro proceso.":   "0x80070020",
		"Échec : Le processus ne peut pas accéder au fichier car ce fichier est utilisé par un autre processus.":                       "0x80070020",
		"Impossibile accedere al file. Il file è utilizzato da un altro processo.":                                                     "0x80070020",
		"Falha: O arquivo já está sendo usado por outro processo.":                                                                     "0x80070020",
		"プロセスはファイルにアクセスできません。別のプロセスが使用中です。":                                                                                            "0x80070020",
		"另一个程序正在使用此文件，进程无法访问。":                                                                                                         "0x80070020",
		"'QA-DB7' konnte nicht gestartet werden: Zugriff verweigert":                                                                   "0x80070005",
		"アクセスが拒否されました。":                                                                                                                "0x80070005",
		"Das System kann die angegebene Datei nicht finden.":                                                                           "0x80070002",
		"系统找不到指定的文件。":                                                                                                                  "0x80070002",
		"Auf dem Datenträger ist nicht genügend Speicherplatz vorhanden.":                                                              "0x80070070",
		"Espace insuffisant sur le disque.":                                                                                            "0x80070070",
		"磁盘空间不足。":                                                                                                                      "0x80070070",
	} {
		assert.Equal(t, []string{code}, CodesInText(text), text)
	}
	assert.Empty(t, CodesInText("Der Prozess wurde beendet."))
}
