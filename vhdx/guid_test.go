package vhdx_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvtriage/hvtriage/vhdx"
)

func TestGUIDLayout(t *testing.T) {
	// Hyper-V's parent_linkage for dfvfs fat-parent.vhdx and its on-disk bytes.
	disk := vhdx.GUID{0x92, 0x4d, 0x8d, 0xf8, 0xcc, 0x6f, 0x8d, 0x40, 0x9b, 0xef, 0x9b, 0x7c, 0x89, 0xf1, 0x5c, 0x89}
	assert.Equal(t, "F88D4D92-6FCC-408D-9BEF-9B7C89F15C89", disk.String())
	assert.Equal(t, "{f88d4d92-6fcc-408d-9bef-9b7c89f15c89}", disk.Braced())
	// The metadata region GUID as the spec lists its bytes.
	assert.Equal(t, vhdx.GUID{0x06, 0xa2, 0x7c, 0x8b, 0x90, 0x47, 0x9a, 0x4b, 0xb8, 0xfe, 0x57, 0x5f, 0x05, 0x0f, 0x88, 0x6e}, vhdx.RegionMetadata)
	assert.Equal(t, vhdx.GUID{0xb7, 0xef, 0x4a, 0xb0, 0x9e, 0xd1, 0x81, 0x4a, 0xb7, 0x89, 0x25, 0xb8, 0xe9, 0x44, 0x59, 0x13}, vhdx.LocatorTypeVHDX)
}

func TestParseGUID(t *testing.T) {
	want, err := vhdx.ParseGUID("F88D4D92-6FCC-408D-9BEF-9B7C89F15C89")
	require.NoError(t, err)
	tests := []struct {
		in      string
		wantErr bool
	}{
		{"{f88d4d92-6fcc-408d-9bef-9b7c89f15c89}", false},
		{"f88d4d92-6fcc-408d-9bef-9b7c89f15c89", false},
		{" {F88D4D92-6fcc-408D-9BEF-9b7c89f15c89} ", false},
		{"f88d4d926fcc408d9bef9b7c89f15c89", true},
		{"{f88d4d92-6fcc-408d-9bef-9b7c89f15c8}", true},
		{"{f88d4d92-6fcc-408d-9bef-9b7c89f15c8g}", true},
		{"f88d4d92+6fcc-408d-9bef-9b7c89f15c89", true},
		{"", true},
		{"{}", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			g, err := vhdx.ParseGUID(tt.in)
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, want, g)
		})
	}
	var g vhdx.GUID
	require.NoError(t, g.UnmarshalText([]byte(want.Braced())))
	assert.Equal(t, want, g)
	text, err := g.MarshalText()
	require.NoError(t, err)
	assert.Equal(t, want.String(), string(text))
	assert.True(t, vhdx.GUID{}.IsZero())
	assert.False(t, want.IsZero())
}

func TestDetect(t *testing.T) {
	vhdxHead := append([]byte("vhdxfile"), make([]byte, 100)...)
	footer := make([]byte, 512)
	copy(footer, "conectix")
	fixedVHD := append(make([]byte, 4096), footer...)
	oldVHD := append(make([]byte, 4096), footer[:511]...)
	tests := []struct {
		name string
		b    []byte
		want vhdx.Format
	}{
		{"vhdx", vhdxHead, vhdx.FormatVHDX},
		{"vhd footer at end", fixedVHD, vhdx.FormatVHD},
		{"vhd 511-byte footer", oldVHD, vhdx.FormatVHD},
		{"vhd copy at 0 only (head collected)", append(append([]byte(nil), footer...), make([]byte, 4096)...), vhdx.FormatVHD},
		{"empty", nil, vhdx.FormatUnknown},
		{"short", []byte("vhdx"), vhdx.FormatUnknown},
		{"zeros", make([]byte, 8192), vhdx.FormatUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, vhdx.Detect(bytesReader(tt.b), int64(len(tt.b))))
		})
	}
	assert.Equal(t, "VHDX", vhdx.FormatVHDX.String())
	assert.Equal(t, "VHD", vhdx.FormatVHD.String())
	assert.Equal(t, "unknown", vhdx.FormatUnknown.String())
}
