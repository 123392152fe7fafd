package rules

import (
	"maps"
	"slices"
	"strings"

	"github.com/hvtriage/hvtriage/evidence"
)

// CheckNames lists every registered check, for tests outside the package.
func CheckNames() []string { return slices.Sorted(maps.Keys(checks)) }

// RunCheck runs one check over evidence the way Evaluate does: routine
// noise set aside first.
func RunCheck(name string, evs []evidence.Evidence) []*evidence.Evidence {
	kept, _ := scopeNoise(evs, nil)
	return checks[name](newIndex(kept))
}

// DeclaredOnly keeps of evidence what a check may read by its declaration:
// everything but events, and the events it declares.
func DeclaredOnly(name string, evs []evidence.Evidence) []evidence.Evidence {
	var out []evidence.Evidence
	for _, e := range evs {
		if e.Kind == evidence.KindEvent && !declares(checkEvents[name], e.Attrs[evidence.AttrProvider], e.Attrs[evidence.AttrEventID]) {
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
