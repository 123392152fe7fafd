package pscheck

import (
	"context"
	"errors"
)

// CheckAll runs Lint and Parse on every command and returns, for each
// command that has a problem, one line per problem ("and-and: …",
// "parse: ERROR at bytes 0-12: …"). Commands without problems are not in
// the map, so an empty map means all is well. A command given twice is
// checked once.
//
// When the grammar is not installed the map holds the Lint hazards alone
// and the error is ErrGrammarUnavailable: a test may report those and skip
// the rest. Any other error means the grammar could not be run.
func CheckAll(ctx context.Context, cmds []string) (map[string][]string, error) {
	seen := map[string]bool{}
	var uniq []string
	for _, c := range cmds {
		if !seen[c] {
			seen[c] = true
			uniq = append(uniq, c)
		}
	}
	found := map[string][]string{}
	for _, c := range uniq {
		for _, h := range Lint(c) {
			found[c] = append(found[c], h.String())
		}
	}
	results, err := Parse(ctx, uniq)
	if errors.Is(err, ErrGrammarUnavailable) {
		return found, err
	}
	if err != nil {
		return nil, err
	}
	for _, r := range results {
		for _, p := range r.Problems {
			found[r.Command] = append(found[r.Command], "parse: "+p.String())
		}
	}
	return found, nil
}
