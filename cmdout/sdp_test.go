package cmdout

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// The SDP <HOST>_VSSAdmin.TXT: captions written by PowerShell in UTF-16LE,
// vssadmin sections appended by cmd.exe in the OEM code page.
func TestParse_sdpVSSAdminMixedEncoding(t *testing.T) {
	le := unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)
	rule := strings.Repeat("-", 60) + "\r\n"
	caption := func(cmd string) string { return rule + "VSSAdmin.exe " + cmd + "\r\n" + rule + "\r\n" }
	writers := "vssadmin 1.1 - Volume Shadow Copy Service administrative command-line tool\r\n" +
		"(C) Copyright 2001-2013 Microsoft Corp.\r\n\r\n" +
		"Writer name: 'Rédacteur Système'\r\n" +
		"   Writer Id: {e8132975-6f93-4464-a53e-1050253ae220}\r\n" +
		"   Writer Instance Id: {44a1b2c3-d4e5-46f7-8899-aabbccddeeff}\r\n" +
		"   State: [10] Failed\r\n" +
		"   Last error: Inconsistent shadow copy\r\n\r\n"
	providers := "Provider name: 'Microsoft Software Shadow Copy provider 1.0'\r\n" +
		"   Provider type: System\r\n" +
		"   Provider Id: {b5946137-7b9f-4925-af80-51abd60b20d5}\r\n" +
		"   Version: 1.0.0.7\r\n\r\n"
	var b bytes.Buffer
	b.Write([]byte{0xff, 0xfe})
	b.Write(mustEncode(t, le, caption("list writers")))
	b.Write(mustEncode(t, charmap.CodePage850, writers))
	b.Write(mustEncode(t, le, caption("list providers")))
	b.Write(mustEncode(t, charmap.CodePage850, providers))

	text, enc, _ := Decode(b.Bytes())
	assert.Equal(t, EncMixed, enc)
	assert.Equal(t, KindVSSWriters, SniffBytes(b.Bytes()))
	d, problems := Parse(text)
	assert.Empty(t, problems)
	assert.Equal(t, []Kind{KindVSSWriters, KindVSSProviders}, d.Kinds)
	require.Len(t, d.Writers, 1)
	w := d.Writers[0]
	assert.Equal(t, "Rédacteur Système", w.Name)
	assert.Equal(t, 8, w.Line)
	assert.Equal(t, 10, w.State)
	assert.Equal(t, "VSS_WS_FAILED_AT_THAW", WriterStateName(w.State))
	assert.Equal(t, "Inconsistent shadow copy", w.LastError)
	require.Len(t, d.Providers, 1)
	assert.Equal(t, 18, d.Providers[0].Line)
	assert.False(t, d.Providers[0].ThirdParty())
}
