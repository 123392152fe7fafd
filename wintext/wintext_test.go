package wintext

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestVMSIDRoundTrip(t *testing.T) {
	const id = "3c9a7e21-5b04-4d8f-a1c6-8e2f0b7d4a93"
	sid, err := VMSID("{3C9A7E21-5B04-4D8F-A1C6-8E2F0B7D4A93}")
	require.NoError(t, err)
	assert.Regexp(t, `^S-1-5-83-1-\d+-\d+-\d+-\d+$`, sid)
	back, err := VMIDFromSID(sid)
	require.NoError(t, err)
	assert.Equal(t, id, back)
	_, err = VMSID("not a guid")
	assert.Error(t, err)
	_, err = VMIDFromSID("S-1-5-83-0")
	assert.Error(t, err, "the group SID is not a per-VM SID")
}

func TestNormGUID(t *testing.T) {
	assert.Equal(t, "3c9a7e21-5b04-4d8f-a1c6-8e2f0b7d4a93", NormGUID("VM {3C9A7E21-5B04-4D8F-A1C6-8E2F0B7D4A93} failed"))
	assert.Empty(t, NormGUID("no guid"))
	assert.True(t, IsGUID(" {3C9A7E21-5B04-4D8F-A1C6-8E2F0B7D4A93} "))
	assert.False(t, IsGUID("x 3C9A7E21-5B04-4D8F-A1C6-8E2F0B7D4A93"))
}

func TestDates(t *testing.T) {
	assert.Equal(t, DayFirst, InferDateOrder("logged 25/03/2024 10:00:00 and 01/04/2024"))
	assert.Equal(t, MonthFirst, InferDateOrder("logged 3/25/2024 10:00:00 AM"))
	assert.Equal(t, OrderUnknown, InferDateOrder("01/02/2024 and 03/04/2024"), "nothing decides")

	ts, msg := ParseTimestamp("3/14/2024 2:05:09 PM", OrderUnknown)
	assert.Empty(t, msg)
	assert.Equal(t, time.Date(2024, 3, 14, 14, 5, 9, 0, time.UTC), ts.Time)
	ts, msg = ParseTimestamp("01/02/2024 10:00:00", OrderUnknown)
	assert.True(t, ts.Ambiguous)
	assert.Contains(t, msg, "ambiguous")
	_, msg = ParseTimestamp("3/14/2024 2:05...", MonthFirst)
	assert.Contains(t, msg, "cut short")
}
