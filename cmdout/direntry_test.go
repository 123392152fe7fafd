package cmdout

import (
	"math/rand"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestParseDirEntryIsTheRegexp: parseDirEntry matches exactly the lines
// dirEntryRe matches, with the same groups, over every line of the test
// data, rows built at the edge of each part, and random rows made of the
// bytes the expression cares about.
func TestParseDirEntryIsTheRegexp(t *testing.T) {
	lines := []string{"", "1", "01/02/2024  10:00 AM    <DIR>          .", "2024-01-02  10:00    1.234.567 a b.vhdx", "1/2/2024 10:00 12 x",
		"12345/1/2 10:00 1 x", "1/123/2 10:00 1 x", "1/2/12345 10:00 1 x", "1/2/3 100:00 1 x", "1/2/3 1:0 1 x", "1/2/3 1:000 1 x",
		"1/2/3 1:00:5 1 x", "1/2/3 1:00:55 1 x", "1/2/3 1:00:555 1 x", "1/2/3 1:00AM 1 x", "1/2/3 1:00 a.m. 1 x", "1/2/3 1:00  AM 1 x",
		"1/2/3 1:00 A 1 x", "1/2/3 1:00 A.M 1 x", "1/2/3 1:00\tPM\t1\tx", "1/2/3 1:00 pm. 1 x", "1/2/3 1:00 <DIR> x", "1/2/3 1:00 <dir> x",
		"1/2/3 1:00 <> x", "1/2/3 1:00 <DIR x", "1/2/3 1:00 <DIR>x", "1/2/3 1:00 <SYMLINKD> a [b]", "1/2/3 1:00 1 234 567 x",
		"1/2/3 1:00 1 234 567x", "1/2/3 1:00 1 234 5678 x", "1/2/3 1:00 1234 567 x", "1/2/3 1:00 12\u00a0345 x", "1/2/3 1:00 12\u202f345\u202f678 x",
		"1/2/3 1:00 1'234 x", "1/2/3 1:00 1,234,56 x", "1/2/3 1:00 5 123abc", "1/2/3 1:00 5   ", "1/2/3 1:00 5 ", "1/2/3 1:00 5  \t",
		"1/2/3 1:00 5", "1/2/3 1:00 5 a\nb", "1/2/3 1:00 5 \n", "1/2/3 1:00 5 \xff", "1/2/3\r1:00\f5\ta", "1/2/3 1:00 1 234   ", "1/2/3 1:00 1 234  "}
	lines = append(lines, testDataLines(t)...)
	r := rand.New(rand.NewSource(1))
	alphabet := []string{"0", "1", "12", "123", "2024", "/", ".", "-", ":", " ", "  ", "\t", "A", "p", "M", "m", "<", ">", "DIR", ",", "'", "\u00a0", "\u202f", "x", "\n", "\xff"}
	for i := 0; i < 200000; i++ {
		var b strings.Builder
		b.WriteString([]string{"1/2/3 ", "01.02.2024  10:00", "2024-01-02 1:00 ", "1/2/3 1:00 "}[r.Intn(4)])
		for n := r.Intn(10); n > 0; n-- {
			b.WriteString(alphabet[r.Intn(len(alphabet))])
		}
		lines = append(lines, b.String())
	}
	matched := 0
	for _, l := range lines {
		m := dirEntryRe.FindStringSubmatch(l)
		got, ok := parseDirEntry(l)
		if !assert.Equal(t, m != nil, ok, "%q", l) || m == nil {
			continue
		}
		matched++
		assert.Equal(t, dirEntry{m[1], m[2], m[3], m[4]}, got, "%q", l)
	}
	assert.Greater(t, matched, 1000)
}
