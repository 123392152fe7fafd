package wintext

import (
	"regexp"
	"strings"
	"testing"
)

// The GUID scanners give what the regular expressions they replaced gave.
func TestGUIDScanMatchesRegexp(t *testing.T) {
	re := regexp.MustCompile(`\{?([0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})\}?`)
	only := regexp.MustCompile(`^\{?[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}?$`)
	g := "1A2b3C4d-0000-1111-2222-abcdefABCDEF"
	cases := []string{"", g, "{" + g + "}", " {" + g + "} ", "x-" + g, "--" + g + "--", "a-b " + g[:35], "1234567-" + g, "12345678-" + g, g[:8] + "-" + g, "{" + g, g + "}", "zz" + strings.ToLower(g) + "x" + g, " " + g + "\t"}
	for _, c := range cases {
		m := re.FindStringSubmatch(c)
		want := ""
		if m != nil {
			want = strings.ToLower(m[1])
		}
		if got := NormGUID(c); got != want {
			t.Errorf("NormGUID(%q)=%q want %q", c, got, want)
		}
		if got, w := IsGUID(c), only.MatchString(strings.TrimSpace(c)); got != w {
			t.Errorf("IsGUID(%q)=%v want %v", c, got, w)
		}
	}
}
