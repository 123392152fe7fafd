package wintext

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

const decodeSample = "Writer name: 'Task Scheduler Writer'\r\n   State: [1] Stable\r\nD:\\Hyper-V\\Gäste\\Ölfeld.vhdx\r\n"

func mustEncode(t testing.TB, e encoding.Encoding, s string) []byte {
	t.Helper()
	b, err := e.NewEncoder().Bytes([]byte(s))
	require.NoError(t, err)
	return b
}

func TestDecode(t *testing.T) {
	want := strings.ReplaceAll(decodeSample, "\r\n", "\n")
	le := unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)
	be := unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM)
	tests := []struct {
		name         string
		in           []byte
		wantEnc      Encoding
		wantProblems int
	}{
		{"utf16le_bom", append([]byte{0xff, 0xfe}, mustEncode(t, le, decodeSample)...), EncUTF16LEBOM, 0},
		{"utf16le_no_bom", mustEncode(t, le, decodeSample), EncUTF16LE, 0},
		{"utf16be_bom", append([]byte{0xfe, 0xff}, mustEncode(t, be, decodeSample)...), EncUTF16BEBOM, 0},
		{"utf16be_no_bom", mustEncode(t, be, decodeSample), EncUTF16BE, 0},
		{"utf8_bom", append([]byte{0xef, 0xbb, 0xbf}, decodeSample...), EncUTF8BOM, 0},
		{"utf8", []byte(decodeSample), EncUTF8, 0},
		{"cp850", mustEncode(t, charmap.CodePage850, decodeSample), EncCP850, 1},
		{"windows1252", mustEncode(t, charmap.Windows1252, decodeSample), EncWindows1252, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, enc, problems := Decode(tt.in)
			assert.Equal(t, want, got)
			assert.Equal(t, tt.wantEnc, enc)
			assert.Len(t, problems, tt.wantProblems, "%v", problems)
		})
	}
}

func TestDecode_codePageGuess(t *testing.T) {
	tests := []struct {
		name string
		text string
		cm   *charmap.Charmap
		want Encoding
	}{
		{"french_cp850", " Répertoire de E:\\VMs\r\n4\u00a0731\u00a0174\u00a0912 a.vhdx\r\n", charmap.CodePage850, EncCP850},
		{"french_1252", "Répertoire créé à côté\r\n", charmap.Windows1252, EncWindows1252},
		{"german_cp850", "Zeitüberschreitung größer\r\n", charmap.CodePage850, EncCP850},
		{"german_1252", "Zeitüberschreitung größer\r\n", charmap.Windows1252, EncWindows1252},
		{"spanish_cp850", "Configuración año\r\n", charmap.CodePage850, EncCP850},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, enc, _ := Decode(mustEncode(t, tt.cm, tt.text))
			assert.Equal(t, tt.want, enc)
			assert.Equal(t, strings.ReplaceAll(tt.text, "\r\n", "\n"), got)
		})
	}
}

func TestDecode_lineEndings(t *testing.T) {
	got, _, _ := Decode([]byte("a\r\nb\nc\r\r\nd\re"))
	assert.Equal(t, "a\nb\nc\nd\ne", got)
}

// The SDP VSSAdmin.TXT layout: a UTF-16LE header with BOM, then sections
// appended by cmd.exe in the OEM code page, then UTF-16 again.
func TestDecode_mixed(t *testing.T) {
	le := unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)
	head := "----------------------------------------\r\nVSSAdmin.exe list writers\r\n----------------------------------------\r\n"
	body := "Writer name: 'Système Writer'\r\n   State: [1] Stable\r\n"
	tail := "VSSAdmin.exe list providers\r\n"
	var b bytes.Buffer
	b.Write([]byte{0xff, 0xfe})
	b.Write(mustEncode(t, le, head))
	b.Write(mustEncode(t, charmap.CodePage850, body))
	b.Write(mustEncode(t, le, tail))

	got, enc, problems := Decode(b.Bytes())
	assert.Equal(t, strings.ReplaceAll(head+body+tail, "\r\n", "\n"), got)
	assert.Equal(t, EncMixed, enc)
	var lines []int
	for _, p := range problems {
		lines = append(lines, p.Line)
	}
	// Switch notes at lines 1, 4 and 6, plus the CP850 guess at line 4.
	assert.Equal(t, []int{1, 4, 4, 6}, lines, "%v", problems)
}

func TestDecode_switchNotesBounded(t *testing.T) {
	le := unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)
	var b bytes.Buffer
	for i := 0; i < 40; i++ {
		b.Write(mustEncode(t, le, "utf16 part\r\n"))
		b.WriteString("8-bit text that is long enough to switch back\r\n")
	}
	_, enc, problems := Decode(b.Bytes())
	assert.Equal(t, EncMixed, enc)
	assert.Len(t, problems, maxSwitchNotes+1)
	assert.Contains(t, problems[maxSwitchNotes].Msg, "64 more encoding switches")
}

func TestDecodeHead_cutCharacter(t *testing.T) {
	s := strings.Repeat("é", 10)
	text, enc, problems := DecodeHead([]byte(s), 5) // cuts the third é in half
	assert.Equal(t, "éé", text)
	assert.Equal(t, EncUTF8, enc)
	assert.Empty(t, problems)

	le := unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)
	b := append([]byte{0xff, 0xfe}, mustEncode(t, le, "abcdef")...)
	text, enc, _ = DecodeHead(b, 7)
	assert.Equal(t, "ab", text)
	assert.Equal(t, EncUTF16LEBOM, enc)
}

func TestDecode_badUTF16(t *testing.T) {
	// A lone high surrogate on line 2.
	b := []byte{0xff, 0xfe, 'a', 0, '\n', 0, 0x00, 0xd8, 'b', 0}
	text, _, problems := Decode(b)
	assert.Equal(t, "a\n\ufffdb", text)
	require.Len(t, problems, 1)
	assert.Equal(t, 2, problems[0].Line)
}

func FuzzDecode(f *testing.F) {
	le := unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)
	f.Add([]byte(decodeSample))
	f.Add(append([]byte{0xff, 0xfe}, mustEncode(f, le, decodeSample)...))
	f.Add(mustEncode(f, charmap.CodePage850, decodeSample))
	f.Add([]byte{0xfe, 0xff, 0, 'a', 0xd8, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		text, _, problems := Decode(b)
		// The lines of text, plus the one after the last line.
		n := strings.Count(text, "\n") + 1
		if text != "" && !strings.HasSuffix(text, "\n") {
			n++
		}
		for _, p := range problems {
			if p.Line < 1 || p.Line > n {
				t.Fatalf("problem line %d outside 1..%d: %v", p.Line, n, p)
			}
		}
		head, _, _ := DecodeHead(b, 64)
		_ = head
	})
}

func TestDecodePrefix_cutCharacter(t *testing.T) {
	// A UTF-8 text cut inside its last "ü": the prefix is still UTF-8,
	// not an 8-bit code page.
	b := []byte("Zugriff verweigert f\u00fcr Pr\u00fcfung")
	b = b[:len(b)-len("fung")-1]
	text, enc, problems := DecodePrefix(b)
	assert.Equal(t, EncUTF8, enc)
	assert.Equal(t, "Zugriff verweigert f\u00fcr Pr", text)
	assert.Empty(t, problems)

	// Decode, which takes b as the whole text, has to guess a code page.
	_, enc, _ = Decode(b)
	assert.NotEqual(t, EncUTF8, enc)
}

func TestProblemIsALineLocatedError(t *testing.T) {
	var err error = Problem{Line: 7, Msg: "unreadable writer block"}
	assert.EqualError(t, err, "line 7: unreadable writer block")
	var p Problem
	require.True(t, errors.As(fmt.Errorf("parsing: %w", err), &p))
	assert.Equal(t, 7, p.Line)
}

// TestASCIIUTF16IsTheDecoder: the ASCII fast path decodes exactly as the
// x/text UTF-16 decoder does whenever it takes the input, over edge cases
// random inputs that are mostly ASCII units, and long texts.
func TestASCIIUTF16IsTheDecoder(t *testing.T) {
	inputs := [][]byte{{}, {0}, {'a', 0}, {0, 'a'}, {'a', 0, 'b'}, {0, 0}, {0x7f, 0}, {0x80, 0}, {'a', 1}, {0xff, 0xfe, 'a', 0}, {0xfe, 0xff, 0, 'a'}, {'\r', 0, '\n', 0}}
	r := rand.New(rand.NewSource(1))
	for i := 0; i < 20000; i++ {
		var b []byte
		for n := r.Intn(20); n > 0; n-- {
			if r.Intn(30) == 0 {
				b = append(b, byte(r.Intn(256)), byte(r.Intn(256)))
			} else {
				b = append(b, byte(r.Intn(128)), 0)
			}
		}
		if r.Intn(2) == 0 {
			for k := 0; k+1 < len(b); k += 2 {
				b[k], b[k+1] = b[k+1], b[k] // big-endian
			}
		}
		if r.Intn(10) == 0 {
			b = append(b, 'x')
		}
		inputs = append(inputs, b)
	}
	// Texts around the sizes of the chunk the fast path writes at once.
	for _, n := range []int{255, 256, 257, 511, 512, 513, 1023, 1024, 1025, 1500, 8000} {
		var b []byte
		for k := range n {
			b = append(b, byte(32+r.Intn(95)), 0)
			if k%37 == 0 {
				b[len(b)-2] = '\n'
			}
		}
		inputs = append(inputs, b, append(append([]byte{}, b...), 0xe9, 0)) // and with a last non-ASCII unit
	}
	taken := 0
	for _, p := range inputs {
		for _, le := range []bool{true, false} {
			got, ok := asciiUTF16(p, le)
			if !ok {
				continue
			}
			taken++
			order := unicode.BigEndian
			if le {
				order = unicode.LittleEndian
			}
			want, err := unicode.UTF16(order, unicode.IgnoreBOM).NewDecoder().Bytes(p)
			require.NoError(t, err)
			assert.Equal(t, string(want), got, "%x le=%v", p, le)
		}
	}
	assert.Greater(t, taken, 1000)
}
