package report_test

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvtriage/hvtriage/analyze"
	"github.com/hvtriage/hvtriage/report"
)

func TestTimelineExport(t *testing.T) {
	res, err := analyze.Run(t.Context(), "../samples/storage-resets-vss-timeout/HV01_logs.zip", analyze.Options{})
	require.NoError(t, err)
	events := report.TimelineEvents(res)
	require.NotEmpty(t, events)

	var jl bytes.Buffer
	require.NoError(t, report.WriteTimelineJSONL(&jl, events))
	sc := bufio.NewScanner(&jl)
	sc.Buffer(nil, 1<<20)
	lines, cited := 0, 0
	for sc.Scan() {
		lines++
		var m map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &m), sc.Text())
		for _, f := range []string{"message", "datetime", "timestamp_desc"} {
			assert.NotEmpty(t, m[f], "line %d: %s", lines, f)
		}
		if m["cause"] != nil {
			cited++
		}
	}
	assert.Equal(t, len(events), lines)
	assert.Positive(t, cited, "evidence cited by a finding names its cause")

	var c bytes.Buffer
	require.NoError(t, report.WriteTimelineCSV(&c, events))
	rows, err := csv.NewReader(&c).ReadAll()
	require.NoError(t, err)
	assert.Len(t, rows, len(events)+1)
}

func TestTimelineCSVFormulaSafe(t *testing.T) {
	var c bytes.Buffer
	require.NoError(t, report.WriteTimelineCSV(&c, []report.TimelineEvent{{Message: "=HYPERLINK(\"x\")", VM: "+1", File: "-a", Cause: "@b", Datetime: "2024-03-14T00:00:00Z"}}))
	rows, err := csv.NewReader(&c).ReadAll()
	require.NoError(t, err)
	assert.Equal(t, []string{"2024-03-14T00:00:00Z", "", "'=HYPERLINK(\"x\")", "", "'-a", "", "", "'+1", "'@b"}, rows[1])
}
