package vhdx_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/hvtriage/hvtriage/vhdx"
	"github.com/hvtriage/hvtriage/vhdx/vhdxtest"
)

func BenchmarkOpen(b *testing.B) {
	p := mustVHDX(b, vhdxtest.Options{Seed: "p"})
	pf := openBytes(b, p)
	c := mustVHDX(b, vhdxtest.ChildOf("c", pf, `.\p.vhdx`, `C:\p.vhdx`, ""))
	r := bytes.NewReader(c)
	b.SetBytes(int64(len(c)))
	for b.Loop() {
		if _, err := vhdx.Open(r, int64(len(c))); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpenVHD(b *testing.B) {
	c, err := vhdxtest.VHD(vhdxtest.VHDOptions{Seed: "c", ParentUniqueID: vhdxtest.GUID("p", "id"), AbsolutePath: `D:\p.vhd`, RelativePath: `.\p.vhd`})
	if err != nil {
		b.Fatal(err)
	}
	r := bytes.NewReader(c)
	for b.Loop() {
		if _, err := vhdx.OpenVHD(r, int64(len(c))); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBuildChains: 100 VMs, each a base disk with a 5-deep checkpoint chain.
func BenchmarkBuildChains(b *testing.B) {
	var disks []vhdx.Disk
	for vm := 0; vm < 100; vm++ {
		prev := vhdxtest.GUID(fmt.Sprint(vm), "0")
		disks = append(disks, vhdx.Disk{Path: fmt.Sprintf("vm%d/disk.vhdx", vm), Format: vhdx.FormatVHDX, Type: vhdx.DiskTypeDynamic, HasID: true, ID: prev})
		parent := "disk.vhdx"
		for k := 1; k <= 5; k++ {
			id := vhdxtest.GUID(fmt.Sprint(vm), fmt.Sprint(k))
			name := fmt.Sprintf("disk_%d.avhdx", k)
			disks = append(disks, vhdx.Disk{Path: fmt.Sprintf("vm%d/%s", vm, name), Format: vhdx.FormatVHDX, Type: vhdx.DiskTypeDifferencing,
				HasID: true, ID: id, ParentInfo: true, ParentLinkage: []vhdx.GUID{prev},
				ParentPaths: []vhdx.ParentPath{{Kind: vhdx.PathRelative, Path: `.\` + parent}, {Kind: vhdx.PathAbsolute, Path: `C:\VMs\` + parent}}})
			prev, parent = id, name
		}
	}
	for b.Loop() {
		set := vhdx.BuildChains(disks, vhdx.ChainOptions{References: []string{`C:\VMs\vm1\disk_5.avhdx`}})
		if len(set.Chains) != 100 {
			b.Fatalf("%d chains", len(set.Chains))
		}
	}
}
