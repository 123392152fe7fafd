package cmdout

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/unicode"
)

// crlf writes text the way Out-File and console redirection do.
func crlf(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }

// utf16BOM is what Windows PowerShell 5.1's Out-File writes by default.
func utf16BOM(t *testing.T, s string) []byte {
	return append([]byte{0xff, 0xfe}, mustEncode(t, unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM), crlf(s))...)
}

func parseBytes(t *testing.T, b []byte) *Doc {
	t.Helper()
	d, _, problems := ParseBytes(b)
	assert.Empty(t, problems)
	return d
}

const integrationTable = `
VMName Name                    Enabled PrimaryStatusDescription SecondaryStatusDescription
------ ----                    ------- ------------------------ --------------------------
SQL07  Guest Service Interface False   OK
SQL07  Heartbeat               True    OK                       OK
SQL07  Key-Value Pair Exchange True    OK
SQL07  Shutdown                True    OK
SQL07  Time Synchronization    True    OK
SQL07  VSS                     False   OK
WEB03  VSS                     True    No Contact
LNX01  VSS                     True    OK                       The protocol version of the component installed in the virtual machine does not match the version expected by t...
`

func TestParse_integrationServicesTable(t *testing.T) {
	b := utf16BOM(t, integrationTable)
	assert.Equal(t, KindVMIntegration, SniffBytes(b))
	d := parseBytes(t, b)
	assert.Equal(t, []Kind{KindVMIntegration}, d.Kinds)
	ics := RecordsOf[IntegrationService](d)
	require.Len(t, ics, 8)
	vss := ics[5]
	assert.Equal(t, IntegrationService{Line: 9, VMName: "SQL07", Name: "VSS", Enabled: "False", PrimaryStatus: "OK"}, vss)
	assert.True(t, vss.IsVSS())
	assert.False(t, ics[1].IsVSS())
	assert.Equal(t, "No Contact", ics[6].PrimaryStatus)
	assert.True(t, ics[7].Truncated)
	assert.Contains(t, ics[7].SecondaryStatus, "protocol version")
}

// The list form, as the catalog's collect command writes it, from a host
// older than 2016 that still names the service after Hyper-V Manager.
const integrationList = `

VMName                     : WEB03
VMId                       : 3c1f7a52-9d4e-4b86-a0f3-5e2d8c1b7a94
Name                       : Backup (volume shadow copy)
Enabled                    : True
PrimaryStatusDescription   : Lost Communication
SecondaryStatusDescription :

VMName                     : WEB03
VMId                       : 3c1f7a52-9d4e-4b86-a0f3-5e2d8c1b7a94
Name                       : Heartbeat
Enabled                    : True
PrimaryStatusDescription   : OK
SecondaryStatusDescription : OK
`

func TestParse_integrationServicesList(t *testing.T) {
	d := parseBytes(t, []byte(crlf(integrationList)))
	assert.Equal(t, []Kind{KindVMIntegration}, d.Kinds)
	ics := RecordsOf[IntegrationService](d)
	require.Len(t, ics, 2)
	s := ics[0]
	assert.Equal(t, 3, s.Line)
	assert.Equal(t, "3c1f7a52-9d4e-4b86-a0f3-5e2d8c1b7a94", s.VMID)
	assert.True(t, s.IsVSS())
	assert.Equal(t, "Lost Communication", s.PrimaryStatus)
	assert.Empty(t, s.SecondaryStatus)
}

const csvStateList = `

Name                         : Cluster Disk 2
VolumeName                   : C:\ClusterStorage\Volume1\
Node                         : HV21
StateInfo                    : FileSystemRedirected
VolumeFriendlyName           : Volume1
FileSystemRedirectedIOReason : IncompatibleFileSystemFilter
BlockRedirectedIOReason      : NotBlockRedirected

Name                         : Cluster Disk 2
VolumeName                   : C:\ClusterStorage\Volume1\
Node                         : HV22
StateInfo                    : Direct
VolumeFriendlyName           : Volume1
FileSystemRedirectedIOReason : NotFileSystemRedirected
BlockRedirectedIOReason      : NotBlockRedirected
`

func TestParse_csvStateList(t *testing.T) {
	for name, b := range map[string][]byte{"utf16": utf16BOM(t, csvStateList), "utf8bom": append([]byte{0xef, 0xbb, 0xbf}, crlf(csvStateList)...)} {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, KindCSVState, SniffBytes(b))
			d := parseBytes(t, b)
			states := RecordsOf[CSVState](d)
			require.Len(t, states, 2)
			assert.Equal(t, CSVState{Line: 3, Name: "Cluster Disk 2", VolumeName: `C:\ClusterStorage\Volume1\`, VolumeFriendlyName: "Volume1",
				Node: "HV21", StateInfo: "FileSystemRedirected", FileSystemRedirectedIOReason: "IncompatibleFileSystemFilter",
				BlockRedirectedIOReason: "NotBlockRedirected"}, states[0])
			assert.Equal(t, "Direct", states[1].StateInfo)
		})
	}
}

func TestParse_csvStateTable(t *testing.T) {
	text := `
Name           VolumeName                  Node StateInfo       FileSystemRedirectedIOReason BlockRedirectedIOReason
----           ----------                  ---- ---------       ---------------------------- -----------------------
Cluster Disk 3 C:\ClusterStorage\Volume2\  HV21 BlockRedirected NotFileSystemRedirected      NoDiskConnectivity
`
	d := parseBytes(t, []byte(crlf(text)))
	states := RecordsOf[CSVState](d)
	require.Len(t, states, 1)
	assert.Equal(t, "BlockRedirected", states[0].StateInfo)
	assert.Equal(t, "NoDiskConnectivity", states[0].BlockRedirectedIOReason)
	assert.Equal(t, 4, states[0].Line)
}

const bcdeditEnglish = `
Windows Boot Manager
--------------------
identifier              {bootmgr}
device                  partition=\Device\HarddiskVolume1
path                    \EFI\Microsoft\Boot\bootmgfw.efi
description             Windows Boot Manager
locale                  en-US
default                 {current}
displayorder            {current}
                        {3f1c2b7e-9a4d-11ee-8c90-0242ac120002}
timeout                 30

Windows Boot Loader
-------------------
identifier              {current}
device                  partition=C:
path                    \Windows\system32\winload.efi
description             Windows Server
locale                  en-US
osdevice                partition=C:
systemroot              \Windows
nx                      OptOut
bootmenupolicy          Standard
hypervisorlaunchtype    Off
`

func TestParse_bcdedit(t *testing.T) {
	b := []byte(crlf(bcdeditEnglish))
	assert.Equal(t, KindBcdedit, SniffBytes(b))
	d := parseBytes(t, b)
	entries := RecordsOf[BootEntry](d)
	require.Len(t, entries, 2)
	mgr, ldr := entries[0], entries[1]
	assert.Equal(t, "{bootmgr}", mgr.Identifier)
	assert.Equal(t, "{current} {3f1c2b7e-9a4d-11ee-8c90-0242ac120002}", mgr.Props["displayorder"])
	assert.Empty(t, mgr.HypervisorLaunchType)
	assert.Equal(t, 14, ldr.Line)
	assert.Equal(t, "Windows Boot Loader", ldr.Title)
	assert.Equal(t, "{current}", ldr.Identifier)
	assert.Equal(t, "Windows Server", ldr.Description)
	assert.Equal(t, "Off", ldr.HypervisorLaunchType)
	assert.Equal(t, 25, ldr.HypervisorLaunchTypeLine)
}

// A Chinese host localizes the title and the identifier's label, not the
// other element names.
func TestParse_bcdeditLocalized(t *testing.T) {
	text := `
Windows 启动加载器
-------------------
标识符                  {current}
device                  partition=C:
description             Windows Server 2022
hypervisorlaunchtype    Auto
`
	d := parseBytes(t, utf16BOM(t, text))
	entries := RecordsOf[BootEntry](d)
	require.Len(t, entries, 1)
	assert.Equal(t, "{current}", entries[0].Identifier)
	assert.Equal(t, "Auto", entries[0].HypervisorLaunchType)
}

const systeminfoOff = `
Host Name:                 HV31
OS Name:                   Microsoft Windows Server 2022 Standard
OS Version:                10.0.20348 N/A Build 20348
System Manufacturer:       Contoso Hardware
System Model:              R740
Processor(s):              1 Processor(s) Installed.
                           [01]: Intel64 Family 6 Model 85 Stepping 7 GenuineIntel ~2594 Mhz
Hotfix(s):                 2 Hotfix(s) Installed.
                           [01]: KB5031364
                           [02]: KB5032198
Hyper-V Requirements:      VM Monitor Mode Extensions: Yes
                           Virtualization Enabled In Firmware: No
                           Second Level Address Translation: Yes
                           Data Execution Prevention Available: Yes
`

func TestParse_systeminfo(t *testing.T) {
	b := utf16BOM(t, systeminfoOff)
	assert.Equal(t, KindSysteminfo, SniffBytes(b))
	d := parseBytes(t, b)
	reqs := RecordsOf[HyperVRequirements](d)
	require.Len(t, reqs, 1)
	assert.Equal(t, HyperVRequirements{Line: 12, VMMonitorMode: "yes", VirtualizationInFirmware: "no", SLAT: "yes", DEP: "yes", VirtualizationLine: 13}, reqs[0])

	d = parseBytes(t, []byte(crlf("Host Name:                 HV32\nHyper-V Requirements:      A hypervisor has been detected. Features required for Hyper-V will not be displayed.\n")))
	reqs = RecordsOf[HyperVRequirements](d)
	require.Len(t, reqs, 1)
	assert.True(t, reqs[0].HypervisorDetected)
	assert.Equal(t, 2, reqs[0].Line)
}

// Portuguese systeminfo: labels and answers are translated; the four lines
// are read by position.
func TestParse_systeminfoLocalized(t *testing.T) {
	text := `
Nome do host:                           HV33
Requisitos do Hyper-V:                  Extensões do Modo de Monitor da VM: Sim
                                        Virtualização habilitada no firmware: Não
                                        Conversão de Endereços de Segundo Nível: Sim
                                        Prevenção de Execução de Dados Disponível: Sim
`
	d := parseBytes(t, utf16BOM(t, text))
	reqs := RecordsOf[HyperVRequirements](d)
	require.Len(t, reqs, 1)
	assert.Equal(t, "no", reqs[0].VirtualizationInFirmware)
	assert.Equal(t, "yes", reqs[0].VMMonitorMode)
	assert.Equal(t, 4, reqs[0].VirtualizationLine)
}

func TestParse_compactAndCipher(t *testing.T) {
	text := `
 Listing D:\Hyper-V\WEB05\Virtual Hard Disks\
 New files added to this directory will be compressed.

 42949672960 : 30064771072 = 1.4 to 1 C WEB05.vhdx
  1073741824 :  1073741824 = 1.0 to 1   WEB05-data.vhdx

Of 2 files within 1 directories
1 are compressed and 1 are not compressed.
`
	d := parseBytes(t, utf16BOM(t, text))
	assert.Equal(t, []Kind{KindCompact}, d.Kinds)
	attrs := RecordsOf[FileAttr](d)
	require.Len(t, attrs, 2)
	assert.Equal(t, FileAttr{Line: 5, Tool: "compact", Dir: `D:\Hyper-V\WEB05\Virtual Hard Disks\`, Name: "WEB05.vhdx", Set: true}, attrs[0])
	assert.Equal(t, `D:\Hyper-V\WEB05\Virtual Hard Disks\WEB05.vhdx`, attrs[0].Path())
	assert.False(t, attrs[1].Set)

	cipher := `
 Listing D:\Hyper-V\WEB05\Virtual Hard Disks\
 New files added to this directory will not be encrypted.

E WEB05.vhdx
U WEB05-data.vhdx
`
	d = parseBytes(t, []byte(crlf(cipher)))
	assert.Equal(t, []Kind{KindCipher}, d.Kinds)
	attrs = RecordsOf[FileAttr](d)
	require.Len(t, attrs, 2)
	assert.True(t, attrs[0].Set)
	assert.Equal(t, "cipher", attrs[0].Tool)
	assert.False(t, attrs[1].Set)
}

// bcdedit filtered to its hypervisor element, as people paste it: the
// prompt with the command, then the one line left. Values are our own.
func TestParse_bcdeditFiltered(t *testing.T) {
	text := "Checked the boot entry on LAB-HV9:\n" +
		"PS C:\\Users\\ops> bcdedit /enum {default} | Select-String hypervisor\n\n" +
		"hypervisorlaunchtype    Auto\n"
	assert.Equal(t, KindBcdedit, Sniff(text))
	d, _ := Parse(text)
	entries := RecordsOf[BootEntry](d)
	require.Len(t, entries, 1)
	assert.Equal(t, "{default}", entries[0].Identifier)
	assert.Equal(t, "Auto", entries[0].HypervisorLaunchType)
	assert.Equal(t, 4, entries[0].HypervisorLaunchTypeLine)

	d, _ = Parse("C:\\> bcdedit | findstr /i hypervisor\nhypervisorlaunchtype    Off\n")
	entries = RecordsOf[BootEntry](d)
	require.Len(t, entries, 1)
	assert.Equal(t, "{current}", entries[0].Identifier)

	// Without the command above it, the line is not taken for bcdedit.
	d, _ = Parse("my notes\nhypervisorlaunchtype    Off\n")
	assert.Empty(t, RecordsOf[BootEntry](d))
}
