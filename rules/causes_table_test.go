package rules_test

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvtriage/hvtriage/internal/fixture"
	"github.com/hvtriage/hvtriage/rules"
)

// The cause tests are one table: each row is a bundle built for one cause
// and what the analysis must conclude about that cause. The rows live in
// the area files (causes_<area>_test.go, beside the bundle builders they
// use); causeCases gathers them, TestCauses runs them, and
// TestEveryCauseHasRows fails for any catalog cause without a row where
// it fires and a near-miss row that says why it does not.
//
// Set HVTRIAGE_TABLE_DUMP=1 to log what the engine concluded for each row
// (finding, ruled-out reason, missing inputs): handy when writing a row.

// causeCase is one row.
type causeCase struct {
	name  string
	cause string
	build func(t *testing.T) fixture.Files
	want  want
	// others must be findings too; notOthers must not be.
	others, notOthers []string
	// also holds what the row's fields cannot say: an attribute of a
	// cited item, a rendered command.
	also func(t *testing.T, b *bundleResult)
}

// outcome is what a row expects of its cause.
type outcome int

const (
	// outFires: the cause is a finding.
	outFires outcome = iota + 1
	// outRuledOut: no finding, and the report rules the cause out with a
	// reason that holds the row's words.
	outRuledOut
	// outMissing: no finding, and the report names the inputs that
	// would decide the cause.
	outMissing
	// outClean: no finding (or none above the row's ceiling); the reason
	// or the missing input is asserted when the row gives one.
	outClean
)

// want is a row's expectation. Zero fields assert nothing.
type want struct {
	outcome outcome

	// Fires.
	sev              rules.Severity // exact severity
	maxSev           rules.Severity // at most this severity
	minConf, maxConf float64        // inclusive bounds
	signals          []string       // exactly these signals fired
	hasSignals       []string       // at least these
	lacksSignals     []string       // none of these (also checked when the cause may stay low)
	cites            []string       // "source locator signal" items among the evidence
	citesOnly        []string       // the evidence, exactly ("source locator signals")
	inOrder          bool           // citesOnly in the finding's order
	against          []string       // the counter-evidence, exactly
	noAgainst        bool           // no counter-evidence
	vms              []string       // the finding's VMs, exactly
	from             string         // every cited item comes from this file

	// Ruled out, missing, clean.
	why         []string       // the ruled-out reason holds each
	missing     []string       // the inputs asked for to decide the cause include each
	onlyMissing bool           // the inputs asked for are exactly missing
	noneMissing bool           // nothing is asked for the cause
	upTo        rules.Severity // near miss: a finding at most this severity is allowed
}

// fires expects a finding of exactly severity sev.
func fires(sev rules.Severity) want { return want{outcome: outFires, sev: sev} }

// firing expects a finding of any severity.
func firing() want { return want{outcome: outFires} }

// ruledOut expects the cause ruled out, its reason holding each of why.
func ruledOut(why ...string) want { return want{outcome: outRuledOut, why: why} }

// missingInput expects no finding and the report to ask for each input.
func missingInput(inputs ...string) want { return want{outcome: outMissing, missing: inputs} }

// clean expects no finding of the cause. A near-miss row says why with
// because or asks with needs; a bare clean row does not count as one.
func clean() want { return want{outcome: outClean} }

func (w want) atMost(s rules.Severity) want    { w.maxSev = s; return w }
func (w want) conf(lo, hi float64) want        { w.minConf, w.maxConf = lo, hi; return w }
func (w want) minConfidence(lo float64) want   { w.minConf = lo; return w }
func (w want) maxConfidence(hi float64) want   { w.maxConf = hi; return w }
func (w want) exactly(signals ...string) want  { w.signals = signals; return w }
func (w want) with(signals ...string) want     { w.hasSignals = signals; return w }
func (w want) without(signals ...string) want  { w.lacksSignals = signals; return w }
func (w want) citing(items ...string) want     { w.cites = items; return w }
func (w want) citingOnly(items ...string) want { w.citesOnly = items; return w }

// citingInOrder expects exactly these items, in this order.
func (w want) citingInOrder(items ...string) want {
	w.citesOnly, w.inOrder = items, true
	return w
}
func (w want) opposedBy(items ...string) want { w.against = items; return w }
func (w want) unopposed() want                { w.noAgainst = true; return w }
func (w want) forVMs(vms ...string) want      { w.vms = vms; return w }
func (w want) citedFrom(source string) want   { w.from = source; return w }
func (w want) because(why ...string) want     { w.why = why; return w }
func (w want) needs(inputs ...string) want    { w.missing = inputs; return w }
func (w want) needsNothing() want             { w.noneMissing = true; return w }

// needsExactly expects exactly these inputs asked for to decide the cause.
func (w want) needsExactly(inputs ...string) want {
	w.missing, w.onlyMissing = inputs, true
	return w
}

// lowAllowed lets a near miss leave a finding of at most sev.
func (w want) lowAllowed(sev rules.Severity) want { w.upTo = sev; return w }

// nearMiss reports whether a row tells why the cause is not a finding.
func (w want) nearMiss() bool {
	switch w.outcome {
	case outRuledOut:
		return len(w.why) > 0
	case outMissing:
		return len(w.missing) > 0
	case outClean:
		return len(w.why) > 0 || len(w.missing) > 0
	}
	return false
}

// causeCases is every row of every area.
func causeCases() []causeCase {
	return slices.Concat(
		backupCases, backupLogCases, chainCases, checkpointCases, clusterCases,
		cmdErrorCases, configCases, noiseCases, permissionCases, storageCases,
		vssCases,
	)
}

func TestCauses(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range causeCases() {
		name := c.cause + "/" + c.name
		require.False(t, seen[name], "two rows named %s", name)
		seen[name] = true
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b := analyzeFiles(t, c.build(t))
			if os.Getenv("HVTRIAGE_TABLE_DUMP") != "" {
				t.Log(name + ": " + dumpCause(b, c.cause))
			}
			c.want.check(t, b, c.cause)
			for _, o := range c.others {
				assert.True(t, b.has(o), "%s should be found too; findings: %v", o, b.causes())
			}
			for _, o := range c.notOthers {
				assert.False(t, b.has(o), "%s should not be found; findings: %v", o, b.causes())
			}
			if c.also != nil {
				c.also(t, b)
			}
		})
	}
}

func (w want) check(t *testing.T, b *bundleResult, cause string) {
	t.Helper()
	f := b.by[cause]
	if w.outcome == outFires {
		require.NotNil(t, f, "cause %s not found; findings: %v", cause, b.causes())
		if w.sev != rules.Info {
			assert.Equal(t, w.sev, f.Severity, "severity")
		}
		if w.maxSev != rules.Info {
			assert.LessOrEqual(t, f.Severity, w.maxSev, "severity")
		}
		if w.minConf > 0 {
			assert.GreaterOrEqual(t, f.Confidence, w.minConf, "confidence")
		}
		if w.maxConf > 0 {
			assert.LessOrEqual(t, f.Confidence, w.maxConf, "confidence")
		}
		if w.signals != nil {
			assert.ElementsMatch(t, w.signals, signalIDs(f), "signals")
		}
		assert.Subset(t, signalIDs(f), w.hasSignals, "signals")
		for _, s := range w.lacksSignals {
			assert.NotContains(t, signalIDs(f), s, "signals")
		}
		for _, item := range w.cites {
			assert.True(t, citesItem(f.Evidence, item), "%s does not cite %q; it cites:\n%s", cause, item, strings.Join(cited(f), "\n"))
		}
		switch {
		case w.citesOnly != nil && w.inOrder:
			assert.Equal(t, w.citesOnly, cited(f), "evidence")
		case w.citesOnly != nil:
			assert.ElementsMatch(t, w.citesOnly, cited(f), "evidence")
		}
		if w.against != nil {
			assert.ElementsMatch(t, w.against, citedAgainst(f), "counter-evidence")
		}
		if w.noAgainst {
			assert.Empty(t, f.Against, "counter-evidence")
		}
		if w.from != "" {
			for _, e := range f.Evidence {
				assert.Equal(t, w.from, e.Source, "cited")
			}
		}
		if w.vms != nil {
			assert.Equal(t, w.vms, f.VMs, "VMs")
		}
	} else {
		if f != nil {
			require.NotEqual(t, rules.Info, w.upTo, "%s fired (%s, %.2f, %v); findings: %v", cause, f.Severity, f.Confidence, signalIDs(f), b.causes())
			assert.LessOrEqual(t, f.Severity, w.upTo, "%s fired above %s", cause, w.upTo)
			for _, s := range w.lacksSignals {
				assert.NotContains(t, signalIDs(f), s, "signals")
			}
		}
		if w.outcome == outRuledOut {
			require.True(t, b.ruledOut(cause), "%s is not ruled out (missing: %v)", cause, b.missingFor(cause))
		}
		for _, words := range w.why {
			assert.Contains(t, b.ruledOutWhy(cause), words, "the ruled-out reason")
		}
	}
	if w.onlyMissing {
		assert.ElementsMatch(t, w.missing, b.missingFor(cause), "inputs asked for to decide %s", cause)
	}
	assert.Subset(t, b.missingFor(cause), w.missing, "inputs asked for to decide %s", cause)
	if w.noneMissing {
		assert.Empty(t, b.missingFor(cause), "inputs asked for to decide %s", cause)
	}
}

// citesItem reports whether the evidence holds item, "source locator
// signal": the item's signal is one of those the evidence names, or all
// of them as the finding lists them.
func citesItem(evs []rules.Cited, item string) bool {
	for _, c := range evs {
		at := c.Source + " " + c.At.String() + " "
		if item == at+c.Signal {
			return true
		}
		for _, s := range strings.Split(c.Signal, ", ") {
			if item == at+s {
				return true
			}
		}
	}
	return false
}

func dumpCause(b *bundleResult, cause string) string {
	var sb strings.Builder
	if f := b.by[cause]; f != nil {
		fmt.Fprintf(&sb, "finding %s %.2f signals %v\n  cites %q\n  against %q\n  vms %v\n", f.Severity, f.Confidence, signalIDs(f), cited(f), citedAgainst(f), f.VMs)
	}
	fmt.Fprintf(&sb, "ruled out %v: %q\nmissing %v\nall findings %v", b.ruledOut(cause), b.ruledOutWhy(cause), b.missingFor(cause), b.causes())
	return sb.String()
}

// TestEveryCauseHasRows holds the table to the catalog: every cause has
// a row where it fires and a near-miss row that asserts why it does not
// (its ruled-out reason or the input that would decide it), and no row
// names a cause the catalog lacks.
func TestEveryCauseHasRows(t *testing.T) {
	cat, err := rules.Default()
	require.NoError(t, err)
	firing, near, rows := map[string]int{}, map[string]int{}, map[string]int{}
	for _, c := range causeCases() {
		assert.NotNil(t, cat.Cause(c.cause), "row %q names %s, which the catalog lacks", c.name, c.cause)
		rows[c.cause]++
		if c.want.outcome == outFires {
			firing[c.cause]++
		}
		if c.want.nearMiss() {
			near[c.cause]++
		}
	}
	for _, c := range cat.Causes {
		if firing[c.ID] == 0 {
			t.Errorf("%s has no row where it fires", c.ID)
		}
		if near[c.ID] == 0 {
			t.Errorf("%s has no near-miss row asserting its ruled-out reason or missing input", c.ID)
		}
		t.Logf("%-36s rows %2d  firing %2d  near-miss %2d", c.ID, rows[c.ID], firing[c.ID], near[c.ID])
	}
}
