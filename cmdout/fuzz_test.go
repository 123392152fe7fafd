package cmdout

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// checkLines walks v and fails when an int field whose name ends in "Line"
// lies outside 0..max (0 means "not set").
func checkLines(t *testing.T, v reflect.Value, max int, path string) {
	t.Helper()
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			checkLines(t, v.Elem(), max, path)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			f := v.Type().Field(i)
			if !f.IsExported() {
				continue
			}
			fv := v.Field(i)
			if strings.HasSuffix(f.Name, "Line") && fv.Kind() == reflect.Int {
				if n := int(fv.Int()); n < 0 || n > max {
					t.Fatalf("%s.%s = %d outside 0..%d", path, f.Name, n, max)
				}
				continue
			}
			if f.Name == "Lines" && fv.Kind() == reflect.Slice && fv.Type().Elem().Kind() == reflect.Int {
				for j := 0; j < fv.Len(); j++ {
					if n := int(fv.Index(j).Int()); n < 1 || n > max {
						t.Fatalf("%s.Lines[%d] = %d outside 1..%d", path, j, n, max)
					}
				}
				continue
			}
			checkLines(t, fv, max, path+"."+f.Name)
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			checkLines(t, v.Index(i), max, path)
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			checkLines(t, it.Value(), max, path)
		}
	}
}

func seedTestdata(f *testing.F) {
	names, _ := filepath.Glob(filepath.Join("testdata", "*.txt"))
	more, _ := filepath.Glob(filepath.Join("testdata", "*.xml"))
	for _, n := range append(names, more...) {
		if b, err := os.ReadFile(n); err == nil {
			text, _, _ := Decode(b)
			f.Add(text)
		}
	}
}

func FuzzParse(f *testing.F) {
	seedTestdata(f)
	f.Add("Writer name: 'x'\n   Writer Id: {")
	f.Fuzz(func(t *testing.T, text string) {
		d, problems := Parse(text)
		max := len(Lines(text))
		for _, p := range problems {
			if p.Line < 0 || p.Line > max {
				t.Fatalf("problem line %d outside 0..%d: %v", p.Line, max, p)
			}
		}
		checkLines(t, reflect.ValueOf(d), max, "Doc")
		_ = Sniff(text)
	})
}

func FuzzSniffBytes(f *testing.F) {
	names, _ := filepath.Glob(filepath.Join("testdata", "*"))
	for _, n := range names {
		if b, err := os.ReadFile(n); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		k := SniffBytes(b)
		found := false
		for _, known := range AllKinds() {
			found = found || k == known
		}
		if !found {
			t.Fatalf("Sniff returned unlisted kind %q", k)
		}
	})
}

func FuzzParseTimestamp(f *testing.F) {
	for _, s := range []string{"3/14/2024 2:05:11 AM", "14.03.2024 02:05:11", "2024/03/14 2:05:11",
		"2024-03-14T02:05:11.1234567+01:00", "03/04/2024 02:05:11", "99/99/9999 99:99:99 PM"} {
		f.Add(s, 0)
	}
	f.Fuzz(func(t *testing.T, s string, order int) {
		ts, msg := ParseTimestamp(s, DateOrder(order%3))
		if ts.Raw != s {
			t.Fatalf("raw text not kept")
		}
		if ts.Ambiguous && !ts.Time.IsZero() {
			t.Fatalf("ambiguous time %q was given a value", s)
		}
		if !ts.Time.IsZero() && msg != "" {
			t.Fatalf("time %q parsed and reported %q", s, msg)
		}
	})
}

func FuzzVMSID(f *testing.F) {
	f.Add("D9E0EB0A-5B37-508E-9173-67E9ADE83ACF")
	f.Add("{00000000-0000-0000-0000-000000000000}")
	f.Fuzz(func(t *testing.T, s string) {
		sid, err := VMSID(s)
		if err != nil {
			return
		}
		back, err := VMIDFromSID(sid)
		if err != nil || back != NormGUID(s) {
			t.Fatalf("round trip %q -> %q -> %q (%v)", s, sid, back, err)
		}
	})
}

func FuzzParseBackupLog(f *testing.F) {
	f.Add("[12.03.2025 01:02:05] <14> Error    Processing VM 'A' failed: %%2147754996 (0x800423F4). Error code: '32768'.\n")
	f.Add("2025-02-11 00:05:09 avhypervvss Error <43426>: Checkpoint creation for Virtual machine 'B<5E3A0C71-9B2D-4F68-A4E0-1C7D3B9F2A85>' has failed\n")
	f.Add("4188  1d0c  05/14 02:11:58 93127 X::Y() - Failed for VM [C]: (0x80070002)\n")
	f.Fuzz(func(t *testing.T, text string) {
		log := ParseBackupLog(text)
		max := len(Lines(NormalizeFreeText(text)))
		if log.Lines > max {
			t.Fatalf("%d entry lines in a text of %d lines", log.Lines, max)
		}
		checkLines(t, reflect.ValueOf(log), max, "BackupLog")
		if len(log.Entries) > MaxBackupEntries {
			t.Fatalf("%d entries kept", len(log.Entries))
		}
		for _, e := range log.Entries {
			if e.Level != "error" && e.Level != "warning" {
				t.Fatalf("level %q", e.Level)
			}
			if len(e.Text) > maxMentionText {
				t.Fatalf("text of %d bytes", len(e.Text))
			}
		}
		_ = SniffBackupLog(text)
	})
}
