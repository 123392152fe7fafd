package cmdout

import (
	"regexp"
	"regexp/syntax"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Go's regular expressions are slow on long case-insensitive alternations
// (hyperVContextRe, lookAlikeRe), and free text runs them on every line
// no other reader took. A gate, derived from the expression itself, is a
// set of literals one of which every match holds: when a text holds none
// of them the expression cannot match, and it is not run. The derivation
// follows the syntax tree, so a gate stays right when its expression is
// edited (litgate_test.go checks gated and plain matching agree).

// gateLit is one literal of a gate; fold literals are lower-case ASCII
// letters and other bytes compared as they are.
type gateLit struct {
	s    string
	fold bool
}

// gate is the literals a match must hold one of; nil lets every text by.
type gate struct {
	lits    []gateLit
	fold    bool          // some literal is compared ignoring case
	byFirst [256][]uint16 // the literals each first byte may start
}

// minGateLit is the shortest literal worth a gate: shorter ones are in
// nearly every text.
const minGateLit = 2

var gates sync.Map // *regexp.Regexp → *gate

// mayMatch reports whether re can match s: false only when s holds none of
// the literals every match of re holds.
func mayMatch(re *regexp.Regexp, s string) bool {
	g, ok := gates.Load(re)
	if !ok {
		g, _ = gates.LoadOrStore(re, newGate(re.String()))
	}
	return g.(*gate).may(s)
}

// matchGated is re.MatchString(s), skipped when the gate says it cannot
// match.
func matchGated(re *regexp.Regexp, s string) bool {
	return mayMatch(re, s) && re.MatchString(s)
}

// newGate derives the gate of expr (Perl syntax, as regexp.Compile takes
// it); nil when there is no useful one.
func newGate(expr string) *gate {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil
	}
	lits, ok := required(re)
	if !ok || len(lits) == 0 || len(lits) > 1<<15 {
		return nil
	}
	g := &gate{lits: lits}
	for i, l := range lits {
		if len(l.s) < minGateLit {
			return nil
		}
		c := l.s[0]
		g.byFirst[c] = append(g.byFirst[c], uint16(i))
		if l.fold {
			g.fold = true
			if u := upperASCII(c); u != c {
				g.byFirst[u] = append(g.byFirst[u], uint16(i))
			}
		}
	}
	return g
}

// required returns literals one of which every match of re holds; ok is
// false when nothing can be said.
func required(re *syntax.Regexp) (lits []gateLit, ok bool) {
	switch re.Op {
	case syntax.OpLiteral:
		fold := re.Flags&syntax.FoldCase != 0
		var b strings.Builder
		for _, r := range re.Rune {
			if r == utf8.RuneError {
				return nil, false // it matches any invalid byte too
			}
			if fold && unicode.SimpleFold(r) != r {
				if r >= utf8.RuneSelf || !isASCIILetter(byte(r)) {
					return nil, false
				}
				r = unicode.ToLower(r)
			}
			b.WriteRune(r)
		}
		return []gateLit{{s: b.String(), fold: fold}}, true
	case syntax.OpCapture, syntax.OpPlus:
		return required(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min < 1 {
			return nil, false
		}
		return required(re.Sub[0])
	case syntax.OpConcat:
		// Every match holds a match of each part: the part with the
		// longest shortest literal gates best.
		best, bestLen := []gateLit(nil), 0
		for _, sub := range re.Sub {
			l, ok := required(sub)
			if !ok {
				continue
			}
			if n := shortest(l); n > bestLen {
				best, bestLen = l, n
			}
		}
		return best, best != nil
	case syntax.OpAlternate:
		var all []gateLit
		for _, sub := range re.Sub {
			l, ok := required(sub)
			if !ok {
				return nil, false
			}
			all = append(all, l...)
		}
		return all, true
	}
	return nil, false
}

func shortest(lits []gateLit) int {
	n := -1
	for _, l := range lits {
		if n < 0 || len(l.s) < n {
			n = len(l.s)
		}
	}
	return n
}

func upperASCII(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

// foldOutsiders are the non-ASCII letters that case folding makes equal
// to ASCII ones (the Kelvin sign and k, the long s and s): a text that
// holds one is always let through a gate with fold literals.
var foldOutsiders = func() []string {
	var out []string
	for c := rune('A'); c <= 'z'; c++ {
		for f := unicode.SimpleFold(c); f != c; f = unicode.SimpleFold(f) {
			if f >= utf8.RuneSelf {
				out = append(out, string(f))
			}
		}
	}
	return out
}()

func (g *gate) may(s string) bool {
	if g == nil {
		return true
	}
	if g.fold && !isASCII(s) {
		for _, o := range foldOutsiders {
			if strings.Contains(s, o) {
				return true
			}
		}
	}
	for i := 0; i < len(s); i++ {
		for _, k := range g.byFirst[s[i]] {
			l := g.lits[k]
			if len(s)-i < len(l.s) {
				continue
			}
			if l.fold && hasPrefixFoldASCII(s[i:], l.s) || !l.fold && s[i:i+len(l.s)] == l.s {
				return true
			}
		}
	}
	return false
}

// hasPrefixFoldASCII reports whether s starts with lit (lower-case ASCII
// letters match either case; other bytes match themselves).
func hasPrefixFoldASCII(s, lit string) bool {
	for j := 0; j < len(lit); j++ {
		c := s[j]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lit[j] {
			return false
		}
	}
	return true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// collapseSpace replaces each run of white space (`\s+`: tab, line feed,
// form feed, carriage return, space) by one space, as
// regexp.MustCompile(`\s+`).ReplaceAllString(s, " ") does, without a
// regular expression.
func collapseSpace(s string) string {
	i := 0
	for i < len(s) && (!isREspace(s[i]) || s[i] == ' ' && (i+1 == len(s) || !isREspace(s[i+1]))) {
		i++
	}
	if i == len(s) {
		return s // nothing to replace: no copy
	}
	b := make([]byte, 0, len(s))
	b = append(b, s[:i]...)
	for i < len(s) {
		if !isREspace(s[i]) {
			b = append(b, s[i])
			i++
			continue
		}
		b = append(b, ' ')
		for i < len(s) && isREspace(s[i]) {
			i++
		}
	}
	return string(b)
}
