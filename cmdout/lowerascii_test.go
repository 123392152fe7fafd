package cmdout

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestLowerASCIIIsToLower: whenever lowerASCII takes a key, it gives
// strings.ToLower's result; it refuses non-ASCII keys and keys too long
// for its buffer.
func TestLowerASCIIIsToLower(t *testing.T) {
	for _, k := range []string{"", "a", "A", "DiskIdentifier", "VMId", "@[`{Z", "x_Y-1", strings.Repeat("K", 64), strings.Repeat("K", 65), "Kelvin\u212a", "ÄB", "\xff"} {
		var buf [64]byte
		got, ok := lowerASCII(buf[:0], k)
		nonASCII := strings.IndexFunc(k, func(r rune) bool { return r >= 0x80 }) >= 0
		assert.Equal(t, !nonASCII && len(k) <= 64, ok, "%q", k)
		if ok {
			assert.Equal(t, strings.ToLower(k), string(got), "%q", k)
		}
	}
	for c := 0; c < 0x80; c++ {
		var buf [64]byte
		got, ok := lowerASCII(buf[:0], string(rune(c)))
		assert.True(t, ok)
		assert.Equal(t, strings.ToLower(string(rune(c))), string(got))
	}
}
