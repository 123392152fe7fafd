package analyze

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/hvtriage/hvtriage/evidence"
)

// Command outputs and text event exports print times in the host's local
// time, while event logs record UTC. Comparing them (was the checkpoint
// taken before the upgrade?) needs the host's offset, and the bundle holds
// it: EventLog 6013, written at every boot and daily, ends with the time
// zone's bias in minutes ("-540 Tokyo Standard Time": UTC = local + bias).

// biasPattern reads the bias at the start of 6013's time-zone string.
var biasPattern = regexp.MustCompile(`^\s*(-?\d{1,4})\s+\S`)

// hostBias returns the bias of the newest 6013 event, and false when the
// bundle has none or its 6013 events disagree (nodes in several zones).
func hostBias(evs []evidence.Evidence) (time.Duration, bool) {
	var (
		newest time.Time
		bias   = -1 << 31
		seen   = map[int]bool{}
	)
	for i := range evs {
		e := &evs[i]
		if e.Kind != evidence.KindEvent || e.Attrs[evidence.AttrEventID] != "6013" || !strings.EqualFold(e.Attrs[evidence.AttrProvider], "EventLog") {
			continue
		}
		m := biasPattern.FindStringSubmatch(e.Attrs["data.7"])
		if m == nil {
			continue
		}
		b, err := strconv.Atoi(m[1])
		if err != nil || b < -14*60 || b > 14*60 {
			continue
		}
		seen[b] = true
		if e.Time.After(newest) {
			newest, bias = e.Time, b
		}
	}
	if len(seen) == 0 || len(seen) > 2 {
		// Two values are one zone on both sides of a daylight-saving
		// change; more mean several zones.
		return 0, false
	}
	return time.Duration(bias) * time.Minute, true
}

// toUTC converts the times that came from text (marked AttrTimeLocal) to
// UTC with the host's bias, and says so on each item.
func toUTC(evs []evidence.Evidence) {
	bias, ok := hostBias(evs)
	if !ok {
		return
	}
	for i := range evs {
		e := &evs[i]
		if e.Attrs[evidence.AttrTimeLocal] != "true" || e.Time.IsZero() {
			continue
		}
		e.Time = e.Time.Add(bias)
		e.Attrs[evidence.AttrTimeLocal] = "converted to UTC with the host's offset from EventLog 6013 (" + utcOffset(-bias) + ")"
	}
}

func utcOffset(d time.Duration) string {
	sign := "+"
	if d < 0 {
		sign, d = "-", -d
	}
	return "UTC" + sign + time.Time{}.Add(d).Format("15:04")
}
