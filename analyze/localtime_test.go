package analyze

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvtriage/hvtriage/evidence"
	"github.com/hvtriage/hvtriage/internal/evtxwrite"
	"github.com/hvtriage/hvtriage/internal/fixture"
)

// TestLocalTimesConvertedWithTheHostOffset: a Tokyo host (UTC+9) printed a
// checkpoint's creation time in local time; its EventLog 6013 says the
// bias is -540 minutes, so 10:00 local is 01:00 UTC, comparable with the
// event logs.
func TestLocalTimesConvertedWithTheHostOffset(t *testing.T) {
	h := fixture.Host{Computer: "HV07"}
	uptime := h.Classic("System", "EventLog", 6013, fixture.QualEventLog, fixture.LevelInfo, fixture.At(0, 0, 5),
		"", "", "", "", "86400", "60", "-540 Tokyo Standard Time")
	snaps := fixture.VMSnapshotsList([]fixture.Checkpoint{{VMName: "APP01", Name: "before patch", Type: "Standard",
		Created: time.Date(2024, 3, 14, 10, 0, 0, 0, time.UTC), HardDrives: []string{`D:\VMs\APP01\APP01.vhdx`}}})
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "System.evtx"), fixture.EVTX([]evtxwrite.Record{uptime}, 1), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "snapshots.txt"), fixture.UTF16(snaps), 0o644))

	res, err := Run(t.Context(), dir, Options{})
	require.NoError(t, err)
	var snap *evidence.Evidence
	for i := range res.Evidence {
		if res.Evidence[i].Kind == evidence.KindSnapshot {
			snap = &res.Evidence[i]
		}
	}
	require.NotNil(t, snap)
	assert.Equal(t, time.Date(2024, 3, 14, 1, 0, 0, 0, time.UTC), snap.Time)
	assert.Contains(t, snap.Attrs[evidence.AttrTimeLocal], "UTC+09:00")
}

func TestHostBias(t *testing.T) {
	ev := func(tm time.Time, zone string) evidence.Evidence {
		return evidence.Evidence{Kind: evidence.KindEvent, Time: tm, Attrs: map[string]string{evidence.AttrProvider: "EventLog", evidence.AttrEventID: "6013", "data.7": zone}}
	}
	bias, ok := hostBias([]evidence.Evidence{ev(fixture.At(2, 0, 0), "-120 W. Europe Daylight Time"), ev(fixture.At(1, 0, 0), "-60 W. Europe Standard Time")})
	require.True(t, ok)
	assert.Equal(t, -120*time.Minute, bias, "the newest one wins across a daylight-saving change")
	_, ok = hostBias([]evidence.Evidence{ev(fixture.At(1, 0, 0), "0 Coordinated Universal Time"), ev(fixture.At(2, 0, 0), "-540 Tokyo"), ev(fixture.At(3, 0, 0), "300 Eastern")})
	assert.False(t, ok, "nodes in three zones: no single offset")
	_, ok = hostBias(nil)
	assert.False(t, ok)
}
