package evtx

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDetect(t *testing.T) {
	damaged := make([]byte, fileHeaderBlock+len(chunkMagic))
	copy(damaged, "ElfFilf\x00")
	copy(damaged[fileHeaderBlock:], chunkMagic)
	tests := []struct {
		name string
		head []byte
		want bool
	}{
		{"signature", []byte("ElfFile\x00rest"), true},
		{"damaged_signature_chunk_at_4096", damaged, true},
		{"damaged_signature_cut_before_chunk", damaged[:fileHeaderBlock+4], false},
		{"empty", nil, false},
		{"text", []byte("ElfFile is not a log"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, Detect(tt.head))
		})
	}
}

func TestSniffXML(t *testing.T) {
	assert.True(t, SniffXML(`<Events><Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">`))
	assert.False(t, SniffXML(`<Event xmlns="urn:other">`))
}
