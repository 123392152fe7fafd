package evtx

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	golib "github.com/0xrawsec/golang-evtx/evtx"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const golibPath = "github.com/0xrawsec/golang-evtx/evtx"

// TestLibraryCallsAreSynchronous keeps golang-evtx confined to library.go and
// to calls that run in the caller's goroutine. Its iterators panic inside
// goroutines of their own, where no recover can reach, so one damaged chunk
// would end the whole process.
func TestLibraryCallsAreSynchronous(t *testing.T) {
	allowedPkg := map[string]bool{"New": true, "FileHeader": true, "ChunkHeader": true, "Chunk": true, "ErrDirtyFile": true}
	// Methods and functions that start goroutines, or open files themselves.
	forbidden := map[string]bool{
		"Events": true, "FastEvents": true, "UnorderedEvents": true, "MonitorEvents": true,
		"Chunks": true, "UnorderedChunks": true, "FetchChunk": true, "FetchRawChunk": true,
		"Open": true, "OpenDirty": true, "Repair": true, "SetModeCarving": true, "SetMaxJobs": true,
		"SetDebug": true, "ParseStringTable": true, "ParseTemplateTable": true, "ParseEvent": true,
	}
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	fset := token.NewFileSet()
	users := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		require.NoError(t, err)
		local := ""
		for _, imp := range f.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); p == golibPath {
				local = "evtx"
				if imp.Name != nil {
					local = imp.Name.Name
				}
			}
		}
		if local == "" {
			continue
		}
		users++
		assert.Equal(t, "library.go", name, "only library.go may use golang-evtx")
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if id, ok := sel.X.(*ast.Ident); ok && id.Name == local {
				assert.Truef(t, allowedPkg[sel.Sel.Name], "%s: golang-evtx's %s is not on the allowed list", fset.Position(sel.Pos()), sel.Sel.Name)
			}
			assert.Falsef(t, forbidden[sel.Sel.Name], "%s: %s must not be called", fset.Position(sel.Pos()), sel.Sel.Name)
			return true
		})
	}
	assert.Equal(t, 1, users)
}

func TestParseFileHeader(t *testing.T) {
	// Short input: evtx.New itself would panic on it.
	require.Panics(t, func() { _, _ = golib.New(bytes.NewReader(make([]byte, 60))) })
	_, err := parseFileHeader(make([]byte, 60))
	require.Error(t, err)

	h := craftFile(0)[:fileHeaderSize]
	info, err := parseFileHeader(h)
	require.NoError(t, err)
	assert.True(t, info.crcOK)
	assert.False(t, info.damaged())
	assert.False(t, info.dirty())
	assert.EqualValues(t, 1, info.h.ChunkCount)

	h[120] = 3 // dirty and full; the flags lie outside the checksummed bytes
	info, err = parseFileHeader(h)
	require.NoError(t, err)
	require.NoError(t, info.verifyErr, "golang-evtx's Verify misses dirty|full")
	assert.True(t, info.dirty())
	assert.True(t, info.full())
	assert.False(t, info.damaged())
}

func TestChunkHeaderReader(t *testing.T) {
	f := craftFile(0)
	chunk := f[fileHeaderBlock:]
	var r chunkHeaderReader
	info := r.parse(chunk)
	require.True(t, info.parsed)
	assert.True(t, info.verified())
	assert.EqualValues(t, 1, info.h.FirstEventRecID)
	assert.Equal(t, int(info.h.Freespace), info.freeOffset(len(chunk)))

	bad := bytes.Clone(chunk[:chunkHeaderSize])
	copy(bad, "ElfChnX\x00")
	info = r.parse(bad)
	assert.True(t, info.parsed)
	assert.Error(t, info.validateErr)
	assert.False(t, info.verified())
	// A free-space offset outside the records area cannot be used.
	require.EqualValues(t, 555, info.h.Freespace)
	assert.Equal(t, 540, info.freeOffset(540))
	info.h.Freespace = 12
	assert.Equal(t, 700, info.freeOffset(700))
}

// BenchmarkChunkHeaderLibrary measures what decoding a chunk header through
// golang-evtx costs per chunk, to set against BenchmarkWalk's time per chunk.
func BenchmarkChunkHeaderLibrary(b *testing.B) {
	chunk := craftFile(0)[fileHeaderBlock:]
	var r chunkHeaderReader
	b.ReportAllocs()
	for b.Loop() {
		if info := r.parse(chunk); !info.verified() {
			b.Fatal("crafted chunk header did not verify")
		}
	}
}
