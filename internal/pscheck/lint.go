package pscheck

import (
	"regexp"
	"strings"
	"unicode"
)

// Hazard is one reason a command would not run as meant in Windows
// PowerShell 5.1.
type Hazard struct {
	Code    string // short and stable: "quotes", "and-and", "bare-lt", …
	Message string // for a person: what is wrong and what to write instead
}

func (h Hazard) String() string { return h.Code + ": " + h.Message }

// The hazard codes.
const (
	CodeQuotes      = "quotes"       // quotes do not balance
	CodeAndAnd      = "and-and"      // && outside quotes
	CodeOrOr        = "or-or"        // || outside quotes
	CodeBareAmp     = "bare-amp"     // & between commands (cmd's "run the next one too")
	CodeRedirectAmp = "redirect-amp" // 2>&1: valid, but the reviewers' pslint reads it as a bare &
	CodeBareLt      = "bare-lt"      // < outside quotes
	CodeCmdVar      = "cmd-var"      // %VAR% outside cmd /c
	CodeParenArg    = "paren-arg"    // "…":(F)
	CodeBraceArg    = "brace-arg"    // unquoted {GUID} in an argument
)

// unquoted returns cmd with the text of every quoted string, the quotes
// included, and every backtick escape outside quotes replaced by spaces, byte
// for byte, so that offsets into it are offsets into cmd. ok is false when a
// quote is left open. Inside single quotes, two quotes stand for one; inside
// double quotes, a backtick escapes the next character. It reads cmd the way
// pslint.py does, so the two agree on what is quoted.
func unquoted(cmd string) (bare string, ok bool) {
	out := []byte(cmd)
	var q byte
	for i := 0; i < len(out); i++ {
		c := cmd[i]
		switch {
		case q == 0 && (c == '\'' || c == '"'):
			q = c
			out[i] = ' '
		case q == 0 && c == '`' && i+1 < len(cmd):
			out[i], out[i+1] = ' ', ' '
			i++
		case q == 0:
		case c == q && q == '\'' && i+1 < len(cmd) && cmd[i+1] == '\'':
			out[i], out[i+1] = ' ', ' '
			i++
		case c == q:
			q = 0
			out[i] = ' '
		case c == '`' && q == '"' && i+1 < len(cmd):
			out[i], out[i+1] = ' ', ' '
			i++
		default:
			out[i] = ' '
		}
	}
	return string(out), q == 0
}

var (
	// cmd /c at the start of the command: the rest is cmd's to read. Only
	// the start counts, as in pslint.py.
	cmdSlashC = regexp.MustCompile(`(?i)^\s*cmd(\.exe)?\s+/c\b`)
	cmdVar    = regexp.MustCompile(`%[A-Za-z_][A-Za-z0-9_]*%`)
	parenArg  = regexp.MustCompile(`["']:\(`)
	// A brace right after a character of an argument (=, :, a letter), or a
	// brace argument of bcdedit's well-known identifiers, holding a GUID.
	braceGUID = regexp.MustCompile(`\{[0-9A-Fa-f]{8}(-?[0-9A-Fa-f]{4}){3}-?[0-9A-Fa-f]{12}\}|=\{[0-9A-Fa-f-]{8,}\}`)
	// A cmd-style switch whose value starts with a brace: /shadow={…}.
	braceSwitch = regexp.MustCompile(`(^|\s)/[A-Za-z]+[=:]\{`)
	braceBCD    = regexp.MustCompile(`(?i)(^|\s)\{(current|default|bootmgr|fwbootmgr|memdiag|ntldr|dbgsettings|emssettings|badmemory|globalsettings|bootloadersettings|resumeloadersettings|hypervisorsettings)\}`)
)

// Lint returns the Windows PowerShell 5.1 hazards of one command, in a
// fixed order, or nil when it has none. When quotes do not balance, that is
// the only hazard reported: nothing else can be told about the command.
func Lint(cmd string) []Hazard {
	bare, ok := unquoted(cmd)
	if !ok {
		return []Hazard{{CodeQuotes, "quotes do not balance (in single quotes write '' for a quote; in double quotes `\")"}}
	}
	var hs []Hazard
	add := func(code, msg string) { hs = append(hs, Hazard{code, msg}) }
	// The statement that cmd /c runs, when the command starts with one:
	// up to the first ; or | outside quotes.
	cmdEnd := 0
	if cmdSlashC.MatchString(cmd) {
		cmdEnd = len(cmd)
		if i := strings.IndexAny(bare, ";|"); i >= 0 {
			cmdEnd = i
		}
	}

	if strings.Contains(bare, "&&") {
		add(CodeAndAnd, "'&&' is not a statement separator in Windows PowerShell 5.1 (PowerShell 7 only): use ';' or separate steps, or run it in cmd /c \"…\"")
	}
	if strings.Contains(bare, "||") {
		add(CodeOrOr, "'||' is not a statement separator in Windows PowerShell 5.1 (PowerShell 7 only): use separate steps or if (-not $?) { … }")
	}
	for i := 0; i < len(bare); i++ {
		if bare[i] != '&' {
			continue
		}
		if (i > 0 && bare[i-1] == '&') || (i+1 < len(bare) && bare[i+1] == '&') {
			continue // part of &&, reported above
		}
		before := strings.TrimRightFunc(bare[:i], unicode.IsSpace)
		if before == "" || strings.ContainsRune(";|({=", rune(before[len(before)-1])) {
			continue // the call operator at the start of a statement
		}
		if before[len(before)-1] == '>' {
			add(CodeRedirectAmp, "'>&' redirection (2>&1) parses in 5.1, but the reviewers' pslint.py reads the '&' as a bare '&' between commands: use *> or -ErrorAction instead")
		} else {
			add(CodeBareAmp, "a bare '&' between commands is not allowed in PowerShell (it is the call operator): use ';' or separate steps")
		}
		break
	}
	if strings.Contains(bare, "<") {
		add(CodeBareLt, "'<' outside quotes is reserved in PowerShell: an unfilled <placeholder>? Quote it or fill it in")
	}
	for _, m := range cmdVar.FindAllStringIndex(cmd, -1) {
		if m[0] >= cmdEnd {
			add(CodeCmdVar, "%VAR% is cmd syntax and PowerShell passes it on literally: write $env:VAR (\"$env:TEMP\\x\") or run it in cmd /c \"…\"")
			break
		}
	}
	if parenArg.MatchString(cmd) {
		add(CodeParenArg, "a quoted argument followed by :(…) (icacls \"path\":(F)): PowerShell evaluates (…) as an expression; quote the whole argument, \"NT VIRTUAL MACHINE\\<id>:(F)\"")
	}
	if braceGUID.MatchString(bare) || braceSwitch.MatchString(bare) || braceBCD.MatchString(bare) {
		add(CodeBraceArg, "an unquoted {…} in an argument is a script block to PowerShell: quote the whole argument, '/shadow={GUID}' or '{current}'")
	}
	return hs
}
