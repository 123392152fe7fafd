package rules

import (
	"slices"

	"github.com/hvtriage/hvtriage/evidence"
)

// undeclared lists the attributes a signal matches that its kind does not
// declare.
func (s *Signal) undeclared() []string {
	var out []string
	for _, m := range []map[string]string{s.Equals, s.Regex} {
		for a := range m {
			if !evidence.Declares(s.Kind, a) {
				out = append(out, a)
			}
		}
	}
	for a := range s.AnyOf {
		if !evidence.Declares(s.Kind, a) {
			out = append(out, a)
		}
	}
	slices.Sort(out)
	return out
}
