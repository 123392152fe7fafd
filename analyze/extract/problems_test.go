package extract

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/hvtriage/hvtriage/cmdout"
	"github.com/hvtriage/hvtriage/evidence"
	"github.com/hvtriage/hvtriage/evtx"
	"github.com/hvtriage/hvtriage/vhdx"
)

// TestProblemsKeepTheirLocator: a reader's offset or line survives as a
// Locator beside the text the report prints, which stays the reader's own.
func TestProblemsKeepTheirLocator(t *testing.T) {
	format := &vhdx.FormatError{Off: 0x30000, Msg: "region table checksum mismatch"}
	chunk := &evtx.ChunkError{Line: 41, Err: evtx.ErrXMLEvent}
	tests := []struct {
		name string
		got  evidence.Problem
		at   evidence.Locator
		msg  string
	}{
		{"vhdx_format_error_wrapped", ErrProblem(fmt.Errorf("opening: %w", format)), evidence.AtOffset(0x30000), "opening: " + format.Error()},
		{"evtx_format_error", ErrProblem(&evtx.FormatError{Off: 0, Msg: "missing ElfFile signature"}), evidence.AtOffset(0), "evtx: missing ElfFile signature at byte 0x0"},
		{"evtx_xml_event", ErrProblem(chunk), evidence.AtLine(41), chunk.Error()},
		{"plain_error", ErrProblem(errors.New("read failed")), evidence.Locator{}, "read failed"},
		{"text_line", textProblem(cmdout.Problem{Line: 7, Msg: "bad state"}), evidence.AtLine(7), "line 7: bad state"},
		{"disk_offset", diskProblem(vhdx.Problem{Off: 0x10000, Kind: vhdx.ProblemChecksum, Severity: vhdx.SeverityWarning, Msg: "header 1"}),
			evidence.AtOffset(0x10000), "warning (checksum) at 0x10000: header 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.at, tt.got.At)
			assert.Equal(t, tt.msg, tt.got.String())
		})
	}
	assert.ErrorIs(t, ErrProblem(fmt.Errorf("x: %w", format)).Err, vhdx.ErrFormat)
}
