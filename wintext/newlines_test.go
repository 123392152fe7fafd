package wintext

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// normalizeNewlines copies the text between breaks whole; it gives what
// the byte-by-byte version it replaced gives, over edge cases and random
// texts of CRs, LFs and other bytes.
func TestNormalizeNewlinesSameAsByteLoop(t *testing.T) {
	texts := []string{"", "\r", "\n", "\r\n", "\n\r", "\r\r", "\r\r\n", "\r\r\nx", "a\rb", "a\r\r\rb\r\n\r\nc\r", "x\r\n", "é\r\n日本\r"}
	r := rand.New(rand.NewPCG(3, 4))
	const alphabet = "\r\r\n ab\xff"
	for range 100_000 {
		var b strings.Builder
		for range r.IntN(24) {
			b.WriteByte(alphabet[r.IntN(len(alphabet))])
		}
		texts = append(texts, b.String())
	}
	for _, s := range texts {
		require.Equal(t, normalizeNewlinesByteLoop(s), normalizeNewlines(s), "%q", s)
	}
}

// normalizeNewlinesByteLoop is normalizeNewlines as it was.
func normalizeNewlinesByteLoop(s string) string {
	if !strings.Contains(s, "\r") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != '\r' {
			b.WriteByte(s[i])
			continue
		}
		j := i
		for j < len(s) && s[j] == '\r' {
			j++
		}
		if j < len(s) && s[j] == '\n' {
			i = j
		}
		b.WriteByte('\n')
	}
	return b.String()
}
