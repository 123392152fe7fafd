package toolxml

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"unicode/utf16"
)

// PythonStrings predicts what python-evtx 0.6.1 shows of a string array
// (the classic insertion strings), given the values written. Its splitter
// searches for the first run of UTF-16 units whose low byte is not zero,
// then drops that many bytes plus two from the start of the buffer, and
// turns each following pair of zero bytes into an empty string: leading
// empty strings are therefore shifted to after the first non-empty one.
// Tests compare python-evtx's output with this prediction so they can still
// check every value it prints.
func PythonStrings(values []string) []string {
	var b []byte
	for _, v := range values {
		for _, u := range utf16.Encode([]rune(v)) {
			b = append(b, byte(u), byte(u>>8))
		}
		b = append(b, 0, 0)
	}
	var out []string
	for len(b) > 0 {
		start, n := -1, 0
		for i := 0; i+1 < len(b); i++ {
			// Python's bytes regex: a non-zero byte then any byte but '\n'.
			for i+n+1 < len(b) && b[i+n] != 0 && b[i+n+1] != '\n' {
				n += 2
			}
			if n > 0 {
				start = i
				break
			}
		}
		if start >= 0 {
			u := make([]uint16, n/2)
			for j := range u {
				u[j] = uint16(b[start+2*j]) | uint16(b[start+2*j+1])<<8
			}
			out = append(out, string(utf16.Decode(u)))
			b = b[min(len(b), n+2):]
			if len(b) == 0 {
				break
			}
		}
		z := 0
		for z < len(b) && b[z] == 0 {
			z++
		}
		for range z / 2 {
			out = append(out, "")
		}
		b = b[z:]
		if z == 0 && start < 0 {
			break // python-evtx would raise here
		}
	}
	return out
}

// PythonEvtx finds python-evtx's evtx_dump.py and the interpreter it was
// installed for (the one in its #! line: Debian's /usr/bin/python3, which
// may differ from the python3 first on PATH), and checks that interpreter
// can import the module. An error means python-evtx is not usable here.
func PythonEvtx() (interp, dump string, err error) {
	dump, err = exec.LookPath("evtx_dump.py")
	if err != nil {
		return "", "", fmt.Errorf("python-evtx (evtx_dump.py) not installed: apt-get install python3-evtx")
	}
	f, err := os.Open(dump)
	if err != nil {
		return "", "", err
	}
	defer f.Close()
	line, _ := bufio.NewReader(f).ReadString('\n')
	interp = strings.TrimSpace(strings.TrimPrefix(line, "#!"))
	if !strings.HasPrefix(line, "#!") || interp == "" {
		interp = "/usr/bin/python3"
	}
	if err := exec.Command(interp, "-c", "import Evtx.Evtx").Run(); err != nil {
		return "", "", fmt.Errorf("%s cannot import Evtx: %w", interp, err)
	}
	return interp, dump, nil
}
