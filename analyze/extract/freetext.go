package extract

import (
	"context"
	"strings"
	"time"

	"github.com/hvtriage/hvtriage/cmdout"
	"github.com/hvtriage/hvtriage/evidence"
	"github.com/hvtriage/hvtriage/evtx"
)

// FreeText reads, as the last resort, text files no structured reader
// claims: ticket notes, mails, transcripts, Docker Desktop, WSL, Vagrant,
// Packer or SCVMM output. Each line that mentions a Hyper-V, VSS or
// storage failure becomes a command.error (chain.error for a virtual disk
// code) marked weak, with source "free-text": the engine counts it for
// less than a structured record (see rules.WeakFactor).
type FreeText struct{}

// Name identifies the extractor.
func (FreeText) Name() string { return "free-text" }

// Kinds lists the inventory kind it reads.
func (FreeText) Kinds() []string { return []string{KindFreeText} }

// Sniff claims, last, text that mentions a Hyper-V, VSS or storage failure
// (cmdout.HasMentions): notes, mails, transcripts and tool logs.
func (FreeText) Sniff(h *Head) Claim {
	if !h.isBinary() && (cmdout.HasMentions(h.decoded()) || hasInlineEvents(h.decoded())) {
		return Claim{Kind: KindFreeText}
	}
	return Claim{}
}

// hasInlineEvents says whether a line of the text is an Event Viewer copy
// whose line breaks were lost (evtx.SplitDetailsLine): a web form or a
// chat made the whole paste one line, and ReadMixed reads its events.
func hasInlineEvents(text string) bool {
	for _, l := range cmdout.Lines(text) {
		if len(l) >= evtx.MinDetailsLine {
			if _, ok := evtx.SplitDetailsLine(l); ok {
				return true
			}
		}
	}
	return false
}

// Extract normalizes the text and turns each mention into evidence.
func (FreeText) Extract(ctx context.Context, in Input) (Extraction, error) {
	raw, cut, err := readText(in, MaxTextFile)
	if err != nil {
		return Extraction{}, err
	}
	text, _, cutProblems := decodeText(in, raw, cut, MaxTextFile)
	raw = nil
	m := textMapper{src: in.Path}
	m.mentions(cmdout.ScanFreeText(cmdout.NormalizeFreeText(text)))
	out := Extraction{Evidence: m.out, Records: len(m.out), Coverage: []string{"file:" + KindFreeText}, Problems: cutProblems}
	if note := m.droppedNote(); note != "" {
		out.Notes = append(out.Notes, note)
	}
	out.text = text
	return out, nil
}

// mentions turns free-text mentions into weak evidence.
func (m *textMapper) mentions(found []cmdout.Mention) {
	for _, x := range found {
		code := ""
		if len(x.Codes) > 0 {
			code = x.Codes[0]
		}
		attrs := map[string]string{"command": x.Command, "text": x.Text, "code": code, evidence.AttrPath: x.Path,
			evidence.AttrHResults: strings.ToLower(strings.Join(x.Codes, " ")),
			evidence.AttrWeak:     "true", evidence.AttrSourceKind: KindFreeText}
		if x.VM != "" {
			attrs[evidence.AttrVM] = x.VM
		}
		if x.VMID != "" {
			attrs[evidence.AttrVMID] = x.VMID
		}
		if x.WMICode != "" {
			attrs["wmi_code"] = x.WMICode
		}
		kind := evidence.KindCmdError
		if strings.HasPrefix(code, "0xC03A") {
			kind = evidence.KindChainError
		}
		m.add(kind, x.Line, time.Time{}, "free text: "+x.Text, attrs)
	}
}
