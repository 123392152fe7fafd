package wintext

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

func TestTranscode(t *testing.T) {
	utf16 := func(order unicode.Endianness, bom bool, s string) []byte {
		pol := unicode.IgnoreBOM
		if bom {
			pol = unicode.UseBOM
		}
		b, err := unicode.UTF16(order, pol).NewEncoder().Bytes([]byte(s))
		require.NoError(t, err)
		return b
	}
	cp850 := func(s string) []byte {
		b, err := charmap.CodePage850.NewEncoder().Bytes([]byte(s))
		require.NoError(t, err)
		return b
	}
	text := "Name : HV03\r\nPath : D:\\Hyper-V\\FS01\\Größe\r\n"
	want := "Name : HOST-1\r\nPath : D:\\Hyper-V\\VM-1\\Größe\r\n"
	edit := func(s string) string {
		return strings.NewReplacer("HV03", "HOST-1", "FS01", "VM-1").Replace(s)
	}
	tests := []struct {
		name   string
		in     func(string) []byte
		encode func(string) []byte
	}{
		{"utf8", func(s string) []byte { return []byte(s) }, nil},
		{"utf8_bom", func(s string) []byte { return append([]byte{0xef, 0xbb, 0xbf}, s...) }, nil},
		{"utf16le_bom", func(s string) []byte { return utf16(unicode.LittleEndian, true, s) }, nil},
		{"utf16le", func(s string) []byte { return utf16(unicode.LittleEndian, false, s) }, nil},
		{"utf16be_bom", func(s string) []byte { return utf16(unicode.BigEndian, true, s) }, nil},
		{"cp850", cp850, nil},
		{"mixed", func(s string) []byte {
			return append(utf16(unicode.LittleEndian, true, "Header HV03 for the report\r\n"), cp850(s)...)
		}, func(s string) []byte {
			return append(utf16(unicode.LittleEndian, true, "Header HOST-1 for the report\r\n"), cp850(s)...)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in(text)
			out, err := Transcode(in, edit)
			require.NoError(t, err)
			wantb := tt.in(want)
			if tt.encode != nil {
				wantb = tt.encode(want)
			}
			assert.Equal(t, wantb, out)
			_, encIn, _ := Decode(in)
			_, encOut, _ := Decode(out)
			assert.Equal(t, encIn, encOut)
			same, err := Transcode(in, func(s string) string { return s })
			require.NoError(t, err)
			assert.Equal(t, in, same)
		})
	}
}
