package vhdx_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/hvtriage/hvtriage/vhdx"
)

func TestDetectHead(t *testing.T) {
	tests := []struct {
		name string
		head string
		want vhdx.Format
	}{
		{"vhdx", "vhdxfile\x00\x00", vhdx.FormatVHDX},
		{"vhd_footer_copy", "conectix\x00\x00", vhdx.FormatVHD},
		{"short", "vhdx", vhdx.FormatUnknown},
		{"other", "ElfFile\x00", vhdx.FormatUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, vhdx.DetectHead([]byte(tt.head)))
		})
	}
}
