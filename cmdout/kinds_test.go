package cmdout

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAllKindsListsEveryKind: AllKinds is derived from the sections table
// and decidedKinds; a Kind constant that neither names is a kind Parse can
// report but the analyzer would not claim.
func TestAllKindsListsEveryKind(t *testing.T) {
	all := AllKinds()
	require.Equal(t, KindUnknown, all[len(all)-1])
	seen := map[Kind]bool{}
	for _, k := range all {
		assert.False(t, seen[k], "%s listed twice", k)
		seen[k] = true
	}
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.SkipObjectResolution)
		require.NoError(t, err)
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, spec := range g.Specs {
				v := spec.(*ast.ValueSpec)
				if id, ok := v.Type.(*ast.Ident); !ok || id.Name != "Kind" {
					continue
				}
				for i, n := range v.Names {
					lit, ok := v.Values[i].(*ast.BasicLit)
					require.True(t, ok, n.Name)
					k, err := strconv.Unquote(lit.Value)
					require.NoError(t, err)
					assert.True(t, seen[Kind(k)], "%s (%s, %s) is in no row of sections nor in decidedKinds", n.Name, k, name)
				}
			}
		}
	}
}

// A Get-VM table cut to four columns (Name, State, Version, Generation)
// has fltmc's shape, a version where the altitude is; its state where the
// instance count is tells them apart. Names are our own.
func TestVMTableIsNotFltmc(t *testing.T) {
	text := "Name      State   Version Generation\n" +
		"----      -----   ------- ----------\n" +
		"OPS-LAB2  Running 5.0              1\n" +
		"OPS-LAB3  Off     9.0              2\n"
	assert.NotEqual(t, KindFltmcFilters, Sniff(text))
	fl := "Filter Name                     Num Instances    Altitude    Frame\n" +
		"------------------------------  -------------  ------------  -----\n" +
		"acmescan                                5       321410         0\n"
	assert.Equal(t, KindFltmcFilters, Sniff(fl))
}

// Wide tables with a number in the third column (a drive's used and free
// space, a VM's CPU usage) are not fltmc instances: fltmc's has a volume
// before a minifilter altitude. Names are our own.
func TestWideTablesAreNotFltmcInstances(t *testing.T) {
	drive := "Name           Used (GB)     Free (GB) Provider      Root\n" +
		"----           ---------     --------- --------      ----\n" +
		"K                 512.40          0.00 FileSystem    K:\\\n"
	assert.NotEqual(t, KindFltmcInstances, Sniff(drive))
	vms := "Name      State           CPUUsage(%) MemoryAssigned(M) Uptime   Status             Version\n" +
		"----      -----           ----------- ----------------- ------   ------             -------\n" +
		"QA-WEB7   Running         3           8192              1.02:03  Operating normally 9.0\n"
	assert.NotEqual(t, KindFltmcInstances, Sniff(vms))
	inst := "Filter                Volume Name                              Altitude        Instance Name       Frame\n" +
		"--------------------  -------------------------------------  ------------  ----------------------  -----\n" +
		"acmescan              \\Device\\HarddiskVolume7                  321410     acmescan Instance         0\n"
	assert.Equal(t, KindFltmcInstances, Sniff(inst))
}

// A chat reply pasted right below fltmc's table (no blank line between)
// ends the table: it is no damaged filter row.
func TestFltmcTableEndsAtProse(t *testing.T) {
	text := "Filter Name                     Num Instances    Altitude    Frame\n" +
		"------------------------------  -------------  ------------  -----\n" +
		"SentryGuard                             6       328810         0\n" +
		"WdFilter                                6       328010         0\n" +
		"[09:25] Ola: the exclusion list only has the temp folder, nothing else\n" +
		"[09:26] Ben: ok\n"
	d, problems := Parse(text)
	assert.Empty(t, problems)
	require.Len(t, d.Filters, 2)
	assert.Equal(t, "WdFilter", d.Filters[1].Name)
	assert.Equal(t, []Span{{First: 1, Last: 4}}, d.Covered)
}

// Get-VM cut to Name, State and its folders is a VM list, and a
// PausedCritical state marks the VM critical.
func TestVMTableWithFolders(t *testing.T) {
	text := "Name     State          Path                      SnapshotFileLocation\n" +
		"----     -----          ----                      --------------------\n" +
		"FS-9     PausedCritical C:\\ProgramData\\Hyper-V     C:\\ProgramData\\Hyper-V\n" +
		"DC-9     Running        C:\\ProgramData\\Hyper-V     C:\\ProgramData\\Hyper-V\n"
	assert.Equal(t, KindVMList, Sniff(text))
	d, _ := Parse(text)
	vms := d.VMs
	require.Len(t, vms, 2)
	assert.True(t, vms[0].Critical())
	assert.False(t, vms[1].Critical())
}

// Get-VMSnapshot that printed nothing before the next prompt says the VM
// has no checkpoint (the snapshots were looked at); a path table under a
// Get-VMHardDiskDrive prompt is that VM's disks.
func TestPromptContext(t *testing.T) {
	text := "PS C:\\> Get-VMSnapshot -VMName ERP-9\n" +
		"PS C:\\>\n" +
		"PS C:\\> Get-VMHardDiskDrive -VMName ERP-9 | select Path\n\n" +
		"Path\n" +
		"----\n" +
		"C:\\VMs\\ERP-9\\ERP-9_4F7B.avhdx\n"
	d, _ := Parse(text)
	assert.Contains(t, d.Kinds, KindVMSnapshots)
	assert.Empty(t, d.Snapshots)
	require.Len(t, d.HardDrives, 1)
	assert.Equal(t, "ERP-9", d.HardDrives[0].VMName)
	assert.Equal(t, `C:\VMs\ERP-9\ERP-9_4F7B.avhdx`, d.HardDrives[0].Path)

	// Checkpoints listed without their VM belong to the VM the prompt names.
	d, _ = Parse("PS C:\\> Get-VMSnapshot -VMName FS-2 | fl Name,SnapshotType,CreationTime\n\n" +
		"Name         : BE_Snapshot_1\nSnapshotType : Recovery\nCreationTime : 2/9/2016 11:01:37 PM\n\n" +
		"PS C:\\> Get-VMSnapshot -VMName * | fl Name,SnapshotType\n\nName         : other\nSnapshotType : Standard\n")
	require.Len(t, d.Snapshots, 2)
	assert.Equal(t, "FS-2", d.Snapshots[0].VMName)
	assert.Equal(t, "", d.Snapshots[1].VMName, "a wildcard names no VM")

	// A prompt followed by output is no empty list.
	d, _ = Parse("PS C:\\> Get-VMSnapshot -VMName ERP-9\n\nVMName Name\n------ ----\nERP-9  a\n")
	assert.NotContains(t, d.Kinds, KindVMSnapshots, "output follows the prompt: it is not an empty list")
}

// Tables cut to columns that do not tell their kind take it from the
// prompt above: a Get-VMHardDiskDrive with a Path column, a dir with Name
// and LastWriteTime (and a calculated size, unread).
func TestTableKindFromPrompt(t *testing.T) {
	text := "PS C:\\> Get-VMHardDiskDrive -VMName SRV-4 | ft ControllerLocation,Path -auto\n\n" +
		"ControllerLocation Path\n" +
		"------------------ ----\n" +
		"                 0 D:\\VMs\\SRV-4\\SRV-4_12AB.avhdx\n\n" +
		"PS C:\\> dir 'D:\\VMs\\SRV-4' | ft Name,@{n='GB';e={$_.Length/1GB}},LastWriteTime -auto\n\n" +
		"Name              GB LastWriteTime\n" +
		"----              -- -------------\n" +
		"SRV-4.vhdx      61.2 10/29/2023 9:58:02 PM\n" +
		"SRV-4_12AB.avhdx 1.1 10/30/2023 10:01:47 PM\n"
	d, _ := Parse(text)
	require.Len(t, d.HardDrives, 1)
	assert.Equal(t, "SRV-4", d.HardDrives[0].VMName)
	require.Len(t, d.Files, 2)
	assert.Equal(t, `D:\VMs\SRV-4`, d.Files[1].Dir)
	assert.Equal(t, "SRV-4_12AB.avhdx", d.Files[1].Name)
	assert.False(t, d.Files[1].IsDir, "no Length column: the row says nothing of folders")
	assert.EqualValues(t, -1, d.Files[1].Size)

	// The same columns under no prompt are no listing.
	d, _ = Parse("Name              GB LastWriteTime\n----              -- -------------\nSRV-4.vhdx      61.2 10/29/2023 9:58:02 PM\n")
	assert.Empty(t, d.Files)
}

// sc qc on its lines, sc qc whose breaks a chat ate, and Get-Service
// cut to Name, Status and StartType.
func TestServices(t *testing.T) {
	b, err := os.ReadFile("testdata/services.txt")
	require.NoError(t, err)
	d, _, _ := ParseBytes(b)
	s := RecordsOf[Service](d)
	require.Len(t, s, 4)
	assert.Equal(t, Service{Line: 6, Name: "VSS", StartType: "Disabled"}, s[0])
	assert.Equal(t, Service{Line: 16, Name: "VSS", StartType: "Disabled", Status: "Stopped"}, s[1])
	assert.Equal(t, "vmicvss", s[2].Name)

	d, _ = Parse("C:\\>sc qc VSS [SC] QueryServiceConfig SUCCESS SERVICE_NAME: VSS         TYPE               : 10  WIN32_OWN_PROCESS         START_TYPE         : 4   DISABLED         ERROR_CONTROL      : 1   NORMAL\n")
	s = RecordsOf[Service](d)
	require.Len(t, s, 1)
	assert.Equal(t, "Disabled", s[0].StartType)
	assert.Equal(t, 1, s[0].Line)
}
