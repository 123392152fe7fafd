package report

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

// JSON.Write indents the compact encoding with json.Indent instead of
// encoding through an Encoder with SetIndent: the bytes must be the same,
// for the synthetic report and for values at the edges of indentation
// (empty objects and lists, HTML and non-ASCII characters, escapes).
func TestJSONWriteSameAsIndentingEncoder(t *testing.T) {
	raw, err := os.ReadFile("testdata/synthetic.json.golden")
	require.NoError(t, err)
	var doc Document
	require.NoError(t, json.Unmarshal(raw, &doc))
	docs := []*Document{&doc, {}}
	edge := doc
	edge.Findings = append([]Finding{}, doc.Findings...)
	if len(edge.Findings) > 0 {
		edge.Findings[0].Title = "a && b <c> \"q\" \\ \u2028 é 日本 \x01 {} [] , :"
	}
	docs = append(docs, &edge)
	for _, d := range docs {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		require.NoError(t, enc.Encode(d))
		var got bytes.Buffer
		require.NoError(t, JSON{}.Write(&got, d))
		require.Equal(t, want.String(), got.String())
	}
}
