package cmdout

import "github.com/hvtriage/hvtriage/wintext"

// The date conventions live in wintext, shared with the evtx text readers;
// these names keep cmdout's callers reading as before.
type (
	Timestamp = wintext.Timestamp
	DateOrder = wintext.DateOrder
)

// Date orders.
const (
	OrderUnknown = wintext.OrderUnknown
	MonthFirst   = wintext.MonthFirst
	DayFirst     = wintext.DayFirst
)

// InferDateOrder is wintext.InferDateOrder.
func InferDateOrder(text string) DateOrder { return wintext.InferDateOrder(text) }

// ParseTimestamp is wintext.ParseTimestamp.
func ParseTimestamp(raw string, order DateOrder) (Timestamp, string) {
	return wintext.ParseTimestamp(raw, order)
}

// timestamp parses raw with the document's date order and records a
// problem at line when it cannot.
func (d *Doc) timestamp(raw string, line int) Timestamp {
	ts, msg := ParseTimestamp(raw, d.DateOrder)
	if msg != "" {
		d.problem(line, "%s", msg)
	}
	return ts
}
