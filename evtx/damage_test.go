package evtx

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// damageResult is one walk of a damaged copy, seen against the original.
type damageResult struct {
	delivered map[uint64]bool
	st        Stats
	// hollow counts records delivered with Event.Damaged set.
	hollow int
	// afterHole counts records delivered from the chunk bytes past the
	// hole the "hole" mutation makes (chunk offsets 4096-8191).
	afterHole int
}

func walkIDs(t *testing.T, b []byte) damageResult {
	t.Helper()
	r := damageResult{delivered: map[uint64]bool{}}
	st, err := Walk(t.Context(), bytes.NewReader(b), int64(len(b)), func(ev *Event) error {
		require.Falsef(t, r.delivered[ev.RecordID], "record %d delivered twice", ev.RecordID)
		r.delivered[ev.RecordID] = true
		if ev.Damaged != "" {
			r.hollow++
		}
		if (ev.Offset-fileHeaderBlock)%chunkSize >= 2*4096 {
			r.afterHole++
		}
		return nil
	})
	require.NoError(t, err)
	r.st = st
	return r
}

// lostRecords sums the records Skipped says were lost.
func lostRecords(st Stats) int {
	n := 0
	for _, s := range st.Skipped {
		n += s.Records
	}
	return n
}

// TestWalk_DamageAccounting damages real logs the way disks and copies do
// (a zeroed 4 KiB hole inside a chunk, a cut file, a flipped bit in the file
// signature, a chunk copied over the next one) and checks against the
// undamaged file that every record lost is counted in Skipped, by number
// and by id, and that no record is delivered twice.
func TestWalk_DamageAccounting(t *testing.T) {
	dir := filepath.Join(corpusDir(t), "evtx")
	_, files := corpusFiles(t)
	var picked []string
	for _, cf := range files {
		b, err := os.ReadFile(filepath.Join(dir, cf.path))
		require.NoError(t, err)
		base := walkIDs(t, b)
		top := uint64(0)
		for id := range base.delivered {
			top = max(top, id)
		}
		// Clean logs only: nothing skipped, a header that knows the end.
		if len(base.st.Skipped) == 0 && base.st.Chunks >= 3 && !base.st.HeaderDamaged && base.st.HeaderNextRecordID == top+1 {
			picked = append(picked, cf.path)
		}
	}
	require.NotEmpty(t, picked)
	le := binary.LittleEndian
	totals := map[string][4]int{} // mutation -> records lost, delivered, delivered from past a hole, hollow
	for _, name := range picked {
		orig, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		base := walkIDs(t, orig)
		chunks := (len(orig) - fileHeaderBlock) / chunkSize
		var used []int // chunks holding records
		for i := range chunks {
			c := orig[fileHeaderBlock+i*chunkSize:]
			if bytes.Equal(c[:8], chunkMagic) && le.Uint64(c[24:]) > 0 {
				used = append(used, i)
			}
		}
		mutations := map[string]func() []byte{
			"hole": func() []byte {
				b := bytes.Clone(orig)
				for _, i := range used {
					c := b[fileHeaderBlock+i*chunkSize:]
					if free := int(le.Uint32(c[48:])); free > 3*4096 {
						clear(c[4096 : 2*4096])
					}
				}
				return b
			},
			"truncation": func() []byte {
				cut := fileHeaderBlock + used[len(used)/2]*chunkSize + 20000
				return bytes.Clone(orig[:cut])
			},
			"file-signature-bit": func() []byte {
				b := bytes.Clone(orig)
				b[3] ^= 0x04
				return b
			},
			"duplicated-chunk": func() []byte {
				b := bytes.Clone(orig)
				i, j := used[0], used[1]
				copy(b[fileHeaderBlock+j*chunkSize:fileHeaderBlock+(j+1)*chunkSize], orig[fileHeaderBlock+i*chunkSize:])
				return b
			},
			"zeroed-tail": func() []byte {
				b := bytes.Clone(orig)
				clear(b[fileHeaderBlock+used[len(used)-1]*chunkSize:])
				return b
			},
		}
		for mname, mutate := range mutations {
			t.Run(fmt.Sprintf("%s/%s", name, mname), func(t *testing.T) {
				got := walkIDs(t, mutate())
				var lost []uint64
				for id := range base.delivered {
					if !got.delivered[id] {
						lost = append(lost, id)
					}
				}
				for id := range got.delivered {
					assert.Truef(t, base.delivered[id], "record %d is not in the undamaged file", id)
				}
				low := uint64(1<<63 - 1) // lowest id delivered
				for id := range got.delivered {
					low = min(low, id)
				}
				uncountable := 0
				for _, id := range lost {
					if got.st.MissingChunks > 0 && id < low {
						// A cut log that had wrapped: the chunks past the
						// cut held its oldest records, which nothing left
						// in the file numbers. Stats says chunks are missing.
						uncountable++
						continue
					}
					assert.Truef(t, coveredBySkip(got.st, id), "record %d lost without a Skipped entry naming it", id)
				}
				assert.Equalf(t, len(lost)-uncountable, lostRecords(got.st), "records lost vs counted; skipped: %v", got.st.Skipped)
				if uncountable > 0 {
					t.Logf("%d oldest records lost past the cut of a wrapped log: %d missing chunk(s) reported", uncountable, got.st.MissingChunks)
				}
				if mname == "file-signature-bit" {
					assert.True(t, got.st.BadFileSignature)
					assert.Empty(t, lost)
				}
				tot := totals[mname]
				tot[0] += len(lost)
				tot[1] += got.st.Records
				if mname == "hole" {
					tot[2] += got.afterHole
					tot[3] += got.hollow
				}
				totals[mname] = tot
			})
		}
	}
	t.Logf("clean corpus logs damaged: %d", len(picked))
	for m, tot := range totals {
		t.Logf("%-20s records lost and accounted for: %d, records still delivered: %d (past a hole: %d, flagged hollow: %d)", m, tot[0], tot[1], tot[2], tot[3])
	}
}

func coveredBySkip(st Stats, id uint64) bool {
	for _, s := range st.Skipped {
		if s.Records > 0 && s.FirstID <= id && id <= s.LastID {
			return true
		}
	}
	return false
}
