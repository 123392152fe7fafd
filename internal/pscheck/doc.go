// Package pscheck checks the PowerShell commands that hvtriage prints as
// resolution steps and collection commands.
//
// Every command is written for an elevated Windows PowerShell 5.1 console,
// the default shell of Windows Server (see the contract). A command that a
// newer grammar accepts can still fail there: PowerShell 7 accepts the
// pipeline chain operators && and ||, which 5.1 rejects with "The token '&&'
// is not a valid statement separator". Other commands parse in both but into
// something the engineer did not mean: an unfilled <placeholder> is the
// reserved '<' operator, cmd's %TEMP% is passed on literally, icacls's
// "path":(F) has PowerShell evaluate (F), and an unquoted {GUID} argument
// becomes a script block.
//
// Two checks, used together by CheckAll:
//
//   - Lint, pure Go: the 5.1 hazards above and quotes that do not balance.
//     It flags at least everything that the parse checks of the reviewers'
//     pslint.py flag, so a command that passes Lint passes that review too.
//   - Parse: the tree-sitter PowerShell grammar (a wasm build run by Node.js
//     from js/), which reports where a command does not parse at all:
//     unbalanced braces, an unterminated string, a hashtable left open.
//     That grammar follows PowerShell 7 and has a few false positives of
//     its own (valid 5.1 commands it rejects); Parse rewrites those forms
//     before parsing, see grammarWorkarounds.
//
// Parse needs node and js/node_modules (npm ci --prefix internal/pscheck/js);
// GrammarAvailable says whether they are there, so tests can skip without.
package pscheck
