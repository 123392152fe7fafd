package evtx

import (
	"math/rand"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestIDSet(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	var s idSet
	ref := map[uint64]bool{}
	for range 2000 {
		lo := uint64(rng.Intn(500))
		hi := lo + uint64(rng.Intn(4))
		if rng.Intn(3) == 0 {
			s.add(lo)
			ref[lo] = true
		} else {
			s.addRange(lo, hi)
			for id := lo; id <= hi; id++ {
				ref[id] = true
			}
		}
		for i := 1; i < len(s.r); i++ {
			require.Greater(t, s.r[i].lo, s.r[i-1].hi+1, "ranges %v", s.r)
		}
	}
	for id := uint64(0); id < 510; id++ {
		require.Equal(t, ref[id], s.has(id), "id %d", id)
	}
}
