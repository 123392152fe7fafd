package cmdout

import (
	"regexp"
	"strconv"
	"strings"
)

// Handle is one open handle listed by Sysinternals Handle.exe
// (`handle64.exe -a <folder>`): which process holds which file.
type Handle struct {
	Line    int
	Process string // image name, e.g. "vmwp.exe"
	PID     int
	Type    string // "File", "Section", …; "" when not printed
	User    string // with -u
	ID      string // handle value, hex
	Path    string
}

// handleRe matches "vmwp.exe  pid: 4321  type: File  5A4: D:\VMs\a.vhdx",
// with the user column of -u between the type and the handle value.
var handleRe = regexp.MustCompile(`^(\S.*?)\s+pid:\s*(\d+)(?:\s+type:\s*(\S+))?(?:\s+(.*?))?\s+([0-9A-Fa-f]{1,16}):\s+(\S.*)$`)

// readHandle reads one line of Handle.exe output.
func readHandle(l string, line int) (Handle, bool) {
	if !strings.Contains(l, "pid:") {
		return Handle{}, false // every line of every output comes here: skip the regexp
	}
	m := handleRe.FindStringSubmatch(strings.TrimRight(l, " "))
	if m == nil {
		return Handle{}, false
	}
	pid, err := strconv.Atoi(m[2])
	if err != nil {
		return Handle{}, false
	}
	return Handle{Line: line, Process: strings.TrimSpace(m[1]), PID: pid, Type: m[3],
		User: strings.TrimSpace(m[4]), ID: strings.ToUpper(m[5]), Path: strings.TrimSpace(m[6])}, true
}

func isHandleLine(lines []string, i int, _ *Doc) bool {
	_, ok := readHandle(lines[i], i+1)
	return ok
}

func parseHandleLine(lines []string, i int, d *Doc) int {
	h, _ := readHandle(lines[i], i+1)
	d.Handles = append(d.Handles, h)
	return i + 1
}
