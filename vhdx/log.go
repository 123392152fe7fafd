package vhdx

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
)

const logEntryHeaderLen = 64

// parseLog runs the dirty-log test against the current header.
func (p *parser) parseLog() error {
	f := p.f
	h := f.CurrentHeader()
	if h == nil {
		return nil
	}
	f.Log.Off, f.Log.Length = int64(h.LogOffset), h.LogLength
	if h.LogGUID.IsZero() {
		f.Log.State = LogClean
		return nil
	}
	f.Log.State = LogUnverifiable
	if h.LogVersion != 0 {
		p.probs.add(h.Off+64, ProblemUnsupported, SeverityError, "log version %d, only version 0 is defined", h.LogVersion)
		f.corrupt = true
		return nil
	}
	if h.LogOffset%mib != 0 || h.LogOffset < mib || h.LogLength%mib != 0 || h.LogLength == 0 || h.LogOffset > 1<<62 {
		p.probs.add(h.Off+68, ProblemFormat, SeverityError, "LogGuid %s is set but the log (0x%x bytes at 0x%x) is not a non-empty 1 MiB-aligned range", h.LogGUID, h.LogLength, h.LogOffset)
		f.corrupt = true
		return nil
	}
	if h.LogOffset+uint64(h.LogLength) > uint64(p.size) {
		f.Truncated = true
		p.probs.add(int64(h.LogOffset), ProblemTruncated, SeverityWarning, "LogGuid %s is set but the log (0x%x bytes at 0x%x) was not collected: whether a log replay is pending cannot be verified", h.LogGUID, h.LogLength, h.LogOffset)
		return nil
	}
	f.Parts |= PartLog
	if err := p.scanLog(h); err != nil {
		return err
	}
	if f.Log.Entries > 0 {
		f.Log.State = LogDirty
		p.probs.add(f.Log.FirstEntry, ProblemNote, SeverityWarning, "log is dirty: %d valid log entries carry LogGuid %s; Hyper-V must replay them on the next read-write open (qemu-img check -r all replays too)", f.Log.Entries, h.LogGUID)
	} else {
		f.Log.State = LogClean
		p.probs.add(int64(h.LogOffset), ProblemNote, SeverityInfo, "LogGuid %s is set but no valid log entry carries it: nothing to replay", h.LogGUID)
	}
	return nil
}

// scanLog walks the log region sector by sector and classifies every entry
// with a valid signature and checksum. The region was checked to be within
// the file; each entry is checksummed in bounded chunks, wrapping at the end
// of the circular log, so no buffer is sized by a field from the file.
func (p *parser) scanLog(h *Header) error {
	f := p.f
	le := binary.LittleEndian
	logOff, logLen := int64(h.LogOffset), int64(h.LogLength)
	// Crafted logs can make every sector claim a log-sized entry; bound the
	// bytes checksummed so the scan stays linear in the log size.
	budget := 4*logLen + mib
	next := int64(0) // end of the last valid entry: entries do not overlap
	for s := int64(0); s < logLen; s += logSectorSize {
		if s < next {
			continue
		}
		b, err := readAt(p.r, p.size, logOff+s, logEntryHeaderLen)
		if err != nil {
			return err // the region is within size, so this is a reader fault
		}
		if !bytes.Equal(b[0:4], []byte("loge")) {
			continue
		}
		entryLen := int64(le.Uint32(b[8:]))
		seq := le.Uint64(b[16:])
		descs := int64(le.Uint32(b[24:]))
		if entryLen == 0 || entryLen%logSectorSize != 0 || entryLen > logLen || seq == 0 ||
			logEntryHeaderLen+32*descs > entryLen {
			continue
		}
		if budget -= entryLen; budget < 0 {
			p.probs.add(logOff+s, ProblemFormat, SeverityWarning, "log scan stopped at 0x%x: too many overlapping log entry candidates", logOff+s)
			return nil
		}
		sum, err := p.logEntryCRC(logOff, logLen, s, entryLen)
		if err != nil {
			return err
		}
		if sum != le.Uint32(b[4:]) {
			continue
		}
		next = s + entryLen
		var g GUID
		copy(g[:], b[32:48])
		if g == h.LogGUID {
			if f.Log.Entries == 0 {
				f.Log.FirstEntry = logOff + s
			}
			f.Log.Entries++
		} else {
			f.Log.StaleEntries++
		}
	}
	return nil
}

// logEntryCRC computes the CRC-32C of the entry at log-relative offset start,
// with the checksum field (bytes 4..7) zeroed.
func (p *parser) logEntryCRC(logOff, logLen, start, n int64) (uint32, error) {
	const chunk = kib64
	var c uint32
	for done := int64(0); done < n; {
		pos := (start + done) % logLen
		k := n - done
		if k > chunk {
			k = chunk
		}
		if k > logLen-pos {
			k = logLen - pos
		}
		b, err := readAt(p.r, p.size, logOff+pos, int(k))
		if err != nil {
			return 0, err
		}
		if done == 0 {
			clear(b[4:8])
		}
		c = crc32.Update(c, castagnoli, b)
		done += k
	}
	return c, nil
}
