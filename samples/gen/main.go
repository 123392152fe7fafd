// Command gen writes the sample bundles of hvtriage's regression corpus
// from their definitions in ../samplegen:
//
//	go run ./samples/gen -out samples
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/hvtriage/hvtriage/samples/samplegen"
)

func main() {
	out := flag.String("out", "samples", "directory that receives one folder per sample")
	only := flag.String("only", "", "write only this sample")
	flag.Parse()
	if err := samplegen.WriteAll(*out, *only); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
