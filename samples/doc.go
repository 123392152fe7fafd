// Package samples holds the regression corpus: realistic bundles, one or
// more per documented cause, each with the findings it must produce.
//
// The bundles are generated: `go generate ./samples/...` runs ./gen, which
// writes every sample from its definition in gen/. The committed files must
// equal what the generator writes (TestSamplesMatchGenerator checks it), and
// each sample's report must equal its golden file (regenerate with
// `go test ./samples -update` and review the diff like code).
package samples

//go:generate go run ./gen -out .
