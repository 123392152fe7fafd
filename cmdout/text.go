package cmdout

import (
	"regexp"
	"strings"

	"github.com/hvtriage/hvtriage/wintext"
)

// Lines splits text into lines without their terminators (wintext.Lines).
func Lines(text string) []string { return wintext.Lines(text) }

// indentOf counts leading blanks; a tab counts as one column.
func indentOf(l string) int {
	for i := 0; i < len(l); i++ {
		if l[i] != ' ' && l[i] != '\t' {
			return i
		}
	}
	return len(l)
}

func blank(l string) bool { return strings.TrimSpace(l) == "" }

// labelValue splits "label: value" at the first colon. French output puts a
// space before the colon ("Nom de l'enregistreur : 'x'"), so both sides are
// trimmed. The label must be non-empty and reasonably short.
func labelValue(l string) (label, value string, ok bool) {
	i := strings.IndexByte(l, ':')
	if i <= 0 {
		return "", "", false
	}
	label = strings.TrimSpace(l[:i])
	if label == "" || len(label) > 80 {
		return "", "", false
	}
	return label, strings.TrimSpace(l[i+1:]), true
}

var (
	guidRe      = regexp.MustCompile(`\{?([0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})\}?`)
	guidOnlyRe  = regexp.MustCompile(`^\{?[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}?$`)
	hresultRe   = regexp.MustCompile(`\b0[xX]([0-9A-Fa-f]{8})\b`)
	underlineRe = regexp.MustCompile(`^[ ]*[-=]+(?:[ ]+[-=]+)*[ ]*$`)
)

// NormGUID is wintext.NormGUID.
func NormGUID(s string) string { return wintext.NormGUID(s) }

func isGUID(s string) bool { return wintext.IsGUID(s) }

// unquote strips one pair of matching quotes (' " or « ») around s.
func unquote(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if len(s) >= 2 {
		if (s[0] == '\'' && s[len(s)-1] == '\'') || (s[0] == '"' && s[len(s)-1] == '"') {
			return s[1 : len(s)-1], true
		}
	}
	if strings.HasPrefix(s, "«") && strings.HasSuffix(s, "»") && len(s) >= len("«»") {
		return strings.TrimSpace(s[len("«") : len(s)-len("»")]), true
	}
	return s, false
}
