package rules

import (
	"maps"
	"slices"
	"strings"
)

// CheckNames lists every registered check, for tests outside the package.
func CheckNames() []string { return slices.Sorted(maps.Keys(checks)) }

// RunCheck runs one check over evidence the way Evaluate does: routine
// noise set aside first.
func RunCheck(name string, evidence []Evidence) []*Evidence {
	kept, _ := scopeNoise(evidence)
	return checks[name](newIndex(kept))
}

// DeclaredOnly keeps of evidence what a check may read by its declaration:
// everything but events, and the events it declares.
func DeclaredOnly(name string, evidence []Evidence) []Evidence {
	var out []Evidence
	for _, e := range evidence {
		if e.Kind == KindEvent && !declares(checkEvents[name], e.Attrs[AttrProvider], e.Attrs[AttrEventID]) {
			continue
		}
		out = append(out, e)
	}
	return out
}

func declares(events []string, provider, id string) bool {
	for _, ev := range events {
		p, want, byID := strings.Cut(ev, ":")
		if strings.EqualFold(p, provider) && (!byID || want == id) {
			return true
		}
	}
	return false
}
