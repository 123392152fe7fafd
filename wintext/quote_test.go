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
