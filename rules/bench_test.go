package rules

import (
	"strconv"
	"testing"
	"time"

	"github.com/hvtriage/hvtriage/evidence"
)

// BenchmarkEvaluate runs the whole catalog over a large evidence set: the
// engine's cost must stay small next to parsing.
func BenchmarkEvaluate(b *testing.B) {
	cat, err := Default()
	if err != nil {
		b.Fatal(err)
	}
	eng := NewEngine(cat)
	var ev []evidence.Evidence
	base := time.Date(2024, 3, 14, 0, 0, 0, 0, time.UTC)
	for i := range 100_000 {
		id := []string{"129", "153", "8229", "55", "7036"}[i%5]
		prov := map[string]string{"129": "storahci", "153": "disk", "8229": "VSS", "55": "Ntfs", "7036": "Service Control Manager"}[id]
		ev = append(ev, evidence.Evidence{Kind: evidence.KindEvent, Source: "System.evtx", At: evidence.AtRecord(uint64(i)), Time: base.Add(time.Duration(i) * time.Second),
			Attrs: map[string]string{evidence.AttrProvider: prov, evidence.AttrEventID: id, evidence.AttrText: "text " + strconv.Itoa(i), evidence.AttrHResults: ""}})
	}
	cov := evidence.Coverage{"channel:system": true}
	b.ReportAllocs()
	for b.Loop() {
		eng.Evaluate(ev, cov)
	}
}
