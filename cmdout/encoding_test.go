package cmdout

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
)

func mustEncode(t testing.TB, e encoding.Encoding, s string) []byte {
	t.Helper()
	b, err := e.NewEncoder().Bytes([]byte(s))
	require.NoError(t, err)
	return b
}

func TestParseBytes(t *testing.T) {
	b := mustEncode(t, charmap.CodePage850, "Writer name: 'Système'\r\n   Writer Id: {e8132975-6f93-4464-a53e-1050253ae220}\r\n   Writer Instance Id: {44a1b2c3-d4e5-46f7-8899-aabbccddeeff}\r\n   State: [1] Stable\r\n   Last error: No error\r\n")
	d, enc, problems := ParseBytes(b)
	assert.Equal(t, EncCP850, enc)
	require.Len(t, d.Writers, 1)
	assert.Equal(t, "Système", d.Writers[0].Name)
	require.Len(t, problems, 1) // the code-page guess
	assert.Equal(t, 1, problems[0].Line)
	assert.Equal(t, problems, d.Problems)
}
