package evtxwrite

import (
	"encoding/binary"
	"hash/crc32"
	"testing"
	"time"
)

// walk checks the structure of a written file: header and chunk checksums,
// record chains, and consecutive record IDs. It returns the record count.
func walk(t *testing.T, b []byte) int {
	le := binary.LittleEndian
	if len(b) < fileHeaderSize || le.Uint32(b[124:]) != crc32.ChecksumIEEE(b[:120]) {
		t.Fatal("bad file header")
	}
	n := int(le.Uint16(b[42:]))
	if len(b) != fileHeaderSize+n*chunkSize {
		t.Fatalf("size %d for %d chunks", len(b), n)
	}
	count := 0
	next := uint64(0)
	for i := range n {
		c := b[fileHeaderSize+i*chunkSize:][:chunkSize]
		free := le.Uint32(c[48:])
		if free < chunkHeaderSize || free > chunkSize || le.Uint32(c[124:]) != chunkHeaderCRC(c) ||
			le.Uint32(c[52:]) != crc32.ChecksumIEEE(c[chunkHeaderSize:free]) {
			t.Fatalf("chunk %d: bad header or checksum", i)
		}
		for off := uint32(chunkHeaderSize); off < free; {
			size := le.Uint32(c[off+4:])
			if size < recordHeaderSize+4 || off+size > free || le.Uint32(c[off+size-4:]) != size {
				t.Fatalf("chunk %d: bad record at %#x", i, off)
			}
			id := le.Uint64(c[off+8:])
			if next != 0 && id != next {
				t.Fatalf("chunk %d: record ID %d, want %d", i, id, next)
			}
			next = id + 1
			count++
			off += size
		}
	}
	return count
}

func FuzzMarshal(f *testing.F) {
	f.Add("disk", "", `\Device\Harddisk3\DR3`, uint16(153), uint8(0), []byte{1, 2}, 3)
	f.Add("Microsoft-Windows-Hyper-V-Worker", "VmName", "APP01", uint16(3040), uint8(1), []byte(nil), 1)
	f.Add("Microsoft-Windows-Kernel-General", "BuildVersion", "17763", uint16(12), uint8(2), []byte(nil), 200)
	f.Fuzz(func(t *testing.T, provider, name, val string, id uint16, shape uint8, bin []byte, n int) {
		n = 1 + (n%300+300)%300
		var recs []Record
		for i := range n {
			r := Record{Provider: provider, Channel: "System", Computer: name, EventID: id + uint16(i),
				Time: time.Unix(int64(i)*7919, 0)}
			switch shape % 3 {
			case 0:
				r.HasQualifiers = true
				r.Data = []Field{{Value: val}, {Value: name}}
				r.Binary = bin
			case 1:
				r.ProviderGUID = "{51ddfa29-d5c8-4803-be4b-2ecb715570fe}"
				r.UserData = &UserData{Name: "VmlEventLog", Namespace: VMLNamespace,
					Fields: []Field{{Name: "VmName", Value: val}, {Name: "X" + name, Value: name}}}
			default:
				r.ProviderGUID = "{a68ca8b7-004f-d7b6-a698-07e2de0f1f5d}"
				r.Data = []Field{{Name: name, Value: val}, {Name: "N", Value: val, Type: UInt32}}
			}
			recs = append(recs, r)
		}
		b, err := Marshal(recs, Options{})
		if err != nil {
			return // invalid input is reported, not written
		}
		if got := walk(t, b); got != n {
			t.Fatalf("wrote %d records, found %d", n, got)
		}
	})
}
