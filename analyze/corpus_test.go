package analyze

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvtriage/hvtriage/internal/sharedcorpus"
	"github.com/hvtriage/hvtriage/rules"
)

// TestRealLogsRaiseNoFalseAlarm runs the whole pipeline over real logs of
// ordinary Windows machines (the public corpus: workstations and servers
// without Hyper-V, some with real disk timeouts and crashes). Their genuine
// storage and hardware warnings may show, but nothing may rise above low, and
// no Hyper-V, VSS or backup cause may appear: those would be false alarms
// an engineer would chase.
func TestRealLogsRaiseNoFalseAlarm(t *testing.T) {
	dir := sharedcorpus.Path(t, "evtx")
	res, err := Run(t.Context(), dir, Options{})
	require.NoError(t, err)
	require.NotEmpty(t, res.Inventory)
	allowed := map[string]bool{"storage-connectivity": true, "hardware-driver-instability": true, "filesystem-corruption": true}
	for _, f := range res.Outcome.Findings {
		assert.True(t, allowed[f.Cause.ID], "unexpected cause %s (%.2f) on logs without Hyper-V", f.Cause.ID, f.Confidence)
		assert.LessOrEqual(t, f.Severity, rules.Low, "%s at %s on ordinary logs", f.Cause.ID, f.Severity)
	}
}
