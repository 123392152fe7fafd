package report

import (
	"cmp"
	"encoding/csv"
	"encoding/json"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/hvtriage/hvtriage/analyze"
	"github.com/hvtriage/hvtriage/evidence"
)

// TimelineEvent is one dated evidence item, shaped for Timesketch's JSONL
// import: message, datetime and timestamp_desc are the fields it needs.
type TimelineEvent struct {
	Message       string `json:"message"`
	Datetime      string `json:"datetime"`
	TimestampDesc string `json:"timestamp_desc"`
	Bundle        string `json:"bundle"`
	File          string `json:"file"`
	Locator       string `json:"locator"`
	Kind          string `json:"kind"`
	VM            string `json:"vm,omitempty"`
	Cause         string `json:"cause,omitempty"` // the causes citing it, comma-separated
}

// TimelineEvents lists every dated evidence item of an analysis in time
// order, with the causes that cite it.
func TimelineEvents(res *analyze.Result) []TimelineEvent {
	cites := map[string][]string{}
	for _, f := range res.Outcome.Findings {
		for _, c := range f.Evidence {
			k := c.Source + "\x00" + c.At.String()
			if !slices.Contains(cites[k], f.Cause.ID) {
				cites[k] = append(cites[k], f.Cause.ID)
			}
		}
	}
	var out []TimelineEvent
	for i := range res.Evidence {
		e := &res.Evidence[i]
		if e.Time.IsZero() {
			continue
		}
		desc := "Event Recorded"
		if e.Kind != evidence.KindEvent {
			desc = "Time in " + string(e.Kind)
		}
		out = append(out, TimelineEvent{
			Message: clean(e.Summary), Datetime: e.Time.UTC().Format(time.RFC3339Nano), TimestampDesc: desc,
			Bundle: clean(res.Bundle.Name), File: clean(e.Source), Locator: e.At.String(), Kind: string(e.Kind),
			VM: clean(e.VM()), Cause: strings.Join(cites[e.Source+"\x00"+e.At.String()], ","),
		})
	}
	slices.SortStableFunc(out, func(a, b TimelineEvent) int {
		return cmp.Or(strings.Compare(a.Datetime, b.Datetime), strings.Compare(a.File, b.File), strings.Compare(a.Locator, b.Locator))
	})
	return out
}

// WriteTimelineJSONL writes one JSON object per line.
func WriteTimelineJSONL(w io.Writer, events []TimelineEvent) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, e := range events {
		if err := enc.Encode(e); err != nil {
			return err
		}
	}
	return nil
}

// WriteTimelineCSV writes the same events for spreadsheets. A cell that
// starts with = + - @ (or a tab or carriage return) gets a leading quote,
// so a spreadsheet shows it as text instead of running it as a formula.
func WriteTimelineCSV(w io.Writer, events []TimelineEvent) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"datetime", "timestamp_desc", "message", "bundle", "file", "locator", "kind", "vm", "cause"}); err != nil {
		return err
	}
	for _, e := range events {
		row := []string{e.Datetime, e.TimestampDesc, e.Message, e.Bundle, e.File, e.Locator, e.Kind, e.VM, e.Cause}
		for i, c := range row {
			row[i] = cellSafe(c)
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func cellSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
