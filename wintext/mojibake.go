package wintext

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// FixMojibake re-decodes a line whose UTF-8 bytes were shown as cp1252
// ("beschÃ¤digt" for "beschädigt", "â€™" for "’"), as happens when a
// UTF-8 log is opened as ANSI and pasted on: when every rune of the line
// maps back to one cp1252 byte and those bytes are valid UTF-8 with a
// multi-byte character, the bytes were the text. A line that mixes both
// (only part of it went through the wrong code page) gets the common
// punctuation sequences replaced.
func FixMojibake(l string) string {
	// "â" and "Ã" both start with the byte 0xC3 in UTF-8: one byte scan
	// passes every other line.
	if strings.IndexByte(l, 0xC3) < 0 || !strings.ContainsAny(l, "âÃ") {
		return l
	}
	b, err := charmap.Windows1252.NewEncoder().String(l)
	if err != nil || !utf8.ValidString(b) || b == l {
		return mojibakeSeqs.Replace(l)
	}
	return b
}

var mojibakeSeqs = strings.NewReplacer("â€™", "'", "â€˜", "'", "â€œ", `"`, "â€\u009d", `"`, "â€“", "-", "â€”", "-", "Â ", " ")

// Mend undoes what happened to a text on its way from a Windows host to
// us, keeping its line numbers: forum and mail quote markers and the line
// prefixes of tools that relay output (Unquote), and UTF-8 shown as cp1252
// (FixMojibake), so every reader sees the text the host printed.
func Mend(text string) string {
	text = Unquote(text)
	if strings.IndexByte(text, 0xC3) < 0 || !strings.Contains(text, "Ã") && !strings.Contains(text, "â") {
		return text
	}
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lines[i] = FixMojibake(l)
	}
	return strings.Join(lines, "\n")
}
