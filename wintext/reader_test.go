package wintext

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// TestReader_agreesWithDecode: the stream decoder reads every encoding
// Decode reads in one piece to the same text, line ends aside, and names
// the same encoding.
func TestReader_agreesWithDecode(t *testing.T) {
	le := unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)
	be := unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM)
	german := "TimeCreated  : 03.02.2024 14:05:09\r\nProviderName : Microsoft-Windows-Hyper-V-VMMS\r\nId           : 16010\r\nMessage      : Zugriff verweigert: Größe der Datei „Prüfung.avhdx“ unbekannt.\r\n"
	// ASCII for longer than one read before the first accented letter.
	late := strings.Repeat("Writer name: 'Task Scheduler Writer'\r\n", 4000) + "Zeitüberschreitung größer\r\n"
	tests := []struct {
		name string
		in   []byte
	}{
		{"utf16le_bom", append([]byte{0xff, 0xfe}, mustEncode(t, le, decodeSample)...)},
		{"utf16le_no_bom", mustEncode(t, le, decodeSample)},
		{"utf16be_bom", append([]byte{0xfe, 0xff}, mustEncode(t, be, decodeSample)...)},
		{"utf16be_no_bom", mustEncode(t, be, decodeSample)},
		{"utf16le_stray_bom", append(mustEncode(t, le, "Id : 1\r\n"), mustEncode(t, le, "\ufeffId : 2\r\n")...)},
		{"utf16le_odd_end", append(mustEncode(t, le, decodeSample), 'x')},
		{"utf8_bom", append([]byte{0xef, 0xbb, 0xbf}, decodeSample...)},
		{"utf8", []byte(decodeSample)},
		{"utf8_late", []byte(late)},
		{"ascii", []byte("Id : 1\r\nId : 2\r\n")},
		{"empty", nil},
		{"cp850", mustEncode(t, charmap.CodePage850, decodeSample)},
		{"windows1252", mustEncode(t, charmap.Windows1252, decodeSample)},
		{"cp850_german", mustEncode(t, charmap.CodePage850, strings.ReplaceAll(strings.ReplaceAll(german, "„", "\""), "“", "\""))},
		{"windows1252_german", mustEncode(t, charmap.Windows1252, german)},
		{"cp850_late", mustEncode(t, charmap.CodePage850, late)},
		{"windows1252_late", mustEncode(t, charmap.Windows1252, late)},
		{"french_cp850", mustEncode(t, charmap.CodePage850, " Répertoire de E:\\VMs\r\n4\u00a0731\u00a0174\u00a0912 a.vhdx\r\n")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, wantEnc, _ := Decode(tt.in)
			if strings.Contains(tt.name, "german") {
				require.Contains(t, want, "Zugriff verweigert: Größe der Datei")
			}
			for _, wrap := range []struct {
				name string
				f    func(io.Reader) io.Reader
			}{
				{"whole", func(r io.Reader) io.Reader { return r }},
				{"one_byte_reads", iotest.OneByteReader},
				{"half_reads", iotest.HalfReader},
			} {
				r := NewReader(wrap.f(bytes.NewReader(tt.in)))
				got, err := io.ReadAll(r)
				require.NoError(t, err, wrap.name)
				assert.Equal(t, want, normalizeNewlines(string(got)), wrap.name)
				assert.Equal(t, wantEnc, r.Encoding(), wrap.name)
			}
			// Small reads from the Reader itself.
			got, err := io.ReadAll(iotest.OneByteReader(NewReader(bytes.NewReader(tt.in))))
			require.NoError(t, err)
			assert.Equal(t, want, normalizeNewlines(string(got)))
		})
	}
}

// TestReader_windowAfterASCII: the code page is chosen on the text from the
// first high byte on, not on the ASCII before it.
func TestReader_windowAfterASCII(t *testing.T) {
	in := append([]byte(strings.Repeat("a", 3*readerWindow)), mustEncode(t, charmap.Windows1252, "Größe\r\n")...)
	r := NewReader(bytes.NewReader(in))
	got, err := io.ReadAll(r)
	require.NoError(t, err)
	assert.True(t, strings.HasSuffix(string(got), "Größe\r\n"))
	assert.Equal(t, EncWindows1252, r.Encoding())
}

func TestReader_readError(t *testing.T) {
	boom := errors.New("boom")
	le := unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)
	for _, in := range [][]byte{
		[]byte("ascii text\r\n"),
		mustEncode(t, charmap.CodePage850, "Größe\r\n"),
		mustEncode(t, le, "utf-16 text\r\n"),
		nil,
	} {
		_, err := io.ReadAll(NewReader(io.MultiReader(bytes.NewReader(in), iotest.ErrReader(boom))))
		assert.ErrorIs(t, err, boom, "%q", in)
	}
}

func TestDropBOMs(t *testing.T) {
	for _, s := range []string{
		"", "\ufeff", "a\ufeffb\ufeff\ufeffc", "Größe\ufeff", "\xef", "a\xef\xbb", "\xef\xbb\xbe\xef\xef\xbb\xbf!",
	} {
		want := strings.ReplaceAll(s, "\ufeff", "")
		for _, small := range []bool{false, true} {
			var r io.Reader = transform.NewReader(iotest.OneByteReader(strings.NewReader(s)), dropBOMs{})
			if small {
				r = iotest.OneByteReader(r)
			}
			got, err := io.ReadAll(r)
			require.NoError(t, err)
			assert.Equal(t, want, string(got), "%q", s)
		}
		got, _, err := transform.String(dropBOMs{}, s)
		require.NoError(t, err)
		assert.Equal(t, want, got, "%q", s)
	}
}

// FuzzReader: on input Decode reads as one segment, the stream decoder
// gives the same text, line ends aside (and invalid UTF-8 after a UTF-8
// BOM, which it passes through), and the same encoding.
func FuzzReader(f *testing.F) {
	le := unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)
	f.Add([]byte(decodeSample))
	f.Add(append([]byte{0xff, 0xfe}, mustEncode(f, le, decodeSample)...))
	f.Add(mustEncode(f, charmap.CodePage850, decodeSample))
	f.Add(mustEncode(f, charmap.Windows1252, decodeSample))
	f.Add([]byte{0xef, 0xbb, 0xbf, 'a', 0xff, '\r'})
	f.Fuzz(func(t *testing.T, b []byte) {
		r := NewReader(bytes.NewReader(b))
		got, err := io.ReadAll(r)
		require.NoError(t, err)
		if len(segmentBytes(b)) > 1 || len(b) > readerWindow {
			return
		}
		want, enc, _ := Decode(b)
		assert.Equal(t, want, normalizeNewlines(strings.ToValidUTF8(string(got), "\ufffd")))
		assert.Equal(t, enc, r.Encoding())
	})
}
