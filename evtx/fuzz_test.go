package evtx

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
)

func FuzzWalk(f *testing.F) {
	f.Add(craftFile(0x00ff0000))
	f.Add(craftFile(uint32(chunkHeaderSize + recordHeaderSize + 13)))
	f.Add([]byte("ElfFile\x00"))
	// Real files make better seeds when the corpus is around; they are read
	// at run time and never copied into testdata.
	if dir, ok := corpusPath(); ok {
		for _, name := range []string{"omerbenamram-evtx/new-user-security.evtx", "omerbenamram-evtx/Application_no_crc32.evtx"} {
			if b, err := os.ReadFile(filepath.Join(dir, "evtx", name)); err == nil && len(b) <= 1<<20 {
				f.Add(b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := Walk(context.Background(), bytes.NewReader(b), int64(len(b)), func(ev *Event) error { return nil })
		if err == nil && st.Records < 0 {
			t.Fatal("negative record count")
		}
	})
}

func FuzzWalkXML(f *testing.F) {
	f.Add([]byte(vmmsEventXML))
	f.Add([]byte("<Events>" + classicEventXML + "</Events>"))
	f.Add(utf16LE(classicEventXML, true))
	f.Add([]byte(classicEventXML + "\n<Event><System>\n" + classicEventXML))
	f.Fuzz(func(t *testing.T, b []byte) {
		n := 0
		st, err := WalkXML(context.Background(), bytes.NewReader(b), func(ev *Event) error {
			n++
			return nil
		})
		if err == nil && st.Records != n {
			t.Fatalf("Stats.Records %d, callback saw %d", st.Records, n)
		}
	})
}

// corpusPath is corpusDir without the test skip, for fuzz seeding.
func corpusPath() (string, bool) {
	dir, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			c := filepath.Join(dir, "..", "shared", "corpus")
			_, err := os.Stat(c)
			return c, err == nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

func BenchmarkWalk(b *testing.B) {
	dir, files := corpusFiles(b)
	var data [][]byte
	var total int64
	for _, cf := range files {
		buf, err := os.ReadFile(filepath.Join(dir, cf.path))
		if err != nil {
			b.Fatal(err)
		}
		data = append(data, buf)
		total += int64(len(buf))
	}
	b.SetBytes(total)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, buf := range data {
			if _, err := Walk(context.Background(), bytes.NewReader(buf), int64(len(buf)), func(*Event) error { return nil }); err != nil {
				b.Fatal(err)
			}
		}
	}
}
