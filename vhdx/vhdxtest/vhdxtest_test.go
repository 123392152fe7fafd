package vhdxtest_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hvtriage/hvtriage/vhdx"
	"github.com/hvtriage/hvtriage/vhdx/vhdxtest"
)

func TestDeterministic(t *testing.T) {
	a, err := vhdxtest.VHDX(vhdxtest.Options{Seed: "s"})
	require.NoError(t, err)
	b, err := vhdxtest.VHDX(vhdxtest.Options{Seed: "s"})
	require.NoError(t, err)
	assert.Equal(t, a, b)
	c, err := vhdxtest.VHDX(vhdxtest.Options{Seed: "t"})
	require.NoError(t, err)
	assert.NotEqual(t, a, c)
	assert.Len(t, a, 4<<20, "a new Hyper-V dynamic disk is 4 MiB")
	assert.NotEqual(t, vhdxtest.GUID("s", "a"), vhdxtest.GUID("s", "b"))
}

func TestInvalidOptions(t *testing.T) {
	_, err := vhdxtest.VHDX(vhdxtest.Options{VirtualSize: 1000})
	assert.ErrorContains(t, err, "multiple of the sector size")
	_, err = vhdxtest.VHDX(vhdxtest.Options{VirtualSize: 64 << 40, BlockSize: 1 << 20})
	assert.ErrorContains(t, err, "too large")
	_, err = vhdxtest.VHD(vhdxtest.VHDOptions{Type: vhdx.DiskTypeFixed, CurrentSize: 1 << 30})
	assert.ErrorContains(t, err, "too large")
}
