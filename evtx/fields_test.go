package evtx

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCorpusFields pins decoded values of specific real records (checked
// against evtxexport's rendering of the same records).
func TestCorpusFields(t *testing.T) {
	dir := filepath.Join(corpusDir(t), "evtx")
	var got *Event
	_, err := walkFile(t, filepath.Join(dir, "EventLog/System.evtx"), func(ev *Event) error {
		if ev.RecordID == 62893 {
			got = ev
		}
		return nil
	})
	require.NoError(t, err)
	require.NotNil(t, got)
	// Classic EventLog 6009: no GUID, qualifiers, insertion strings from one
	// string array with an empty third string kept in place.
	assert.Equal(t, "EventLog", got.Provider)
	assert.Empty(t, got.ProviderGUID)
	assert.EqualValues(t, 6009, got.EventID)
	assert.True(t, got.HasQualifiers)
	assert.EqualValues(t, 32768, got.Qualifiers)
	assert.EqualValues(t, 4, got.Level)
	assert.Equal(t, uint64(0x0080000000000000), got.Keywords)
	assert.Equal(t, "System", got.Channel)
	assert.Equal(t, "WIN-5I1NNE9IUV7", got.Computer)
	assert.Equal(t, time.Date(2023, 5, 24, 0, 56, 16, 589040000, time.UTC), got.Time)
	assert.Equal(t, time.UTC, got.Time.Location())
	assert.Equal(t, int64(47256), got.Offset)
	assert.Equal(t, []Field{{"", "10.00."}, {"", "20348"}, {"", ""}, {"", "Multiprocessor Free"}, {"", "0"}}, got.Data)
}
