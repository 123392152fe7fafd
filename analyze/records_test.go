package analyze

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvtriage/hvtriage/cmdout"
	"github.com/hvtriage/hvtriage/evidence"
)

// sampleRecords holds records of the cmdout.Record types that have no
// file in cmdout/testdata, with every field set that adds an attribute.
// The records parsed from those files are samples too (recordSamples).
var sampleRecords = []cmdout.Record{
	cmdout.IntegrationService{Line: 4, VMName: "SQL07", VMID: "3c1f7a52-9d4e-4b86-a0f3-5e2d8c1b7a94", Name: "VSS",
		Enabled: "True", PrimaryStatus: "No Contact", SecondaryStatus: "Lost Communication"},
	cmdout.CSVState{Line: 3, Name: "Cluster Disk 2", VolumeName: `C:\ClusterStorage\Volume1\`, VolumeFriendlyName: "Volume1",
		Node: "HV21", StateInfo: "FileSystemRedirected", FileSystemRedirectedIOReason: "IncompatibleFileSystemFilter",
		BlockRedirectedIOReason: "NotBlockRedirected"},
	cmdout.BootEntry{Line: 14, Title: "Windows Boot Loader", Identifier: "{current}", Description: "Windows Server",
		HypervisorLaunchType: "Off", HypervisorLaunchTypeLine: 25},
	cmdout.HyperVRequirements{Line: 12, VMMonitorMode: "yes", VirtualizationInFirmware: "no", SLAT: "yes", DEP: "yes", VirtualizationLine: 13},
	cmdout.FileAttr{Line: 5, Tool: "compact", Dir: `D:\Hyper-V\WEB05\`, Name: "WEB05.vhdx", Set: true},
	cmdout.FileAttr{Line: 5, Tool: "cipher", Dir: `D:\Hyper-V\WEB05\`, Name: "WEB05.vhdx", Set: true},
}

// recordSamples returns sampleRecords and every record parsed from the
// files in cmdout/testdata.
func recordSamples(t *testing.T) []cmdout.Record {
	t.Helper()
	out := slices.Clone(sampleRecords)
	files, err := filepath.Glob(filepath.Join("..", "cmdout", "testdata", "*"))
	require.NoError(t, err)
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			continue // a folder (fuzz corpora)
		}
		doc, _, _ := cmdout.ParseBytes(b)
		out = append(out, doc.Records...)
	}
	return out
}

// TestRecordsFollowTheSchema holds every output that says its own evidence
// (cmdout.Record) to the vocabulary: its kind exists, every attribute is
// declared for it, and it cites a line.
func TestRecordsFollowTheSchema(t *testing.T) {
	for _, r := range recordSamples(t) {
		f := r.Evidence()
		name := reflect.TypeOf(r).Name()
		_, known := evidence.Schema[evidence.Kind(f.Kind)]
		require.True(t, known, "%s says evidence kind %q, which evidence.Schema does not declare", name, f.Kind)
		for a := range f.Attrs {
			assert.True(t, evidence.Declares(evidence.Kind(f.Kind), a), "%s: attribute %q is not declared for %s in evidence/schema.go", name, a, f.Kind)
		}
		assert.Positive(t, f.Line, name)
		assert.NotEmpty(t, f.Summary, name)
	}
}

// TestEveryRecordTypeHasASample: a new record type in cmdout gets a file
// in cmdout/testdata (or a sample above), so the schema test covers it.
func TestEveryRecordTypeHasASample(t *testing.T) {
	sampled := map[string]bool{}
	for _, r := range recordSamples(t) {
		sampled[reflect.TypeOf(r).Name()] = true
	}
	files, err := filepath.Glob(filepath.Join("..", "cmdout", "*.go"))
	require.NoError(t, err)
	var types []string
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.SkipObjectResolution)
		require.NoError(t, err)
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || fn.Name.Name != "Evidence" || fn.Type.Results == nil || len(fn.Type.Results.List) != 1 {
				continue
			}
			if res, ok := fn.Type.Results.List[0].Type.(*ast.Ident); !ok || res.Name != "Fact" {
				continue
			}
			recv := fn.Recv.List[0].Type
			if star, ok := recv.(*ast.StarExpr); ok {
				recv = star.X
			}
			if id, ok := recv.(*ast.Ident); ok {
				types = append(types, id.Name)
			}
		}
	}
	require.NotEmpty(t, types, "no Evidence methods found in cmdout")
	for _, name := range types {
		assert.True(t, sampled[name], "cmdout.%s is a Record: add a file of its output to cmdout/testdata or a sample to sampleRecords", name)
	}
}
