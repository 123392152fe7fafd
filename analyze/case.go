package analyze

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/hvtriage/hvtriage/cmdout"
)

// RunCase analyzes the bundles of one case as one: a follow-up collection
// added to the first, or one bundle per cluster node. Every file keeps its
// bundle as the first element of its path ("HV01.zip/logs/System.evtx"),
// the way files of a zip inside a bundle keep the zip's name, so evidence
// still names the file it came from. Evidence, VMs and disks are pooled:
// a checkpoint disk on a CSV collected from one node and the VM running on
// it seen from another make one chain. A disk is judged orphaned only when
// every bundle holds its host's VM inventory; a node whose inventory is
// missing may be the one running the VM.
func RunCase(ctx context.Context, paths []string, opt Options) (*Result, error) {
	if len(paths) == 1 {
		return Run(ctx, paths[0], opt)
	}
	if opt.Limits == (Limits{}) {
		opt.Limits = DefaultLimits()
	}
	parts := make([]*Bundle, 0, len(paths))
	defer func() {
		for _, b := range parts {
			b.Close()
		}
	}()
	for _, p := range paths {
		b, err := OpenBundle(p, opt.Limits)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		parts = append(parts, b)
	}
	return analyzeBundle(ctx, mergeBundles(parts), opt)
}

// mergeBundles makes one bundle of several, each under a folder named
// after it. Two bundles of the same name (node1/logs.zip, node2/logs.zip)
// get "logs.zip", "logs.zip~2".
func mergeBundles(parts []*Bundle) *Bundle {
	m := &Bundle{lim: parts[0].lim, seen: map[string]bool{}, dups: map[string]int{}}
	used := map[string]int{}
	var names []string
	for _, b := range parts {
		name := b.Name
		used[strings.ToLower(name)]++
		if n := used[strings.ToLower(name)]; n > 1 {
			name = fmt.Sprintf("%s~%d", name, n)
		}
		names = append(names, name)
		pre := name + "/"
		m.parts = append(m.parts, pre)
		for _, e := range b.Entries {
			// A new entry over the same content: each keeps its own
			// random-access view and releases it itself.
			m.Entries = append(m.Entries, &Entry{Path: pre + e.Path, Size: e.Size, open: e.open, readerAt: e.readerAt, sum: e.sum})
		}
		for _, r := range b.Rejected {
			r.Path = pre + r.Path
			m.Rejected = append(m.Rejected, r)
		}
		for _, a := range b.Archives {
			a.Path = pre + a.Path
			m.Archives = append(m.Archives, a)
		}
	}
	m.Name = strings.Join(names, " + ")
	// The case's digest is the digest of its bundles' names and digests,
	// in the order given.
	m.digest = func() func() (string, error) {
		waits := make([]func() (string, error), len(parts))
		for i, b := range parts {
			waits[i] = b.startDigest()
		}
		return func() (string, error) {
			h := sha256.New()
			for i, wait := range waits {
				sum, err := wait()
				if err != nil {
					return "", fmt.Errorf("%s: %w", names[i], err)
				}
				fmt.Fprintf(h, "%s\x00%s\n", names[i], sum)
			}
			return hex.EncodeToString(h.Sum(nil)), nil
		}
	}
	return m
}

// inventoryKinds are the file kinds that give a host's VMs with the disks
// they run on: what a disk needs to be judged orphaned.
var inventoryKinds = []string{"file:" + string(cmdout.KindVMList), "file:" + string(cmdout.KindVMHardDisk), "file:" + string(cmdout.KindSDPBasicInfo)}

// everyInventoryIn reports whether every part of a case holds a VM
// inventory that was read. A single bundle (no parts) always does: there,
// the chain stage's own rule applies (orphans only when current disks are
// known).
func everyInventoryIn(parts []string, outcomes []fileOutcome) bool {
	for _, pre := range parts {
		in := false
		for _, o := range outcomes {
			if !strings.HasPrefix(o.record.Path, pre) || (o.record.Status != StatusParsed && o.record.Status != StatusPartial) {
				continue
			}
			if slices.Contains(inventoryKinds, "file:"+o.record.Kind) || slices.ContainsFunc(o.extraction.Coverage, func(k string) bool { return slices.Contains(inventoryKinds, k) }) {
				in = true
				break
			}
		}
		if !in {
			return false
		}
	}
	return true
}
