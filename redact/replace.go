package redact

import (
	"html"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// replacer finds every original of a map in a text, whole-token and
// without regard to case, and puts its pseudonym in its place.
type replacer struct {
	re   *regexp.Regexp // nil when the map is empty
	repl map[string]string
}

// guidRE finds GUIDs, which are kept whole even where a name would match
// a group of their hex digits (a VM named DC01, a GUID with -DC01-).
var guidRE = regexp.MustCompile(`[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}`)

func (m *Map) replacer() *replacer {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.rep != nil {
		return m.rep
	}
	r := &replacer{repl: map[string]string{}}
	var alts []string
	add := func(orig, pseudo string) {
		k := fold(orig)
		if _, ok := r.repl[k]; ok {
			return
		}
		r.repl[k] = pseudo
		alts = append(alts, orig)
	}
	for _, p := range m.pairs {
		add(p.Original, p.Pseudonym)
		// The same value as XML writes it (a VM named "R&D" is "R&amp;D" in
		// an event export or CliXML).
		if esc := html.EscapeString(p.Original); esc != p.Original {
			add(esc, p.Pseudonym)
		}
	}
	if len(alts) > 0 {
		// Longest first: at one position the alternation takes the first
		// that matches, so "fabrikam.local" wins over "fabrikam".
		slices.SortStableFunc(alts, func(a, b string) int { return len(b) - len(a) })
		q := make([]string, len(alts))
		for i, a := range alts {
			q[i] = regexp.QuoteMeta(a)
		}
		r.re = regexp.MustCompile(`(?i)(?:` + strings.Join(q, "|") + `)`)
	}
	m.rep = r
	return r
}

// Apply returns s with every original replaced by its pseudonym. A text
// the analysis cut short ("… failed to start SQL0…") may end in the first
// letters of a name: that stub is replaced too, so no part of a name leaks
// from a shared report.
func (m *Map) Apply(s string) string {
	r := m.replacer()
	return r.cutTail(r.apply(s, false))
}

// cutTail replaces the word just before a trailing ellipsis when it is the
// beginning of an original.
func (r *replacer) cutTail(s string) string {
	var body, mark string
	switch {
	case strings.HasSuffix(s, "…"):
		body, mark = strings.TrimSuffix(s, "…"), "…"
	case strings.HasSuffix(s, "..."):
		body, mark = strings.TrimSuffix(s, "..."), "..."
	default:
		return s
	}
	start := len(body)
	for start > 0 {
		c, size := utf8.DecodeLastRuneInString(body[:start])
		if !isWord(c) && c != '.' && c != '$' {
			break
		}
		start -= size
	}
	stub := fold(body[start:])
	if stub == "" {
		return s
	}
	best := ""
	for orig, pseudo := range r.repl {
		if len(orig) > len(stub) && strings.HasPrefix(orig, stub) && (best == "" || pseudo < best) {
			best = pseudo
		}
	}
	if best == "" {
		return s
	}
	return body[:start] + best + mark
}

// applyAligned is Apply for text that may hold tables (Format-Table
// output, listings): inside a table (the lines after a "----  ----" rule
// up to a blank line), the spaces after a replaced value grow or shrink by
// the difference in length, so the next column starts where it did.
func (m *Map) applyAligned(s string) string { return m.replacer().apply(s, true) }

var ruleLine = regexp.MustCompile(`(?m)^ *-{2,}(?: +-{2,})+ *\r?$`)

// tableSpans returns the byte ranges of s that are table rows.
func tableSpans(s string) [][]int {
	var spans [][]int
	for _, l := range ruleLine.FindAllStringIndex(s, -1) {
		end := strings.Index(s[l[1]:], "\n\n")
		if i := strings.Index(s[l[1]:], "\n\r\n"); i >= 0 && (end < 0 || i < end) {
			end = i
		}
		if end < 0 {
			end = len(s) - l[1]
		}
		spans = append(spans, []int{l[1], l[1] + end})
	}
	return spans
}

func (r *replacer) apply(s string, align bool) string {
	if r.re == nil || s == "" {
		return s
	}
	locs := r.re.FindAllStringIndex(s, -1)
	if len(locs) == 0 {
		return s
	}
	guids := guidRE.FindAllStringIndex(s, -1)
	var tables [][]int
	if align {
		tables = tableSpans(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	last := 0
	for _, l := range locs {
		i, j := l[0], l[1]
		if i < last || !boundary(s, i, j) || inside(guids, i, j) {
			continue
		}
		pseudo, ok := r.repl[fold(s[i:j])]
		if !ok {
			// Case folding made a different byte length; find it by EqualFold.
			for k, v := range r.repl {
				if strings.EqualFold(k, s[i:j]) {
					pseudo, ok = v, true
					break
				}
			}
			if !ok {
				continue
			}
		}
		b.WriteString(s[last:i])
		b.WriteString(pseudo)
		last = j
		if d := utf8.RuneCountInString(pseudo) - utf8.RuneCountInString(s[i:j]); d != 0 && inside(tables, i, j) {
			n := 0
			for j+n < len(s) && s[j+n] == ' ' {
				n++
			}
			if n >= 1 {
				b.WriteString(strings.Repeat(" ", max(1, n-d)))
				last = j + n
			}
		}
	}
	b.WriteString(s[last:])
	return b.String()
}

// boundary reports whether s[i:j] is a whole token: no letter or digit
// runs on before or after it.
func boundary(s string, i, j int) bool {
	if i > 0 {
		r, _ := utf8.DecodeLastRuneInString(s[:i])
		if isWord(r) {
			return false
		}
	}
	if j < len(s) {
		r, _ := utf8.DecodeRuneInString(s[j:])
		if isWord(r) {
			return false
		}
	}
	return true
}

func isWord(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

func inside(spans [][]int, i, j int) bool {
	for _, sp := range spans {
		if i < sp[1] && j > sp[0] {
			return true
		}
	}
	return false
}
