package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

// JSON.Write indents the compact encoding on its way out instead of
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

// writeIndented indents compact JSON as json.Indent does, over random
// values: nested objects and lists (empty ones too), strings with quotes,
// backslashes, brackets, commas and colons inside, numbers, booleans and
// null.
func TestWriteIndentedSameAsIndent(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	strs := []string{"", "a", `q"uote`, `back\slash`, `\"`, "{[,:]}", "é日本", "\u2028", "&<>", "\t\n", `\\`, "x,y:z"}
	var value func(depth int) any
	value = func(depth int) any {
		switch k := r.IntN(8); {
		case depth > 4 || k == 0:
			return strs[r.IntN(len(strs))]
		case k == 1:
			return r.Float64() * 1e6
		case k == 2:
			return []bool{true, false}[r.IntN(2)]
		case k == 3:
			return nil
		case k < 6:
			m := map[string]any{}
			for range r.IntN(4) {
				m[strs[r.IntN(len(strs))]] = value(depth + 1)
			}
			return m
		default:
			l := []any{}
			for range r.IntN(4) {
				l = append(l, value(depth+1))
			}
			return l
		}
	}
	for range 5000 {
		var compact bytes.Buffer
		enc := json.NewEncoder(&compact)
		enc.SetEscapeHTML(false)
		require.NoError(t, enc.Encode(value(0)))
		var want bytes.Buffer
		require.NoError(t, json.Indent(&want, compact.Bytes(), "", "  "))
		var got bytes.Buffer
		bw := bufio.NewWriter(&got)
		writeIndented(bw, compact.Bytes())
		require.NoError(t, bw.Flush())
		require.Equal(t, want.String(), got.String(), "%s", compact.Bytes())
	}
}
