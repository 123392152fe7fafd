package cmdout

import "github.com/hvtriage/hvtriage/wintext"

// The decoder of Windows text lives in wintext, shared with the evtx text
// readers; these names keep cmdout's callers reading as before.
type (
	Problem  = wintext.Problem
	Encoding = wintext.Encoding
)

// Encodings reported by Decode.
const (
	EncUTF8        = wintext.EncUTF8
	EncUTF8BOM     = wintext.EncUTF8BOM
	EncUTF16LEBOM  = wintext.EncUTF16LEBOM
	EncUTF16LE     = wintext.EncUTF16LE
	EncUTF16BEBOM  = wintext.EncUTF16BEBOM
	EncUTF16BE     = wintext.EncUTF16BE
	EncCP850       = wintext.EncCP850
	EncWindows1252 = wintext.EncWindows1252
	EncMixed       = wintext.EncMixed
)

// SniffSize is how many bytes SniffBytes looks at.
const SniffSize = 8 << 10

// ErrTranscode is wintext.ErrTranscode.
var ErrTranscode = wintext.ErrTranscode

// Decode is wintext.Decode.
func Decode(b []byte) (string, Encoding, []Problem) { return wintext.Decode(b) }

// DecodeHead is wintext.DecodeHead.
func DecodeHead(b []byte, limit int) (string, Encoding, []Problem) {
	return wintext.DecodeHead(b, limit)
}

// Transcode is wintext.Transcode.
func Transcode(b []byte, edit func(string) string) ([]byte, error) {
	return wintext.Transcode(b, edit)
}
