package evidence_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/hvtriage/hvtriage/evidence"
)

func TestDeclares(t *testing.T) {
	tests := []struct {
		kind evidence.Kind
		attr string
		want bool
	}{
		{evidence.KindVSSWriter, evidence.AttrLastError, true},
		{evidence.KindVSSWriter, "last_eror", false},    // a typo is not declared
		{evidence.KindVSSWriter, evidence.AttrVM, true}, // common to every kind
		{evidence.KindEvent, "data.VmName", true},       // payload fields are open-ended
		{evidence.KindEvent, "user.Parameter0", true},
		{evidence.KindCmdError, "data.VmName", false}, // but only on events
		{evidence.KindDerived, evidence.AttrPath, false},
		{"no.such.kind", evidence.AttrName, false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, evidence.Declares(tt.kind, tt.attr), "%s %s", tt.kind, tt.attr)
	}
}

func TestLocatorString(t *testing.T) {
	assert.Equal(t, "whole file", evidence.Locator{}.String())
	assert.Equal(t, "record 4711", evidence.AtRecord(4711).String())
	assert.Equal(t, "line 12", evidence.AtLine(12).String())
	assert.Equal(t, "offset 0x10000", evidence.AtOffset(0x10000).String())
}

func TestLessOrdersBySourceThenPlace(t *testing.T) {
	a := evidence.Evidence{Kind: evidence.KindEvent, Source: "a.evtx", At: evidence.AtRecord(9)}
	b := evidence.Evidence{Kind: evidence.KindEvent, Source: "b.evtx", At: evidence.AtRecord(1)}
	c := evidence.Evidence{Kind: evidence.KindEvent, Source: "b.evtx", At: evidence.AtRecord(2)}
	assert.True(t, a.Less(&b))
	assert.True(t, b.Less(&c))
	assert.False(t, c.Less(&b))
	assert.False(t, c.Less(&c), "an item is not before itself")
}

func TestCoverageIgnoresCase(t *testing.T) {
	c := evidence.Coverage{}
	c.Add("channel:Microsoft-Windows-Hyper-V-VMMS-Admin")
	assert.True(t, c.Has("file:vssadmin-writers", "channel:microsoft-windows-hyper-v-vmms-admin"))
	assert.False(t, c.Has("file:vssadmin-writers"))
}

func TestProblemKeepsTheReadersError(t *testing.T) {
	readerErr := errors.New("bad checksum")
	var err error = evidence.Problem{Msg: "chunk 3: bad checksum, 41 records skipped", At: evidence.AtOffset(0x31000), Err: readerErr}
	assert.EqualError(t, err, "chunk 3: bad checksum, 41 records skipped")
	assert.ErrorIs(t, err, readerErr)
	var p evidence.Problem
	assert.True(t, errors.As(err, &p))
	assert.Equal(t, "offset 0x31000", p.At.String())
}
