package cmdout

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDirFreeSpace(t *testing.T) {
	tests := []struct {
		name, text string
		drive      string
		bytes      int64
	}{
		{"en-US", " Volume in drive D is VMS\r\n\r\n Directory of D:\\Hyper-V\\APP01\r\n\r\n03/14/2024  02:05 AM    <DIR>          .\r\n03/14/2024  02:07 AM     8,623,489,024 APP01.avhdx\r\n               1 File(s)  8,623,489,024 bytes\r\n               2 Dir(s)     734,003,200 bytes free\r\n", "D:", 734003200},
		{"de-DE", " Datenträger in Laufwerk E: ist DATA\r\n\r\n Verzeichnis von E:\\VMs\r\n\r\n14.03.2024  02:07     8.623.489.024 SQL01.vhdx\r\n               1 Datei(en),  8.623.489.024 Bytes\r\n               0 Verzeichnis(se), 52.428.800 Bytes frei\r\n", "E:", 52428800},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, _ := Parse(tt.text)
			require.Len(t, d.FreeSpace, 1)
			assert.Equal(t, tt.drive, d.FreeSpace[0].Drive)
			assert.Equal(t, tt.bytes, d.FreeSpace[0].Bytes)
			assert.NotEmpty(t, d.Files, "the entries are still read")
		})
	}
}
