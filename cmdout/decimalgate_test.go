package cmdout

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// decimalCodes skips lines without ten digits in a row: over the test
// data, lines at the edge (nine digits, separators, signs, digits that \d
// does not take) and random digit texts, it returns what running
// decimalRe on every line returns, and the gate only drops lines the
// expression does not match.
func TestDecimalCodesGate(t *testing.T) {
	lines := []string{"", "2147942405", "-2147024891", "214794240", "x 2147942405.", "x 2147942405,y", "2147942405:", "(2147942405)",
		"error 2147-942405", "0x80070005 = 2147942405 = -2147024891", "٢١٤٧٩٤٢٤٠٥", "2147942405\u00a0", "a2147942405", "21479424050",
		"error code '2155348129'", "%%2147754996", "2 147 942 405", "−2147024891"}
	lines = append(lines, testDataLines(t)...)
	r := rand.New(rand.NewPCG(1, 2))
	const alphabet = "0123456789 -.,:/x\t"
	for range 200_000 {
		var b strings.Builder
		for range 5 + r.IntN(30) {
			b.WriteByte(alphabet[r.IntN(len(alphabet))])
		}
		if r.IntN(2) == 0 { // most random texts hold no ten-digit run: plant one
			pos := r.IntN(b.Len() + 1)
			s := b.String()
			lines = append(lines, s[:pos]+[]string{"2147942405", "-2147024891", "2147749908", "3221225506"}[r.IntN(4)]+s[pos:])
			continue
		}
		lines = append(lines, b.String())
	}
	matched := 0
	for _, l := range lines {
		var want []string
		for _, m := range decimalRe.FindAllStringSubmatch(l, -1) {
			want = append(want, m[1])
		}
		if want != nil {
			matched++
			assert.True(t, hasDigitRun(l, 10), "%q", l)
		}
		assert.Equal(t, ungatedDecimalCodes(l), decimalCodes(l), "%q", l)
	}
	assert.Greater(t, matched, 1000)
}

// ungatedDecimalCodes is decimalCodes without its gate.
func ungatedDecimalCodes(s string) []string {
	var out []string
	for _, m := range decimalRe.FindAllStringSubmatch(s, -1) {
		n, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil || n < -1<<31 || n > 1<<32-1 {
			continue
		}
		if c, ok := knownCodes[uint32(n)]; ok && uint32(n) >= 0x80000000 && !containsString(out, c) {
			out = append(out, c)
		}
	}
	return out
}
