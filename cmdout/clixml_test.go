package cmdout

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/unicode"
)

func TestParseCliXML(t *testing.T) {
	le := unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)
	raw := strings.ReplaceAll(readTestdata(t, "getvm.clixml.xml"), "\n", "\r\n")
	utf16 := append([]byte{0xff, 0xfe}, mustEncode(t, le, raw)...)

	text, _, _ := Decode(utf16)
	assert.Equal(t, KindCliXML, Sniff(text))
	assert.Equal(t, KindCliXML, SniffBytes(utf16))

	fromStream, p1 := ParseCliXML(bytes.NewReader(utf16))
	fromText, p2 := Parse(text)
	assert.Empty(t, p1)
	assert.Empty(t, p2)
	for _, d := range []*Doc{fromStream, fromText} {
		assert.Equal(t, []Kind{KindCliXML, KindVMList, KindVMSnapshots, KindGetVHD}, d.Kinds)
		require.Len(t, d.VMs, 1)
		vm := d.VMs[0]
		assert.Equal(t, 2, vm.Line)
		assert.Equal(t, "WEB02", vm.Name)
		assert.Equal(t, "RunningCritical", vm.State)
		assert.True(t, vm.Critical())
		assert.Equal(t, "9c2b7e15-3d48-4a6f-b1e0-5f7a2c8d4e91", vm.VMID)
		assert.Equal(t, int64(8589934592), vm.MemoryAssigned)
		assert.Equal(t, "Production", vm.CheckpointType)
		assert.Equal(t, int64(2), vm.Generation)
		assert.Equal(t, "False", vm.IsClustered)
		assert.Empty(t, vm.ParentSnapshotName)
		assert.Equal(t, []string{`E:\VMs\WEB02\Virtual Hard Disks\WEB02, system.vhdx`, `E:\VMs\WEB02\Virtual Hard Disks\WEB02-data.vhdx`}, vm.HardDrives)
		assert.Equal(t, "line one\r\nline two", vm.Props["Notes"])

		require.Len(t, d.Snapshots, 1)
		s := d.Snapshots[0]
		assert.Equal(t, 61, s.Line)
		assert.Equal(t, "Recovery", s.SnapshotType)
		assert.Equal(t, "0c4b9e27-5d13-4a86-b3f0-7e21d9a5c648", s.ID)
		assert.Equal(t, time.Date(2024, 3, 14, 1, 5, 9, 123456700, time.UTC), s.CreationTime.Time.UTC())

		require.Len(t, d.VHDs, 1)
		assert.Equal(t, "Dynamic", d.VHDs[0].VhdType)
		assert.Equal(t, int64(4194304), d.VHDs[0].FileSize)
		assert.Equal(t, "a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d", d.VHDs[0].DiskIdentifier)

		require.Len(t, d.Hosts, 1)
		assert.Equal(t, int64(48), d.Hosts[0].LogicalProcessorCount)
		assert.Equal(t, `E:\VMs`, d.Hosts[0].VirtualMachinePath)
		assert.Equal(t, 93, d.Hosts[0].Line)
	}
}

func TestParseCliXML_broken(t *testing.T) {
	raw := readTestdata(t, "getvm.clixml.xml")
	cut := raw[:strings.Index(raw, `<Obj RefId="8">`)+40]
	d, problems := Parse(cut)
	require.Len(t, d.VMs, 1)
	require.Len(t, d.Snapshots, 1)
	assert.Empty(t, d.VHDs)
	require.NotEmpty(t, problems)
	assert.Greater(t, problems[0].Line, 80)

	_, problems = Parse(`<Objs Version="1.1.0.1"><Obj><Props><S N="x">a</S></Props></Objs>`)
	require.NotEmpty(t, problems)
}

func FuzzParseCliXML(f *testing.F) {
	if b, err := os.ReadFile(filepath.Join("testdata", "getvm.clixml.xml")); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`<Objs Version="1.1.0.1"><Obj RefId="0"><TNRef RefId="9"/><Props><Obj N="HardDrives"><LST><Ref RefId="1"/></LST></Obj></Props></Obj></Objs>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, problems := ParseCliXML(bytes.NewReader(b))
		max := bytes.Count(b, []byte("\n")) + 1
		for _, p := range problems {
			if p.Line < 0 || p.Line > max {
				t.Fatalf("problem line %d outside 0..%d", p.Line, max)
			}
		}
		checkLines(t, reflect.ValueOf(d), max, "Doc")
	})
}

// A CliXML file cut short reports its problem on a line the file has, not
// on the line after its final newline.
func TestCliXMLCutProblemLineIsInTheFile(t *testing.T) {
	text := "<Objs Version=\"1.1.0.1\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\">\n<Obj RefId=\"0\">\n"
	_, problems := ParseCliXML(strings.NewReader(text))
	require.NotEmpty(t, problems)
	for _, p := range problems {
		assert.LessOrEqual(t, p.Line, 2, p.String())
		assert.GreaterOrEqual(t, p.Line, 1, p.String())
	}
}
