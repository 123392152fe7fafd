package cmdout

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The default Get-Volume table prints rounded sizes; the recovery
// partition (no letter) and the mounted ISO (CD-ROM) are not kept.
func TestParse_getVolumeDefaultTable(t *testing.T) {
	b, err := os.ReadFile("testdata/get-volume.txt")
	require.NoError(t, err)
	b = utf16BOM(t, string(b))
	assert.Equal(t, KindGetVolume, SniffBytes(b))
	d := parseBytes(t, b)
	assert.Equal(t, []Kind{KindGetVolume}, d.Kinds)
	vols := RecordsOf[Volume](d)
	require.Len(t, vols, 2)
	assert.Equal(t, Volume{Line: 5, DriveLetter: "D", Label: "VMS", FileSystem: "ReFS", DriveType: "Fixed",
		Free: 1524713390, Size: 500 << 30, FreeRaw: "1.42 GB", SizeRaw: "500 GB"}, vols[1])
	assert.Equal(t, "C", vols[0].DriveLetter)
	f := vols[1].Evidence()
	assert.Equal(t, Fact{Kind: "volume", Line: 5, Summary: "Get-Volume: D: has 1.42 GB free of 500 GB (VMS)",
		Attrs: map[string]string{"drive": "D:", "free_bytes": "1524713390"}}, f)
}

// The storage cause's own commands: chosen properties print bytes, in a
// table (sorted by free space) or a list.
func TestParse_getVolumeChosenProperties(t *testing.T) {
	table := `
DriveLetter FileSystemLabel         Size SizeRemaining
----------- ---------------         ---- -------------
D           VMS             536870912000    1524713472
            Recovery           554692608      87515136
C                           135776276480   41459519488
`
	d := parseBytes(t, []byte(crlf(table)))
	vols := RecordsOf[Volume](d)
	require.Len(t, vols, 2)
	assert.Equal(t, Volume{Line: 4, DriveLetter: "D", Label: "VMS", Free: 1524713472, Size: 536870912000,
		FreeRaw: "1524713472", SizeRaw: "536870912000"}, vols[0])
	assert.Equal(t, "Get-Volume: D: has 1524713472 bytes free of 536870912000 bytes (VMS)", vols[0].Evidence().Summary)

	list := `

DriveLetter   : D
FileSystem    : ReFS
HealthStatus  : Healthy
Size          : 536870912000
SizeRemaining : 1524713472

`
	d = parseBytes(t, utf16BOM(t, list))
	assert.Equal(t, []Kind{KindGetVolume}, d.Kinds)
	vols = RecordsOf[Volume](d)
	require.Len(t, vols, 1)
	assert.Equal(t, Volume{Line: 7, DriveLetter: "D", FileSystem: "ReFS", Free: 1524713472, Size: 536870912000,
		FreeRaw: "1524713472", SizeRaw: "536870912000"}, vols[0])
}

// Other list objects that start with ObjectId (Get-Disk | Format-List *)
// are not volumes.
func TestParse_getVolumeNotOtherObjects(t *testing.T) {
	text := `
ObjectId       : {1}\\HV01\root/Microsoft/Windows/Storage/Providers_v2\SPACES_Disk.ObjectId="{b7a1c3e5}:DI:\\?\Disk{4c2e}"
Number         : 1
Size           : 536870912000
OperationalStatus : Online
`
	d := parseBytes(t, []byte(crlf(text)))
	assert.False(t, d.Has(KindGetVolume))
	assert.Empty(t, d.Records)
}
