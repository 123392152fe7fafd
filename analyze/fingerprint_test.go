package analyze

import (
	"crypto/sha256"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hvtriage/hvtriage/evidence"
	"github.com/stretchr/testify/assert"
)

// TestOutputFingerprintBytes: outputFingerprint hashes the bytes the
// fmt.Fprintf version it replaced wrote.
func TestOutputFingerprintBytes(t *testing.T) {
	old := func(kind string, evidence []evidence.Evidence) [sha256.Size]byte {
		h := sha256.New()
		fmt.Fprintf(h, "%s\x00%d\n", kind, len(evidence))
		for _, e := range evidence {
			fmt.Fprintf(h, "%s\x00%s\x00%d\x00%s\x00", e.Kind, e.At, e.Time.UnixNano(), e.Summary)
			for _, k := range slices.Sorted(maps.Keys(e.Attrs)) {
				fmt.Fprintf(h, "%s=%s\x00", k, e.Attrs[k])
			}
			h.Write([]byte{'\n'})
		}
		var out [sha256.Size]byte
		copy(out[:], h.Sum(nil))
		return out
	}
	evs := []evidence.Evidence{
		{Kind: evidence.KindVSSWriter, At: evidence.AtLine(12), Summary: "VSS writer 'x' state [8] Failed", Attrs: map[string]string{"b": "2", "a": "1", "": "="}},
		{Kind: evidence.KindFile, At: evidence.AtOffset(0x1000), Time: time.Date(2024, 1, 2, 3, 4, 5, 6, time.UTC), Summary: "ü\x00", Attrs: nil},
		{Kind: evidence.KindHandle},
	}
	for n := range len(evs) + 1 {
		assert.Equal(t, old("vssadmin-writers", evs[:n]), outputFingerprint("vssadmin-writers", evs[:n]), n)
	}
	// Enough items, with enough attributes, to cross the sizes at which
	// the bytes are handed to the hash.
	var many []evidence.Evidence
	for i := range 400 {
		attrs := map[string]string{}
		for k := range i % 40 {
			attrs[fmt.Sprintf("key%02d", (k*7)%40)] = strings.Repeat("v", k)
		}
		many = append(many, evidence.Evidence{Kind: evidence.KindVSSWriter, At: evidence.AtLine(i), Summary: strings.Repeat("s", i), Attrs: attrs})
	}
	for _, n := range []int{1, 10, 50, 51, 200, 400} {
		assert.Equal(t, old("vssadmin-writers", many[:n]), outputFingerprint("vssadmin-writers", many[:n]), n)
	}
}
