package evtx

import "sort"

// idRange is an inclusive range of record ids.
type idRange struct{ lo, hi uint64 }

// idSet holds record ids as sorted, disjoint, non-adjacent ranges. Record
// ids run in long consecutive stretches, so a log of millions of records
// needs a handful of ranges, not a map entry per record.
type idSet struct{ r []idRange }

// find returns the index of the first range whose hi is >= id.
func (s *idSet) find(id uint64) int {
	return sort.Search(len(s.r), func(i int) bool { return s.r[i].hi >= id })
}

func (s *idSet) has(id uint64) bool {
	i := s.find(id)
	return i < len(s.r) && s.r[i].lo <= id
}

// addRange adds lo..hi (inclusive; nothing when hi < lo).
func (s *idSet) addRange(lo, hi uint64) {
	if hi < lo {
		return
	}
	// Fast path: ids arrive mostly in ascending order.
	if n := len(s.r); n > 0 && lo >= s.r[n-1].lo {
		last := &s.r[n-1]
		if lo <= last.hi+1 && last.hi != ^uint64(0) {
			last.hi = max(last.hi, hi)
			return
		}
		if lo > last.hi {
			s.r = append(s.r, idRange{lo, hi})
			return
		}
	}
	// General case: merge every range that overlaps or touches lo..hi.
	i := sort.Search(len(s.r), func(i int) bool { return s.r[i].hi+1 >= lo || s.r[i].hi == ^uint64(0) })
	j := i
	for j < len(s.r) && (hi == ^uint64(0) || s.r[j].lo <= hi+1) {
		lo = min(lo, s.r[j].lo)
		hi = max(hi, s.r[j].hi)
		j++
	}
	s.r = append(s.r[:i], append([]idRange{{lo, hi}}, s.r[j:]...)...)
}

func (s *idSet) add(id uint64) { s.addRange(id, id) }

// gaps returns the ranges between the lowest and the highest id that the
// set does not hold.
func (s *idSet) gaps() []idRange {
	var out []idRange
	for i := 1; i < len(s.r); i++ {
		out = append(out, idRange{s.r[i-1].hi + 1, s.r[i].lo - 1})
	}
	return out
}

// max returns the highest id held and false when the set is empty.
func (s *idSet) max() (uint64, bool) {
	if len(s.r) == 0 {
		return 0, false
	}
	return s.r[len(s.r)-1].hi, true
}
