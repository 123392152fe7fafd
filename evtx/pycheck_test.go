package evtx

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hvtriage/hvtriage/internal/evtxwrite"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pyInterpreter is Debian's interpreter, the one python3-evtx installs its
// module for (the python3 first on PATH may be another one without it).
const pyInterpreter = "/usr/bin/python3"

// pyDump prints every record python-evtx can render as XML, rewritten where
// python-evtx's rendering is its own rather than Windows': times get the
// ISO form, string arrays (which it writes escaped, as text) are split into
// one element per string, and Binary elements go from base64 to hex.
//
// python-evtx 0.6.1's string-array splitter moves or repeats strings next to
// empty ones, so it is replaced by a plain split at UTF-16 NULs: the raw
// bytes still come from python-evtx's own record and template walk.
// Records it fails on are counted on stderr.
const pyDump = `
import base64, re, sys
import Evtx.Evtx as E
import Evtx.Nodes as N

def split_strings(self):
    b = self.binary()
    parts, cur = [], bytearray()
    for i in range(0, len(b) - 1, 2):
        if b[i:i+2] == b"\x00\x00":
            parts.append(bytes(cur))
            cur = bytearray()
        else:
            cur += b[i:i+2]
    if cur:
        parts.append(bytes(cur))
    return "".join("<string>%s</string>\n" % p.decode("utf-16le", "replace") for p in parts)
N.WstringArrayTypeNode.string = split_strings

t = re.compile(r'SystemTime="(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d(?:\.\d+)?)"')
arr = re.compile(r'<(\w+)([^>]*)>((?:&lt;string&gt;.*?&lt;/string&gt;\n?)+)</\1>', re.S)
s = re.compile(r'&lt;string&gt;(.*?)&lt;/string&gt;\n?', re.S)
b = re.compile(r'<Binary>([A-Za-z0-9+/=\s]*)</Binary>')
failed = 0
out = sys.stdout
with E.Evtx(sys.argv[1]) as log:
    for r in log.records():
        try:
            x = r.xml()
        except Exception:
            failed += 1
            continue
        x = t.sub(lambda m: 'SystemTime="%sT%sZ"' % (m.group(1), m.group(2)), x)
        x = arr.sub(lambda m: ''.join('<%s%s>%s</%s>' % (m.group(1), m.group(2), v, m.group(1)) for v in s.findall(m.group(3))), x)
        x = b.sub(lambda m: '<Binary>%s</Binary>' % base64.b64decode(m.group(1)).hex(), x)
        out.write(x)
        out.write("\n")
print("failed", failed, file=sys.stderr)
`

// pyCrossCheckFiles are the smaller of the cross-check files: python-evtx
// is pure Python and takes seconds per megabyte.
var pyCrossCheckFiles = []string{
	"evtx-parser/System.evtx",
	"evtx-parser/Application.evtx",
	"evtx-parser/Microsoft-Windows-VolumeSnapshot-Driver%4Operational.evtx",
	"evtx-parser/Microsoft-Windows-Storage-Storport%4Operational.evtx",
	"omerbenamram-evtx/Security_with_size_t.evtx",
	"evtx-parser/Microsoft-Windows-Ntfs%4Operational.evtx",
	// Not the CAPI2 log: python-evtx 0.7 raises on every record of it.
}

// TestCrossCheckPythonEvtx compares Walk with python-evtx, a second decoder
// written independently of both libevtx and ours, record by record.
func TestCrossCheckPythonEvtx(t *testing.T) {
	if testing.Short() {
		t.Skip("python-evtx is slow; skipped in -short mode")
	}
	if _, err := os.Stat(pyInterpreter); err != nil {
		t.Skip("no " + pyInterpreter)
	}
	if err := exec.Command(pyInterpreter, "-c", "import Evtx.Evtx").Run(); err != nil {
		t.Skip("python-evtx not installed (Debian python3-evtx)")
	}
	// Hyper-V events exist in no public log: check the round-trip log too.
	written := filepath.Join(t.TempDir(), "hyperv-roundtrip.evtx")
	require.NoError(t, os.WriteFile(written, marshalCases(t, bulkCases(400), evtxwrite.Options{}), 0o644))
	paths := []string{written}
	if dir, ok := corpusPath(); ok {
		for _, name := range pyCrossCheckFiles {
			paths = append(paths, filepath.Join(dir, "evtx", name))
		}
	}
	total := 0
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			cmd := exec.Command(pyInterpreter, "-c", pyDump, path)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			require.NoError(t, err, stderr.String())
			ref := map[uint64]*Event{}
			_, err = WalkXML(context.Background(), bytes.NewReader(out), func(ev *Event) error {
				ref[ev.RecordID] = ev
				return nil
			})
			require.NoError(t, err)
			require.NotEmpty(t, ref, "python-evtx rendered nothing: %s", stderr.String())

			compared, missing := 0, 0
			var diffs []string
			_, err = walkFile(t, path, func(ev *Event) error {
				want, ok := ref[ev.RecordID]
				if !ok {
					missing++
					return nil
				}
				compared++
				if d := pyEventDiff(want, ev); d != "" && len(diffs) < 10 {
					diffs = append(diffs, fmt.Sprintf("record %d: %s", ev.RecordID, d))
				}
				return nil
			})
			require.NoError(t, err)
			t.Logf("compared %d records with python-evtx (%d it did not render; %s)", compared, missing, strings.TrimSpace(stderr.String()))
			assert.Empty(t, diffs)
			assert.Equal(t, len(ref), compared, "python-evtx rendered records Walk did not deliver")
			total += compared
		})
	}
	t.Logf("python-evtx total: %d records compared", total)
}

// pyEventDiff compares like eventDiff after undoing python-evtx's own
// renderings of non-string values: times to the microsecond (and a few off,
// see closeTimes), GUIDs in lower case, binary data in base64.
func pyEventDiff(py, ours *Event) string {
	p, o := *py, *ours
	if closeTimes(p.Time, o.Time) {
		p.Time = o.Time
	}
	// A <Data> whose value is null: Windows (and libevtx) leave the element
	// out, python-evtx prints it empty.
	if len(o.Data) == 0 && len(p.Data) == 1 && p.Data[0] == (Field{}) {
		p.Data = nil
	}
	p.Data = pyFields(p.Data, o.Data)
	p.UserData = pyFields(p.UserData, o.UserData)
	return fieldDiff(&p, &o, "python-evtx", false)
}

// pyFields rewrites python-evtx values that encode the same thing as ours in
// another notation: base64 for our hex, lower-case for our GUIDs.
func pyFields(py, ours []Field) []Field {
	out := make([]Field, len(py))
	copy(out, py)
	for i := range out {
		if i >= len(ours) {
			break
		}
		v, w := out[i].Value, ours[i].Value
		if b, err := base64.StdEncoding.DecodeString(v); err == nil && len(b) > 0 && strings.EqualFold(hex.EncodeToString(b), w) {
			out[i].Value = w
		} else if strings.EqualFold(v, w) {
			out[i].Value = w
		} else if pt, err := time.Parse("2006-01-02 15:04:05.999999", v); err == nil {
			if ot, err := time.Parse(time.RFC3339Nano, w); err == nil && closeTimes(pt, ot) {
				out[i].Value = w
			}
		}
	}
	return out
}

// closeTimes allows for python-evtx's conversion of FILETIME through a
// float, which is off by a few microseconds.
func closeTimes(a, b time.Time) bool {
	return a.Sub(b).Abs() <= 4*time.Microsecond
}
