// Package vhdx reads the headers of Hyper-V virtual disk files (VHDX/AVHDX and
// the legacy VHD/AVHD format) and rebuilds differencing-disk chains from them.
//
// The readers follow the model of debug/pe and archive/zip: they take an
// io.ReaderAt and the file size, check every offset and length found in the
// file before using it, never allocate a buffer sized by a field from the file
// and never panic. Damage that still leaves the file readable (one bad header
// copy, a truncated collection, a bad checksum) is recorded as a Problem on the
// parsed value instead of failing the whole open: support bundles routinely
// hold only the first few MiB of each disk, and the analysis must report what
// could and could not be read.
//
// The chain logic (BuildChains) is pure: it works on Disk values that callers
// build with DiskFromVHDX or DiskFromVHD and does no I/O.
package vhdx

import (
	"errors"
	"fmt"
	"io"
)

var (
	// ErrFormat reports a structure that violates the file format.
	ErrFormat = errors.New("vhdx: invalid format")
	// ErrUnsupported reports a well-formed structure this package cannot
	// interpret, such as a required region or metadata item it does not know.
	ErrUnsupported = errors.New("vhdx: unsupported feature")
	// ErrChecksum reports a structure whose stored checksum does not match
	// its contents.
	ErrChecksum = errors.New("vhdx: checksum mismatch")
)

// FormatError describes a format violation at a byte offset of the file.
// It unwraps to ErrFormat so callers can test it with errors.Is.
type FormatError struct {
	Off int64  // byte offset of the offending record or field
	Msg string // what is wrong
	Val any    // the offending value, if any
}

func (e *FormatError) Error() string {
	msg := "vhdx: " + e.Msg
	if e.Val != nil {
		msg += fmt.Sprintf(" '%v'", e.Val)
	}
	return msg + fmt.Sprintf(" at byte 0x%x", e.Off)
}

// Unwrap makes errors.Is(err, ErrFormat) true for every *FormatError.
func (e *FormatError) Unwrap() error { return ErrFormat }

// Severity ranks a Problem or a chain Issue.
type Severity int

const (
	// SeverityInfo is a note that needs no action (for example a
	// header-only collection, or Disk2VHD's identical headers).
	SeverityInfo Severity = iota
	// SeverityWarning is damage or an anomaly the file survives (one header
	// or region table copy is bad, a checksum mismatch a reader tolerates).
	SeverityWarning
	// SeverityError means the file, or the chain, cannot be used as it is.
	SeverityError
)

func (s Severity) String() string {
	switch s {
	case SeverityInfo:
		return "info"
	case SeverityWarning:
		return "warning"
	case SeverityError:
		return "error"
	}
	return fmt.Sprintf("Severity(%d)", int(s))
}

// ProblemKind classifies a Problem.
type ProblemKind string

const (
	// ProblemTruncated: a structure lies wholly or partly beyond the bytes
	// that were collected.
	ProblemTruncated ProblemKind = "truncated"
	// ProblemChecksum: a stored checksum does not match.
	ProblemChecksum ProblemKind = "checksum"
	// ProblemFormat: a structure violates the format.
	ProblemFormat ProblemKind = "format"
	// ProblemUnsupported: a structure is well formed but not understood.
	ProblemUnsupported ProblemKind = "unsupported"
	// ProblemNote: an observation worth reporting that is not damage.
	ProblemNote ProblemKind = "note"
)

// Problem is one finding about a single file, located by byte offset.
type Problem struct {
	Off      int64 // byte offset in the file; -1 when the problem has no location
	Kind     ProblemKind
	Severity Severity
	Msg      string
}

func (p Problem) String() string {
	if p.Off < 0 {
		return fmt.Sprintf("%s (%s): %s", p.Severity, p.Kind, p.Msg)
	}
	return fmt.Sprintf("%s (%s) at 0x%x: %s", p.Severity, p.Kind, p.Off, p.Msg)
}

// Err returns the problem as an error that wraps the sentinel of its kind:
// ErrChecksum, ErrUnsupported, ErrFormat, or io.ErrUnexpectedEOF for a
// truncation. Notes return nil.
func (p Problem) Err() error {
	var base error
	switch p.Kind {
	case ProblemChecksum:
		base = ErrChecksum
	case ProblemUnsupported:
		base = ErrUnsupported
	case ProblemFormat:
		base = ErrFormat
	case ProblemTruncated:
		base = io.ErrUnexpectedEOF
	default:
		return nil
	}
	return &ProblemError{Problem: p, base: base}
}

// ProblemError is the error form of a Problem.
type ProblemError struct {
	Problem
	base error
}

func (e *ProblemError) Error() string { return "vhdx: " + e.Problem.String() }

// Unwrap returns the sentinel of the problem's kind.
func (e *ProblemError) Unwrap() error { return e.base }

// problems accumulates Problems for one parse.
type problems []Problem

func (ps *problems) add(off int64, kind ProblemKind, sev Severity, format string, args ...any) {
	*ps = append(*ps, Problem{Off: off, Kind: kind, Severity: sev, Msg: fmt.Sprintf(format, args...)})
}
