package analyze

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkRunSample measures the whole pipeline (open, classify,
// extract, chains, rules) on the shipped sample bundle.
func BenchmarkRunSample(b *testing.B) {
	const sample = "../samples/storage-resets-vss-timeout/HV01_logs.zip"
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Run(b.Context(), sample, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkClassify measures content sniffing on a UTF-16 text head, the
// most expensive case (it decodes before sniffing).
func BenchmarkClassify(b *testing.B) {
	head := []byte{0xFF, 0xFE}
	for range 200 {
		head = append(head, 'W', 0, 'r', 0, 'i', 0, 't', 0, 'e', 0, 'r', 0, ' ', 0, 'n', 0, 'a', 0, 'm', 0, 'e', 0, ':', 0, '\n', 0)
	}
	b.SetBytes(int64(len(head)))
	for b.Loop() {
		classify("x.txt", head)
	}
}

// BenchmarkClassifyNote measures sniffing a text that no structured reader
// claims (a ticket note): every recognizer of the table runs on it,
// the backup products' and the free-text scan last.
func BenchmarkClassifyNote(b *testing.B) {
	var head []byte
	for len(head) < headSize-200 {
		head = append(head, "Customer says the nightly job on HV-SMALL-1 ran long again; no errors in the portal, will check tomorrow.\r\n"...)
	}
	b.SetBytes(int64(len(head)))
	for b.Loop() {
		classify("note.txt", head)
	}
}

// BenchmarkRunCorpus runs the pipeline over the public EVTX corpus (about
// 66 MB of real logs, many damaged) when ../shared is beside the checkout.
// Profile it with -cpuprofile to see where the time goes.
func BenchmarkRunCorpus(b *testing.B) {
	dir := filepath.Join("..", "..", "shared", "corpus", "evtx")
	if _, err := os.Stat(dir); err != nil {
		b.Skip("corpus not present:", err)
	}
	var size int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				size += info.Size()
			}
		}
		return nil
	})
	b.SetBytes(size)
	for b.Loop() {
		if _, err := Run(b.Context(), dir, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRunFolder runs the pipeline over the folder named by
// HVTRIAGE_BENCH_DIR, e.g. the many small text files that
// scripts/bench-smalltext.sh builds. Profile it with -cpuprofile.
func BenchmarkRunFolder(b *testing.B) {
	dir := os.Getenv("HVTRIAGE_BENCH_DIR")
	if dir == "" {
		b.Skip("HVTRIAGE_BENCH_DIR not set")
	}
	var size int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				size += info.Size()
			}
		}
		return nil
	})
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Run(b.Context(), dir, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
