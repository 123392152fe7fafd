package extract

import (
	"errors"

	"github.com/hvtriage/hvtriage/cmdout"
	"github.com/hvtriage/hvtriage/evidence"
	"github.com/hvtriage/hvtriage/evtx"
	"github.com/hvtriage/hvtriage/vhdx"
)

// ErrProblem turns an error from a reader into a Problem that keeps the
// error and the offset or line it carries, found with errors.As on the
// readers' error types. The message is err's own text.
func ErrProblem(err error) evidence.Problem {
	p := evidence.Problem{Msg: err.Error(), Err: err}
	var (
		vf *vhdx.FormatError
		vp *vhdx.ProblemError
		ef *evtx.FormatError
		ec *evtx.ChunkError
	)
	switch {
	case errors.As(err, &vf):
		p.At = evidence.AtOffset(vf.Off)
	case errors.As(err, &vp):
		p.At = diskProblem(vp.Problem).At
	case errors.As(err, &ef):
		p.At = evidence.AtOffset(ef.Off)
	case errors.As(err, &ec):
		p.At = chunkLocator(ec)
	}
	return p
}

// textProblem is a command output's problem, located by its line.
func textProblem(p cmdout.Problem) evidence.Problem {
	out := evidence.Problem{Msg: p.String()}
	if p.Line > 0 {
		out.At = evidence.AtLine(p.Line)
	}
	return out
}

// diskProblem is a disk header's problem, located by its byte offset.
func diskProblem(p vhdx.Problem) evidence.Problem {
	out := evidence.Problem{Msg: p.String(), Err: p.Err()}
	if p.Off >= 0 {
		out.At = evidence.AtOffset(p.Off)
	}
	return out
}

// chunkLocator is where a skipped stretch of an event log is: the line of
// an XML event, or the byte offset of a chunk or record.
func chunkLocator(e *evtx.ChunkError) evidence.Locator {
	if e.Line > 0 {
		return evidence.AtLine(e.Line)
	}
	return evidence.AtOffset(e.Offset)
}
