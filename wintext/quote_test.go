package wintext

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestUnquote(t *testing.T) {
	in := strings.Join([]string{
		"Quote from: ops_nadia",
		"> Our node shows this:",
		">",
		"> Name     State   Version",
		"> ----     -----   -------",
		"> LAB-44   Running 9.0",
		">> nested reply line",
		"",
		"PS C:\\> Get-VM |",
		">> Where-Object State -eq Off",
		"my answer > your answer",
	}, "\n")
	want := strings.Join([]string{
		"Quote from: ops_nadia",
		"Our node shows this:",
		"",
		"Name     State   Version",
		"----     -----   -------",
		"LAB-44   Running 9.0",
		"nested reply line",
		"",
		"PS C:\\> Get-VM |",
		">> Where-Object State -eq Off",
		"my answer > your answer",
	}, "\n")
	assert.Equal(t, want, Unquote(in))
	plain := "PS C:\\> dir\nno quotes here\n"
	assert.Equal(t, plain, Unquote(plain))
}

// Packer and Vagrant put "==> NAME: " before their own lines and
// "    NAME: " before what they relay; a name seen once is left alone, and
// so are lines of other names.
func TestUnquote_toolPrefixes(t *testing.T) {
	in := strings.Join([]string{
		"==> hv-build: Cloning virtual machine...",
		"==> hv-build: Error: Hyper-V\\Import-VM : Failed",
		"    hv-build:     + CategoryInfo : NotSpecified",
		"    other: stays",
		"==> lone: stays too",
	}, "\n")
	want := strings.Join([]string{
		"Cloning virtual machine...",
		"Error: Hyper-V\\Import-VM : Failed",
		"    + CategoryInfo : NotSpecified",
		"    other: stays",
		"==> lone: stays too",
	}, "\n")
	assert.Equal(t, want, Unquote(in))
	once := "==> default: Booting VM...\nno more\n"
	assert.Equal(t, once, Unquote(once))
}

// UTF-8 shown as cp1252 is mended line by line; a line that is really
// cp1252 text with an "Ã" in it is left alone, and so are line numbers.
func TestMend_mojibake(t *testing.T) {
	in := "Die Datei ist beschÃ¤digt und nicht lesbar.\nNÃO\nplain\n"
	assert.Equal(t, "Die Datei ist beschädigt und nicht lesbar.\nNÃO\nplain\n", Mend(in))
	assert.Equal(t, "it\u2019s done", FixMojibake("itâ€™s done"), "a whole line re-decodes to the quote it was")
	plain := "no damage here\n"
	assert.Equal(t, plain, Mend(plain))
}
