package evtx

import (
	"bufio"
	"strings"

	"github.com/hvtriage/hvtriage/wintext"
)

// textFormats are the text forms of events WalkText reads, in the order
// their sniffers are tried on the decoded head of a file: the first that
// accepts it decides. The forms with a header of their own come first;
// Format-List, whose properties could also appear in another form's
// message, comes after Export-Csv, which it has always followed.
var textFormats = []textFormatDef{
	{"Export-Csv of Get-WinEvent", sniffExportCSV, walkCSV},
	{"Format-List of Get-WinEvent", sniffFormatList, walkList},
	{"Event Viewer \"Copy details as text\"", sniffDetails, walkDetails},
	{"Event Viewer \"Save Selected Events\" as CSV or tab-delimited text", sniffViewerTable, walkViewerTable},
	{"Get-WinEvent default table", sniffWinEventTable, walkWinEventTable},
	{"Get-EventLog default table", sniffEventLogTable, walkEventLogTable},
}

// textFormatDef is one text form: sniff looks at the head's complete lines
// (CR kept off), walk reads the whole decoded input.
type textFormatDef struct {
	name  string
	sniff func(lines []string) bool
	walk  func(br *bufio.Reader, em *textEmitter) error
}

// sniffTextFormat returns the first form whose sniffer accepts the decoded
// head, or nil.
func sniffTextFormat(s string) *textFormatDef {
	lines := wintext.HeadLines(s)
	for i := range textFormats {
		if textFormats[i].sniff(lines) {
			return &textFormats[i]
		}
	}
	return nil
}

// sniffExportCSV: Export-Csv starts with "#TYPE …" or its header row within
// the first three lines.
func sniffExportCSV(lines []string) bool {
	for i, l := range lines {
		if i >= 3 {
			break
		}
		if strings.HasPrefix(l, "#TYPE System.Diagnostics.Eventing.Reader.EventLogRecord") || isCSVHeader(l) {
			return true
		}
	}
	return false
}

// sniffFormatList: Format-List prints TimeCreated, ProviderName and Id as
// "Name : value" lines; property names are .NET names and are never
// translated.
//
// A view of selected properties may leave ProviderName out; the
// Get-WinEvent command pasted above it then names the provider or the log
// (see textEmitter.command), and TimeCreated, Id and Message suffice.
func sniffFormatList(lines []string) bool {
	var time, provider, id, message, named bool
	for _, l := range lines {
		if isWinEventCmd(l) && (providerArgRe.MatchString(l) || logArgRe.MatchString(l)) {
			named = true
		}
		key, _, ok := listProperty(l)
		if !ok {
			continue
		}
		switch key {
		case "TimeCreated":
			time = true
		case "ProviderName":
			provider = true
		case "Id":
			id = true
		case "Message":
			message = true
		}
		if time && id && (provider || message && named) {
			return true
		}
	}
	return false
}
