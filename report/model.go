package report

import (
	"path"
	"reflect"
	"slices"
	"strings"

	"github.com/hvtriage/hvtriage/analyze"
)

// The chain and timeline models are decided by analyze (analyze/model.go);
// report renders them. The names stay here so the writers read naturally.
type (
	Chains         = analyze.Chains
	ChainNode      = analyze.ChainNode
	ChainLink      = analyze.ChainLink
	ChainIssue     = analyze.ChainIssue
	Timeline       = analyze.Timeline
	ActivityBucket = analyze.ActivityBucket
	VMTimeline     = analyze.VMTimeline
	EvidenceRef    = analyze.EvidenceRef
)

// levelNames are the event levels the chart stacks (1 to 4), as the
// timeline names them.
var levelNames = [...]string{"", "critical", "error", "warning", "information"}

func levelRank(name string) int {
	for i, n := range levelNames {
		if i > 0 && n == name {
			return i
		}
	}
	return len(levelNames)
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// baseOf is the file name of a bundle or Windows path, for labels.
func baseOf(p string) string {
	return path.Base(strings.ReplaceAll(p, `\`, "/"))
}

// cleanStrings applies clean to every string reachable from v (a pointer
// to a model): names, paths and messages in the models come from the
// bundle, and every format is safer without their control characters.
func cleanStrings(v any) {
	cleanValue(reflect.ValueOf(v))
}

func cleanValue(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			cleanValue(v.Elem())
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				cleanValue(v.Field(i))
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			cleanValue(v.Index(i))
		}
	case reflect.String:
		if v.CanSet() {
			v.SetString(clean(v.String()))
		}
	}
}
