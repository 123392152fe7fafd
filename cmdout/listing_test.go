package cmdout

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/charmap"
)

func TestParse_dirEnglish(t *testing.T) {
	text := readTestdata(t, "dir_s_en.txt")
	assert.Equal(t, KindListing, Sniff(text))
	d, problems := Parse(text)
	assert.Empty(t, problems)
	require.Len(t, d.Files, 9)
	assert.Equal(t, FileEntry{Line: 8, Dir: `E:\VMs\WEB02`, Name: "Snapshots", IsDir: true, Size: -1,
		Modified: Timestamp{Raw: "03/14/2024 02:05 AM", Time: time.Date(2024, 3, 14, 2, 5, 0, 0, time.UTC)}}, d.Files[0])
	f := d.Files[3]
	assert.Equal(t, `E:\VMs\WEB02\Virtual Hard Disks\WEB02_0C4B9E27-5D13-4A86-B3F0-7E21D9A5C648.avhdx`, f.Path())
	assert.Equal(t, int64(4731174912), f.Size)
	assert.Equal(t, "2024 notes.txt", d.Files[6].Name)
	assert.Equal(t, int64(512), d.Files[6].Size)
	assert.Equal(t, "2023-12-24T23:59:00Z", d.Files[6].Modified.Time.Format(time.RFC3339))
	assert.Equal(t, "9C2B7E15-3D48-4A6F-B1E0-5F7A2C8D4E91.VMRS", d.Files[8].Name)
	assert.Equal(t, int64(8589938688), d.Files[8].Size)
}

func TestParse_dirLocalized(t *testing.T) {
	tests := []struct {
		name string
		text string
		size int64
		when string
	}{
		{"german", " Verzeichnis von E:\\VMs\\WEB02\r\n\r\n14.03.2024  02:07     4.731.174.912 WEB02.avhdx\r\n", 4731174912, "2024-03-14T02:07:00Z"},
		{"french_nbsp", " Répertoire de E:\\VMs\\WEB02\r\n\r\n14/03/2024  02:07     4\u00a0731\u00a0174\u00a0912 WEB02.avhdx\r\n", 4731174912, "2024-03-14T02:07:00Z"},
		{"swiss", " Verzeichnis von E:\\VMs\\WEB02\r\n\r\n14.03.2024  02:07     4'731'174'912 WEB02.avhdx\r\n", 4731174912, "2024-03-14T02:07:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// cmd.exe writes the OEM code page; NBSP is 0xFF in CP850.
			text, _, _ := Decode(mustEncode(t, charmap.CodePage850, tt.text))
			d, problems := Parse(text)
			assert.Empty(t, problems)
			require.Len(t, d.Files, 1)
			assert.Equal(t, `E:\VMs\WEB02`, d.Files[0].Dir)
			assert.Equal(t, "WEB02.avhdx", d.Files[0].Name)
			assert.Equal(t, tt.size, d.Files[0].Size)
			assert.Equal(t, tt.when, d.Files[0].Modified.Time.Format(time.RFC3339))
		})
	}
}

func TestParse_getChildItem(t *testing.T) {
	text := readTestdata(t, "gci.txt")
	assert.Equal(t, KindListing, Sniff(text))
	d, problems := Parse(text)
	assert.Empty(t, problems)
	require.Len(t, d.Files, 5)
	assert.Equal(t, FileEntry{Line: 8, Dir: `E:\VMs\WEB02\Virtual Hard Disks`, Name: "Old Disks", IsDir: true, Size: -1, Mode: "d-----",
		Modified: Timestamp{Raw: "3/14/2024 2:05 AM", Time: time.Date(2024, 3, 14, 2, 5, 0, 0, time.UTC)}}, d.Files[0])
	assert.Equal(t, int64(38654705664), d.Files[2].Size)
	assert.Equal(t, "2023-03-01T10:12:00Z", d.Files[2].Modified.Time.Format(time.RFC3339))
	assert.Equal(t, `E:\VMs\WEB02\Virtual Machines\9C2B7E15-3D48-4A6F-B1E0-5F7A2C8D4E91.vmgs`, d.Files[4].Path())
	assert.Equal(t, int64(0), d.Files[4].Size)
}

// Get-ChildItem cut to Name, Length and LastWriteTime (ft … -AutoSize),
// with no Mode column: still a listing. Names are our own.
func TestParse_gciSelectedColumns(t *testing.T) {
	text := "PS C:\\> Get-ChildItem 'G:\\Guests\\OPS-9' | ft Name,Length,LastWriteTime -a\n\n" +
		"Name                         Length LastWriteTime\n" +
		"----                         ------ -------------\n" +
		"OPS-9-AutoRecovery.avhdx   41943040 6/3/2026 1:12:55 AM\n" +
		"OPS-9.vhdx              85899345920 6/4/2026 2:00:07 AM\n"
	assert.Equal(t, KindListing, Sniff(text))
	d, _ := Parse(text)
	require.Len(t, d.Files, 2)
	assert.Equal(t, "OPS-9-AutoRecovery.avhdx", d.Files[0].Name)
	assert.EqualValues(t, 41943040, d.Files[0].Size)
	assert.Equal(t, 5, d.Files[0].Line)
	assert.Equal(t, "6/3/2026 1:12:55 AM", d.Files[0].Modified.Raw)
	assert.EqualValues(t, 85899345920, d.Files[1].Size)
}

// A recursive listing cut to Length and FullName: the length is
// right-aligned, folders print none (an empty first cell that is not a
// wrapped row), and the folder comes from the full name.
func TestParse_gciFullName(t *testing.T) {
	text := "PS D:\\golden> gci -Recurse | ft Length,FullName -auto\n\n" +
		"     Length FullName\n" +
		"     ------ --------\n" +
		"            D:\\golden\\base\\Virtual Machines\n" +
		"          0 D:\\golden\\base\\Virtual Machines\\5D1C7A3E-0B9F-4E21-8C64-A7F3D2B91E08.vmcx\n" +
		"21474836480 D:\\golden\\base\\Virtual Hard Disks\\base.vhdx\n"
	assert.Equal(t, KindListing, Sniff(text))
	d, _ := Parse(text)
	require.Len(t, d.Files, 3)
	assert.True(t, d.Files[0].IsDir)
	assert.Equal(t, "Virtual Machines", d.Files[0].Name)
	assert.Equal(t, `D:\golden\base\Virtual Machines`, d.Files[1].Dir)
	assert.Equal(t, "5D1C7A3E-0B9F-4E21-8C64-A7F3D2B91E08.vmcx", d.Files[1].Name)
	assert.EqualValues(t, 0, d.Files[1].Size)
	assert.Equal(t, 6, d.Files[1].Line)
	assert.EqualValues(t, 21474836480, d.Files[2].Size)
}

// The folder named on the Get-ChildItem prompt line is the folder of the
// table below it when the table prints none; a length wider than its
// column pushes the name off the column, which starts at the name's word.
func TestParse_gciCommandFolderAndWideLength(t *testing.T) {
	text := "PS C:\\> Get-ChildItem \"D:\\VM Store\\Virtual Hard Disks\" | ft Name,Length,LastWriteTime -auto\n\n" +
		"Name            Length LastWriteTime\n" +
		"----            ------ -------------\n" +
		"SRV-4.vhdx 53687091200 4/26/2025 8:51:00 PM\n\n" +
		"PS C:\\> dir 'F:\\Moved'\n\n" +
		"    Directory: F:\\Moved\n\n" +
		"Mode                 LastWriteTime         Length Name\n" +
		"----                 -------------         ------ ----\n" +
		"-a----         4/26/2025   8:51 PM  429500923904 SRV-4_D.vhdx\n"
	d, _ := Parse(text)
	require.Len(t, d.Files, 2)
	assert.Equal(t, `D:\VM Store\Virtual Hard Disks`, d.Files[0].Dir)
	assert.Equal(t, "SRV-4.vhdx", d.Files[0].Name)
	assert.Equal(t, `F:\Moved`, d.Files[1].Dir)
	assert.Equal(t, "SRV-4_D.vhdx", d.Files[1].Name)
	assert.EqualValues(t, 429500923904, d.Files[1].Size)
}

// Test-Path answered True finds the file as a listing would; False, or a
// wildcard, finds nothing.
func TestParse_testPath(t *testing.T) {
	text := "PS C:\\> Test-Path 'C:\\VMs\\LAB-3.vhdx'\nFalse\n" +
		"PS C:\\> Test-Path 'F:\\VHDX\\LAB-3.vhdx'\nTrue\n" +
		"PS C:\\> Test-Path F:\\VHDX\\*.vhdx\nTrue\n"
	d, _ := Parse(text)
	require.Len(t, d.Files, 1)
	assert.Equal(t, `F:\VHDX`, d.Files[0].Dir)
	assert.Equal(t, "LAB-3.vhdx", d.Files[0].Name)
	assert.Equal(t, 4, d.Files[0].Line)
	assert.EqualValues(t, -1, d.Files[0].Size)
}
