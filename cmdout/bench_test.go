package cmdout

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/text/encoding/unicode"
)

func benchInput(b *testing.B) string {
	b.Helper()
	var sb strings.Builder
	for sb.Len() < 4<<20 {
		sb.WriteString(readTestdata(b, "tss_Storage_VSSAdmin.txt"))
		sb.WriteString(readTestdata(b, "dir_s_en.txt"))
		sb.WriteString(readTestdata(b, "get-vhd_list.txt"))
	}
	return strings.ReplaceAll(sb.String(), "\n", "\r\n")
}

func BenchmarkDecodeUTF16(b *testing.B) {
	text := benchInput(b)
	le := unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)
	in := append([]byte{0xff, 0xfe}, mustEncode(b, le, text)...)
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		Decode(in)
	}
}

func BenchmarkParse(b *testing.B) {
	text := benchInput(b)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		Parse(text)
	}
}

func BenchmarkParseCliXML(b *testing.B) {
	one := readTestdata(b, "getvm.clixml.xml")
	body := one[strings.Index(one, "<Obj "):strings.LastIndex(one, "</Objs>")]
	in := []byte(`<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">` + strings.Repeat(body, 500) + "</Objs>")
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		ParseCliXML(bytes.NewReader(in))
	}
}

// BenchmarkSniffBackupLog measures the backup-product test on a text that
// is no backup log (the common case: every text file is sniffed).
func BenchmarkSniffBackupLog(b *testing.B) {
	note := strings.Repeat("Customer says the nightly job on HV-SMALL-1 ran long again; no errors in the portal, will check tomorrow.\r\n", 150)
	b.SetBytes(int64(len(note)))
	for b.Loop() {
		if SniffBackupLog(note) != nil {
			b.Fatal("a note is no backup log")
		}
	}
}
