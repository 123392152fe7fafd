package vhdx_test

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/hvtriage/hvtriage/vhdx"
	"github.com/hvtriage/hvtriage/vhdx/vhdxtest"
)

// window is a byte range of a virtual VHDX file that the fuzzer controls; the
// rest of the file reads as zeros, as most of a real VHDX does. This keeps
// fuzz inputs at ~22 KiB while the structures stay at their real offsets.
type window struct{ off, n int64 }

var fuzzWindows = []window{
	{0, 0x400},                                 // file identifier and creator
	{0x10000, 0x1000},                          // header 1
	{0x20000, 0x1000},                          // header 2
	{0x30000, 0x400},                           // region table 1 (first entries)
	{0x40000, 0x400},                           // region table 2
	{vhdxtest.LogOffset, 0x2000},               // first two log sectors
	{vhdxtest.MetadataOffset, 0x400},           // metadata table
	{vhdxtest.MetadataOffset + 0x10000, 0x800}, // metadata items and locator
}

type windowed struct {
	data []byte // the windows, concatenated
	size int64
}

func (w *windowed) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("negative offset")
	}
	if off >= w.size {
		return 0, io.EOF
	}
	n := len(p)
	if int64(n) > w.size-off {
		n = int(w.size - off)
	}
	clear(p[:n])
	pos := int64(0)
	for _, win := range fuzzWindows {
		// Overlap of [win.off, win.off+avail) with [off, off+n).
		avail := min(win.n, max(int64(len(w.data))-pos, 0))
		lo, hi := max(win.off, off), min(win.off+avail, off+int64(n))
		if lo < hi {
			copy(p[lo-off:hi-off], w.data[pos+lo-win.off:])
		}
		pos += win.n
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// toWindows extracts the fuzz windows from a whole file image.
func toWindows(b []byte) []byte {
	var out []byte
	for _, win := range fuzzWindows {
		chunk := make([]byte, win.n)
		if win.off < int64(len(b)) {
			copy(chunk, b[win.off:])
		}
		out = append(out, chunk...)
	}
	return out
}

const fuzzMaxSize = 8 << 20

// Run FuzzOpen with a small -fuzzminimizetime (e.g. 50x): minimising a 22 KiB
// input byte by byte takes the default 60 s per new input and, besides
// stalling the run, shifts bytes across window boundaries so the minimised
// input no longer means the same thing.

func FuzzOpen(f *testing.F) {
	base, _ := vhdxtest.VHDX(vhdxtest.Options{Seed: "p", DirtyLog: true, StaleLogEntry: true})
	pf, err := vhdx.Open(bytes.NewReader(base), int64(len(base)))
	if err != nil {
		f.Fatal(err)
	}
	child, _ := vhdxtest.VHDX(vhdxtest.ChildOf("c", pf, `.\p.vhdx`, `C:\p.vhdx`, `\\?\Volume{11111111-2222-3333-4444-555555555555}\p.vhdx`))
	for _, b := range [][]byte{base, child} {
		for _, size := range []uint32{uint32(len(b)), 300000, 1 << 20, 0x20800} {
			f.Add(toWindows(b), size)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, size uint32) {
		w := &windowed{data: data, size: int64(size) % fuzzMaxSize}
		vhdx.Detect(w, w.size)
		file, err := vhdx.Open(w, w.size)
		if err != nil {
			if !errors.Is(err, vhdx.ErrFormat) {
				t.Fatalf("unclassified error: %v", err)
			}
			return
		}
		if file.Current < -1 || file.Current > 1 || (file.Current >= 0) != file.Parts.Has(vhdx.PartHeader) {
			t.Fatalf("inconsistent current header %d, parts %b", file.Current, file.Parts)
		}
		if file.Parts.Has(vhdx.PartParentLocator) && file.Parent == nil {
			t.Fatal("parent locator part without locator")
		}
		d := vhdx.DiskFromVHDX("a/x.avhdx", file)
		d2 := d
		d2.Path = "a/p.vhdx"
		vhdx.BuildChains([]vhdx.Disk{d, d2}, vhdx.ChainOptions{References: []string{"x.avhdx"}, KnownPaths: []string{`C:\p.vhdx`}})
	})
}

func FuzzOpenVHD(f *testing.F) {
	for _, o := range []vhdxtest.VHDOptions{
		{Seed: "d", CurrentSize: 64 << 20},
		{Seed: "c", CurrentSize: 8 << 20, ParentUniqueID: vhdxtest.GUID("p", "id"), ParentName: `D:\p.vhd`, AbsolutePath: `D:\p.vhd`, RelativePath: `.\p.vhd`},
		{Seed: "f", Type: vhdx.DiskTypeFixed, CurrentSize: 4096},
	} {
		b, err := vhdxtest.VHD(o)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(b[:len(b)-1])
		f.Add(b[len(b)-512:])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := bytes.NewReader(data)
		vhdx.Detect(r, int64(len(data)))
		v, err := vhdx.OpenVHD(r, int64(len(data)))
		if err != nil {
			if !errors.Is(err, vhdx.ErrFormat) {
				t.Fatalf("unclassified error: %v", err)
			}
			return
		}
		d := vhdx.DiskFromVHD("a/x.avhd", v)
		vhdx.BuildChains([]vhdx.Disk{d, d}, vhdx.ChainOptions{References: []string{"x.avhd"}})
	})
}

func FuzzDetect(f *testing.F) {
	f.Add([]byte("vhdxfile"))
	f.Add(append(make([]byte, 600), []byte("conectix")...))
	f.Fuzz(func(t *testing.T, data []byte) {
		got := vhdx.Detect(bytes.NewReader(data), int64(len(data)))
		if got == vhdx.FormatVHDX && !bytes.HasPrefix(data, []byte("vhdxfile")) {
			t.Fatalf("VHDX detected without magic")
		}
		if got == vhdx.FormatUnknown && bytes.HasPrefix(data, []byte("vhdxfile")) {
			t.Fatalf("VHDX magic not detected")
		}
	})
}

func FuzzParentLocator(f *testing.F) {
	p, _ := vhdxtest.VHDX(vhdxtest.Options{Seed: "p"})
	pf, err := vhdx.Open(bytes.NewReader(p), int64(len(p)))
	if err != nil {
		f.Fatal(err)
	}
	c, _ := vhdxtest.VHDX(vhdxtest.ChildOf("c", pf, `.\p.vhdx`, `C:\p.vhdx`, `\\?\Volume{11111111-2222-3333-4444-555555555555}\p.vhdx`))
	f.Add(c[vhdxtest.LocatorOffset : vhdxtest.LocatorOffset+674])
	f.Add(c[vhdxtest.LocatorOffset : vhdxtest.LocatorOffset+100])
	f.Fuzz(func(t *testing.T, item []byte) {
		loc, err := vhdx.ParseParentLocator(item, 0x210028)
		if err != nil {
			if !errors.Is(err, vhdx.ErrFormat) {
				t.Fatalf("unclassified error: %v", err)
			}
			return
		}
		if len(loc.Keys) > len(loc.Entries) {
			t.Fatalf("%d keys from %d entries", len(loc.Keys), len(loc.Entries))
		}
		for _, e := range loc.Entries {
			if e.KeyOff < 0x210028 || e.KeyOff >= 0x210028+int64(len(item)) {
				t.Fatalf("key offset 0x%x outside the item", e.KeyOff)
			}
		}
	})
}
