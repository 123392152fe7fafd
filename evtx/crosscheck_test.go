package evtx

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// crossCheckFiles are corpus files rich in the events triage cares about:
// classic sources (EventLog, disk, volsnap, VSS) with qualifiers, string-array
// insertion strings and binary data, manifest events with named data, and
// CAPI2 events whose payload is embedded BinXML.
var crossCheckFiles = []string{
	"EventLog/System.evtx",
	"plaso/System.evtx",
	"evtx-parser/System.evtx",
	"evtx-parser/Application.evtx",
	"DeepBlueCLI/many-events-application.evtx",
	"evtx-parser/Microsoft-Windows-VolumeSnapshot-Driver%4Operational.evtx",
	"evtx-parser/Microsoft-Windows-Storage-Storport%4Operational.evtx",
	"evtx-parser/Microsoft-Windows-Ntfs%4Operational.evtx",
	"omerbenamram-evtx/security.evtx",
	"omerbenamram-evtx/Security_with_size_t.evtx",
	"omerbenamram-evtx/E_Windows_system32_winevt_logs_Microsoft-Windows-CAPI2%4Operational.evtx",
}

// libevtxKnownDiffs are records where libevtx 20181227's XML is wrong, so
// its rendering cannot serve as reference.
var libevtxKnownDiffs = map[string]string{
	"python-evtx/issue_43.evtx#508":                                           "string with unpaired UTF-16 surrogates: libevtx drops more characters than we replace",
	"omerbenamram-evtx/2-system-Microsoft-Windows-LiveId%4Operational.evtx#*": "values holding XML text: libevtx writes them unescaped, so its output loses them",
	"evtx-parser/Microsoft-Windows-LiveId%4Operational.evtx#*":                "values holding XML text: libevtx writes them unescaped, so its output loses them",
}

// TestCrossCheckEvtxexport decodes each file with Walk and compares every
// record with libevtx's rendering (evtxexport -f xml) read back through
// WalkXML: two independent decoders must agree field by field.
func TestCrossCheckEvtxexport(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-check with evtxexport skipped in -short mode")
	}
	if _, err := exec.LookPath("evtxexport"); err != nil {
		t.Skip("evtxexport (Debian libevtx-utils) not installed")
	}
	dir := filepath.Join(corpusDir(t), "evtx")
	names := crossCheckFiles
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			out, err := exec.Command("evtxexport", "-f", "xml", path).Output()
			if err != nil && len(out) == 0 {
				t.Skipf("evtxexport failed: %v", err)
			}
			ref := map[uint64]*Event{}
			_, err = WalkXML(context.Background(), bytes.NewReader(out), func(ev *Event) error {
				ref[ev.RecordID] = ev
				return nil
			})
			require.NoError(t, err)
			if len(ref) == 0 {
				t.Skip("libevtx renders no record of this file")
			}

			compared := 0
			var diffs []string
			_, err = walkFile(t, path, func(ev *Event) error {
				want, ok := ref[ev.RecordID]
				if !ok {
					return nil // libevtx could not render it
				}
				why, ok := libevtxKnownDiffs[fmt.Sprintf("%s#%d", name, ev.RecordID)]
				if !ok {
					why, ok = libevtxKnownDiffs[name+"#*"]
				}
				if ok {
					t.Logf("record %d not compared: %s", ev.RecordID, why)
					return nil
				}
				compared++
				if d := eventDiff(want, ev); d != "" && len(diffs) < 10 {
					diffs = append(diffs, fmt.Sprintf("record %d: %s", ev.RecordID, d))
				}
				return nil
			})
			require.NoError(t, err)
			t.Logf("compared %d records", compared)
			assert.Empty(t, diffs)
			assert.Positive(t, compared)
		})
	}
}

// eventDiff lists differing fields. Values are compared after normalising
// the few places where libevtx's rendering differs from Windows' (hex digits
// of HexInt values, 9-digit time fractions) are normalised by the decoders.
func eventDiff(want, got *Event) string { return fieldDiff(want, got, "libevtx", true) }

// fieldDiff lists the fields where want (from the reference reader ref)
// and got differ. libevtxInts undoes libevtx's rendering of negative Int32.
func fieldDiff(want, got *Event, ref string, libevtxInts bool) string {
	var d []string
	cmp := func(field string, a, b any) {
		if fmt.Sprint(a) != fmt.Sprint(b) {
			d = append(d, fmt.Sprintf("%s: %s %q, ours %q", field, ref, fmt.Sprint(a), fmt.Sprint(b)))
		}
	}
	cmp("Provider", want.Provider, got.Provider)
	cmp("ProviderGUID", strings.ToLower(want.ProviderGUID), strings.ToLower(got.ProviderGUID))
	cmp("EventSourceName", want.EventSourceName, got.EventSourceName)
	cmp("EventID", want.EventID, got.EventID)
	cmp("Qualifiers", [2]any{want.HasQualifiers, want.Qualifiers}, [2]any{got.HasQualifiers, got.Qualifiers})
	cmp("Version/Level/Opcode/Task", [4]any{want.Version, want.Level, want.Opcode, want.Task}, [4]any{got.Version, got.Level, got.Opcode, got.Task})
	cmp("Keywords", want.Keywords, got.Keywords)
	cmp("Time", want.Time, got.Time)
	cmp("Channel", want.Channel, got.Channel)
	cmp("Computer", want.Computer, got.Computer)
	cmp("UserSID", want.UserSID, got.UserSID)
	cmp("Data", normFields(want.Data, libevtxInts), normFields(got.Data, false))
	cmp("UserDataName", want.UserDataName, got.UserDataName)
	cmp("UserData", normFields(want.UserData, libevtxInts), normFields(got.UserData, false))
	cmp("Binary", want.Binary, got.Binary)
	return strings.Join(d, "; ")
}

// normFields renders fields for comparison: surrounding whitespace trimmed
// (libevtx drops a lone newline value) and numbers compared by value, since
// libevtx zero-pads HexInt values and prints size_t in decimal where Windows
// prints "0x3e7".
func normFields(fs []Field, libevtx bool) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		// XML end-of-line handling turns CR and CRLF into LF in the export.
		v := strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(f.Value, "\r\n", "\n"), "\r", "\n"))
		if n, ok := parseUint(v); ok {
			v = fmt.Sprint(n)
		} else if n, err := strconv.ParseInt(v, 10, 64); err == nil && n < 0 && n >= -(1<<31) {
			// libevtx 20181227 prints a negative Int32 x as -(2^31) - x
			// (-540 comes out as -2147483108): undo that before comparing.
			if libevtx {
				n = -(1 << 31) - n
			}
			v = fmt.Sprint(n)
		} else if x, err := strconv.ParseFloat(v, 64); err == nil {
			// libevtx prints floats as %e with 7 significant digits.
			if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
				v = strconv.FormatInt(int64(x), 10)
			} else {
				v = strconv.FormatFloat(x, 'e', 4, 64)
			}
		}
		out[i] = f.Name + "=" + v
	}
	return out
}
