package cmdout

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestMatchListKeyIsTheRegexp: matchListKey accepts what the regular
// expression it replaced accepts, with the same key and value.
func TestMatchListKeyIsTheRegexp(t *testing.T) {
	re := regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_.()%]*)\s+:(?: (.*))?$`)
	for _, l := range []string{"", "Name : vm1", "Name          : vm1 : x", "Name:", "Name :", "Name  :  two", "Name :x",
		"_x\t: y", "9x : y", "Get-VHD : fail", "Writer name: 'x'", "Path(1).x% : C:\\", "Name \r: a\r", "Name : a\nb",
		"Name\n: a", "Name :\n", "Na me : x", "Ünï : x", "Name : \xff\xfe", "N : ", "N  ", "Name\f:"} {
		key, val, ok := matchListKey(l)
		m := re.FindStringSubmatch(l)
		assert.Equal(t, m != nil, ok, "%q", l)
		assert.Equal(t, ok, isListLine(l), "%q", l)
		if m != nil {
			assert.Equal(t, []string{m[1], m[2]}, []string{key, val}, "%q", l)
		}
	}
}
