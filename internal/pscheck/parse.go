package pscheck

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
)

// ErrGrammarUnavailable is returned by Parse (and CheckAll) when node or
// js/node_modules is missing.
var ErrGrammarUnavailable = errors.New("pscheck: the PowerShell grammar is not installed (node and npm ci --prefix internal/pscheck/js)")

// ParseResult is what the grammar made of one command.
type ParseResult struct {
	Command  string         // as given to Parse
	Parsed   string         // what the grammar read: Command after grammarWorkarounds
	Problems []ParseProblem // empty when the command parses
}

// OK reports whether the command parsed without ERROR or MISSING nodes.
func (r ParseResult) OK() bool { return len(r.Problems) == 0 }

// ParseProblem is one ERROR or MISSING node of a parse tree.
type ParseProblem struct {
	Kind       string // "ERROR" (text the grammar could not place) or "MISSING" (a token it had to invent)
	Type       string // the node's type; for MISSING, the token that is missing
	Start, End int    // byte offsets into Command (a MISSING node is empty)
	Text       string // Parsed's text of the node, at most 60 characters
}

func (p ParseProblem) String() string {
	if p.Kind == "MISSING" {
		return fmt.Sprintf("MISSING %q at byte %d", p.Type, p.Start)
	}
	return fmt.Sprintf("ERROR at bytes %d-%d: %s", p.Start, p.End, p.Text)
}

// jsDir is the folder of the node program, next to this file in the source
// tree: the grammar is a test-time tool, used where the source is.
func jsDir() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return ""
	}
	return filepath.Join(filepath.Dir(file), "js")
}

// GrammarAvailable reports whether Parse can run: node is on the PATH and
// the grammar's packages are installed under js/node_modules.
func GrammarAvailable() bool {
	if _, err := exec.LookPath("node"); err != nil {
		return false
	}
	dir := jsDir()
	for _, f := range []string{
		"node_modules/web-tree-sitter/package.json",
		"node_modules/tree-sitter-powershell/tree-sitter-powershell.wasm",
	} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			return false
		}
	}
	return true
}

// Parse parses every command with the tree-sitter PowerShell grammar, in
// one run of node for the whole batch, and returns one result per command
// in the same order. Each command is parsed as a script of its own.
func Parse(ctx context.Context, cmds []string) ([]ParseResult, error) {
	if !GrammarAvailable() {
		return nil, ErrGrammarUnavailable
	}
	results := make([]ParseResult, len(cmds))
	parsed := make([]string, len(cmds))
	maps := make([][]int, len(cmds))
	for i, c := range cmds {
		parsed[i], maps[i] = grammarWorkarounds(c)
		results[i] = ParseResult{Command: c, Parsed: parsed[i]}
	}
	raw, err := parseRaw(ctx, parsed)
	if err != nil {
		return nil, err
	}
	for i := range raw {
		for _, p := range raw[i] {
			p.Start, p.End = maps[i][p.Start], maps[i][p.End]
			results[i].Problems = append(results[i].Problems, p)
		}
	}
	return results, nil
}

// parseRaw runs js/parse.js on the commands as they are. Offsets in the
// problems are byte offsets into the commands.
func parseRaw(ctx context.Context, cmds []string) ([][]ParseProblem, error) {
	if cmds == nil {
		cmds = []string{}
	}
	in, err := json.Marshal(cmds)
	if err != nil {
		return nil, err
	}
	dir := jsDir()
	c := exec.CommandContext(ctx, "node", filepath.Join(dir, "parse.js"))
	c.Dir = dir
	c.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	c.Stderr = &stderr
	out, err := c.Output()
	if err != nil {
		return nil, fmt.Errorf("pscheck: node parse.js: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	var res []struct {
		OK       bool `json:"ok"`
		Problems []struct {
			Kind  string `json:"kind"`
			Type  string `json:"type"`
			Start int    `json:"start"`
			End   int    `json:"end"`
			Text  string `json:"text"`
		} `json:"problems"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		return nil, fmt.Errorf("pscheck: node parse.js printed no result: %w", err)
	}
	if len(res) != len(cmds) {
		return nil, fmt.Errorf("pscheck: node parse.js returned %d results for %d commands", len(res), len(cmds))
	}
	all := make([][]ParseProblem, len(res))
	for i, r := range res {
		for _, p := range r.Problems {
			if p.Start < 0 || p.End < p.Start || p.End > len(cmds[i]) {
				return nil, fmt.Errorf("pscheck: node parse.js: offsets %d-%d outside command %d", p.Start, p.End, i)
			}
			all[i] = append(all[i], ParseProblem{Kind: p.Kind, Type: p.Type, Start: p.Start, End: p.End, Text: p.Text})
		}
		if r.OK != (len(r.Problems) == 0) {
			return nil, fmt.Errorf("pscheck: node parse.js: command %d: ok=%v with %d problems", i, r.OK, len(r.Problems))
		}
	}
	return all, nil
}

var (
	// 4GB, 1.5TB: a number with a multiplier suffix.
	multiplier = regexp.MustCompile(`(?i)(?:^|[\s(,=+*/])[0-9]+(\.[0-9]+)?(kb|mb|gb|tb|pb)(?:$|[\s),;|}+*/])`)
	// A bareword argument that starts with a variable and goes on with a
	// path: $env:ProgramData\Microsoft.
	varPath = regexp.MustCompile(`\$(env:)?[A-Za-z_][A-Za-z0-9_]*\\[^\s,;|(){}]*`)
	// A bareword: letters, digits and the characters of paths and wildcards.
	bareword = regexp.MustCompile(`[\pL\pN_.*?:\\-]+`)
	number   = regexp.MustCompile(`^([0-9]+(\.[0-9]+)?|0[xX][0-9A-Fa-f]+)$`)
)

// grammarWorkarounds rewrites the forms of valid Windows PowerShell 5.1 that
// the tree-sitter grammar (tree-sitter-powershell 0.26.4) rejects, so that
// its ERROR nodes mean a real parse error. Each rewrite keeps the structure
// of the command (braces, parentheses, quotes, operators) as it was, and
// applies outside quotes only:
//
//   - bareword lists, Format-List Name, Path or -Include *.avhdx,*.vhdx or
//     -Path C:\,D:\: each bareword next to a comma is single-quoted;
//   - numbers with a multiplier suffix, $x / 1GB: the suffix is blanked;
//   - a variable followed by a path in argument mode,
//     $env:ProgramData\Microsoft: the bareword is double-quoted.
//
// It returns the rewritten command and, for each byte offset into it (and
// its length), the offset into cmd it came from.
//
// Known false positives left as they are, so Parse reports them:
//
//   - switch clauses on one line without a separator,
//     switch ($x) { 'a' { 1 } default { 2 } }: write ';' between clauses;
//   - a cmd-style switch whose value is in braces, /shadow={…}: 5.1 parses
//     it, into a script block, which is wrong all the same (Lint's
//     brace-arg); quote the whole argument.
//
// And the other way round, PowerShell 7 syntax the grammar accepts and 5.1
// rejects or misreads: && and ||, unquoted <placeholder>, "…":(F). Lint
// reports those.
func grammarWorkarounds(cmd string) (string, []int) {
	bare, ok := unquoted(cmd)
	if !ok {
		return cmd, identity(len(cmd))
	}
	// Blank the suffixes first: they change no length.
	b := []byte(cmd)
	for _, m := range multiplier.FindAllStringSubmatchIndex(bare, -1) {
		for i := m[4]; i < m[5]; i++ {
			b[i] = ' '
		}
	}
	cmd = string(b)
	bare, _ = unquoted(cmd)

	type insert struct {
		at int
		s  string
	}
	var ins []insert
	wrap := func(start, end int, q string) { ins = append(ins, insert{start, q}, insert{end, q}) }
	covered := make([]bool, len(cmd))
	for _, m := range varPath.FindAllStringIndex(bare, -1) {
		if m[0] > 0 && !strings.ContainsRune(" \t,=", rune(bare[m[0]-1])) {
			continue
		}
		wrap(m[0], m[1], `"`)
		for i := m[0]; i < m[1]; i++ {
			covered[i] = true
		}
	}
	for _, m := range bareword.FindAllStringIndex(bare, -1) {
		tok := bare[m[0]:m[1]]
		if covered[m[0]] || tok[0] == '-' || number.MatchString(tok) {
			continue
		}
		if m[0] > 0 && !strings.ContainsRune(" \t,", rune(bare[m[0]-1])) {
			continue // part of something else: $_.Name, [int], @x, (x)
		}
		if m[1] < len(bare) && !strings.ContainsRune(" \t,;|)}", rune(bare[m[1]])) {
			continue // runs on into a quote, a brace, a variable
		}
		before := strings.TrimRight(bare[:m[0]], " \t")
		after := strings.TrimLeft(bare[m[1]:], " \t")
		if !strings.HasSuffix(before, ",") && !strings.HasPrefix(after, ",") {
			continue
		}
		wrap(m[0], m[1], "'")
	}
	if len(ins) == 0 {
		return cmd, identity(len(cmd))
	}
	slices.SortStableFunc(ins, func(a, b insert) int { return a.at - b.at })
	var out strings.Builder
	var offs []int
	last := 0
	for _, in := range ins {
		for i := last; i < in.at; i++ {
			out.WriteByte(cmd[i])
			offs = append(offs, i)
		}
		last = in.at
		for range len(in.s) {
			offs = append(offs, in.at)
		}
		out.WriteString(in.s)
	}
	for i := last; i < len(cmd); i++ {
		out.WriteByte(cmd[i])
		offs = append(offs, i)
	}
	offs = append(offs, len(cmd))
	return out.String(), offs
}

func identity(n int) []int {
	offs := make([]int, n+1)
	for i := range offs {
		offs[i] = i
	}
	return offs
}
