// Command evtxbench is the helper behind scripts/bench-evtx.sh. It is not
// part of the product.
//
//	evtxbench walk PATH...                      decode every .evtx under PATHs with evtx.Walk
//	evtxbench concat -min-mb N -out FILE PATH...  write a valid EVTX file of at least N MiB
//	                                            made of the intact chunks of the .evtx under PATHs
//
// walk prints one line: files, bytes, records, chunks, skipped, seconds.
package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/hvtriage/hvtriage/evtx"
)

const (
	headerBlock = 4096
	chunkSize   = 65536
	maxChunks   = 0xffff // the file header counts chunks in 16 bits
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "walk":
		err = walk(os.Args[2:])
	case "concat":
		err = concat(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "evtxbench:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: evtxbench walk PATH... | evtxbench concat -min-mb N -out FILE PATH...")
	os.Exit(2)
}

// evtxFiles lists the .evtx files under paths, sorted.
func evtxFiles(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		err := filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.EqualFold(filepath.Ext(path), ".evtx") {
				out = append(out, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	sort.Strings(out)
	if len(out) == 0 {
		return nil, errors.New("no .evtx files found")
	}
	return out, nil
}

func walk(args []string) error {
	files, err := evtxFiles(args)
	if err != nil {
		return err
	}
	var bytesRead int64
	var records, chunks, skipped int
	start := time.Now()
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		fi, err := f.Stat()
		if err != nil {
			f.Close()
			return err
		}
		st, err := evtx.Walk(context.Background(), f, fi.Size(), func(*evtx.Event) error { return nil })
		f.Close()
		if err != nil && !errors.Is(err, evtx.ErrFormat) {
			return fmt.Errorf("%s: %w", name, err)
		}
		bytesRead += fi.Size()
		records += st.Records
		chunks += st.Chunks
		skipped += len(st.Skipped)
	}
	secs := time.Since(start).Seconds()
	fmt.Printf("files=%d bytes=%d records=%d chunks=%d skipped=%d seconds=%.3f\n", len(files), bytesRead, records, chunks, skipped, secs)
	return nil
}

// intactChunks returns the chunks of b whose signature, header checksum and
// records checksum are right and that hold at least one record.
func intactChunks(b []byte) [][]byte {
	le := binary.LittleEndian
	var out [][]byte
	for off := headerBlock; off+chunkSize <= len(b); off += chunkSize {
		c := b[off : off+chunkSize]
		if !bytes.HasPrefix(c, []byte("ElfChnk\x00")) {
			continue
		}
		h := crc32.NewIEEE()
		h.Write(c[:120])
		h.Write(c[128:512])
		free := int(le.Uint32(c[48:]))
		if h.Sum32() != le.Uint32(c[124:]) || free <= 512 || free > chunkSize ||
			crc32.ChecksumIEEE(c[512:free]) != le.Uint32(c[52:]) {
			continue
		}
		out = append(out, c)
	}
	return out
}

func concat(args []string) error {
	fl := flag.NewFlagSet("concat", flag.ContinueOnError)
	minMB := fl.Int("min-mb", 512, "minimum size of the output in MiB")
	out := fl.String("out", "", "output file")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if *out == "" || *minMB <= 0 {
		return errors.New("concat needs -out and a positive -min-mb")
	}
	files, err := evtxFiles(fl.Args())
	if err != nil {
		return err
	}
	var pool [][]byte
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		pool = append(pool, intactChunks(b)...)
	}
	if len(pool) == 0 {
		return errors.New("no intact chunk in the input")
	}
	want := (int64(*minMB)<<20 - headerBlock + chunkSize - 1) / chunkSize
	if want > maxChunks {
		return fmt.Errorf("%d MiB needs %d chunks, more than a file header can count", *minMB, want)
	}
	f, err := os.Create(*out)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := f.Write(make([]byte, headerBlock)); err != nil {
		return err
	}
	var nextID uint64
	le := binary.LittleEndian
	for i := int64(0); i < want; i++ {
		c := pool[i%int64(len(pool))]
		nextID = max(nextID, le.Uint64(c[32:])+1)
		if _, err := f.Write(c); err != nil {
			return err
		}
	}
	// The header goes last, once the chunk count is known.
	h := make([]byte, 128)
	copy(h, "ElfFile\x00")
	le.PutUint64(h[8:], 0)
	le.PutUint64(h[16:], uint64(want-1))
	le.PutUint64(h[24:], nextID)
	le.PutUint32(h[32:], 128)
	le.PutUint16(h[36:], 1)
	le.PutUint16(h[38:], 3)
	le.PutUint16(h[40:], headerBlock)
	le.PutUint16(h[42:], uint16(want))
	le.PutUint32(h[124:], crc32.ChecksumIEEE(h[:120]))
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	if _, err := f.Write(h); err != nil {
		return err
	}
	fmt.Printf("chunks=%d bytes=%d pool=%d\n", want, headerBlock+want*chunkSize, len(pool))
	return f.Close()
}
