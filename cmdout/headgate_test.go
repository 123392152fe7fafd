package cmdout

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// A product's headGate passes every text its headMarker matches: over the
// lines of the test data, whole heads built from them, stamps at the
// edges (one digit short, other separators, at the very start and end)
// and random texts of digits, separators and the stamp's parts.
func TestHeadGatesPassWhatHeadMarkersMatch(t *testing.T) {
	texts := []string{"", "/", "1/2", "12/34 56:", "12/34 56:00:00", "x12/34 56:", "1/34 56:", "12/3 56:", "12/34 5:", "12/34  56:", "12/34\t56:",
		"4232  1a3c  03/14 08:15:02 12345 text", "  4232 1a3c 03/14 08:15:02 ### x", "4232 1a3c 03/14 08:15:02 1\n", "١٢/٣٤ ٥٦:"}
	lines := testDataLines(t)
	texts = append(texts, lines...)
	for i := 0; i+20 <= len(lines); i += 20 {
		texts = append(texts, strings.Join(lines[i:i+20], "\n"))
	}
	r := rand.New(rand.NewPCG(5, 6))
	// pick takes the first, right, part half of the time.
	pick := func(xs ...string) string {
		if r.IntN(2) == 0 {
			return xs[0]
		}
		return xs[r.IntN(len(xs))]
	}
	for range 100_000 {
		// A Commvault line's parts, each right or slightly wrong.
		var b strings.Builder
		for range 1 + r.IntN(3) {
			b.WriteString(pick(" ", "", "\t", "x"))
			b.WriteString(pick("4232", "12", "1", "1234567", ""))
			b.WriteString(pick(" ", "  ", "\t", ""))
			b.WriteString(pick("1a3c", "f", "1234567", "g1", ""))
			b.WriteString(pick(" ", "\t", ""))
			b.WriteString(pick("03/14", "3/14", "03/1", "03-14", "03/14/", "٠٣/14"))
			b.WriteString(pick(" ", "  ", "\t", ""))
			b.WriteString(pick("08:15:02", "8:15:02", "08:15", "08.15.02"))
			b.WriteString(pick(" ", "\t", "", "\n"))
			b.WriteString(pick("12345", "###", "##", "x", ""))
			b.WriteString(pick(" ", "\n", "", "\r\n"))
			b.WriteString(pick("text", "", "\n"))
		}
		texts = append(texts, b.String())
	}
	for _, p := range backupProducts {
		if p.headGate == nil {
			continue
		}
		matched := 0
		for _, s := range texts {
			head := s[:min(len(s), headMarkerBytes)]
			if p.headMarker.MatchString(head) {
				matched++
				assert.True(t, p.headGate(head), "%s: %q", p.ID, head)
			}
		}
		assert.Greater(t, matched, 100, p.ID)
	}
}
