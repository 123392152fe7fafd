package analyze

import (
	"context"
	"strconv"
	"strings"

	"github.com/hvtriage/hvtriage/cmdout"
	"github.com/hvtriage/hvtriage/rules"
)

// maxTextFile bounds a command output read into memory whole. Real outputs
// are kilobytes; a listing of a big cluster reaches a few megabytes.
const maxTextFile = 64 << 20

// TextOutputs reads captured command outputs (vssadmin, Hyper-V cmdlets,
// fltmc, icacls, secedit, listings) in whatever encoding they came in.
type TextOutputs struct{}

// Name identifies the extractor.
func (TextOutputs) Name() string { return "text" }

// Kinds lists the inventory kinds it reads: every kind cmdout recognizes.
func (TextOutputs) Kinds() []string {
	var kinds []string
	for _, k := range cmdout.AllKinds() {
		if k != cmdout.KindUnknown {
			kinds = append(kinds, string(k))
		}
	}
	return kinds
}

// Extract decodes the file and turns every record of every section into
// evidence with its line number.
func (TextOutputs) Extract(ctx context.Context, in Input) (Extraction, error) {
	raw, err := readAll(in.Entry, maxTextFile)
	if err != nil {
		return Extraction{}, err
	}
	text, _, decodeProblems := cmdout.Decode(raw)
	doc, problems := cmdout.Parse(text)
	var out Extraction
	for _, p := range append(decodeProblems, problems...) {
		out.Problems = append(out.Problems, p.String())
	}
	for _, k := range doc.Kinds {
		out.Coverage = append(out.Coverage, "file:"+string(k))
	}
	src := in.Path
	for _, w := range doc.Writers {
		out.Evidence = append(out.Evidence, writerEvidence(src, w))
	}
	for _, p := range doc.Providers {
		out.Evidence = append(out.Evidence, rules.Evidence{
			Kind: rules.KindVSSProvider, Source: src, At: rules.AtLine(p.Line),
			Summary: "VSS provider " + quote(p.Name) + " (" + p.Type + ")",
			Attrs: map[string]string{rules.AttrName: p.Name, "provider_id": p.ID, "type": p.Type,
				"version": p.Version, "third_party": strconv.FormatBool(p.ThirdParty())},
		})
	}
	out.Records = len(out.Evidence)
	return out, nil
}

// noErrorTexts are the "Last error" values that mean success, in the
// languages vssadmin is commonly seen in.
var noErrorTexts = []string{"no error", "kein fehler", "aucune erreur", "ningún error", "nessun errore", "brak błędu", "geen fout"}

func writerEvidence(src string, w cmdout.Writer) rules.Evidence {
	lastOK := w.LastError == ""
	for _, t := range noErrorTexts {
		if strings.EqualFold(strings.TrimSpace(w.LastError), t) {
			lastOK = true
		}
	}
	summary := "VSS writer " + quote(w.Name) + " state [" + strconv.Itoa(w.State) + "] " + w.StateText
	if w.LastError != "" {
		summary += ", last error: " + w.LastError
	}
	line := w.Line
	if w.StateLine > 0 && (w.Failed() || w.Busy()) {
		line = w.StateLine // cite the line that shows the failure
	}
	return rules.Evidence{
		Kind: rules.KindVSSWriter, Source: src, At: rules.AtLine(line), Summary: summary,
		Attrs: map[string]string{
			rules.AttrName: w.Name, "writer_id": w.ID, "instance_id": w.InstanceID,
			rules.AttrState: strconv.Itoa(w.State), "state_text": w.StateText,
			rules.AttrLastError: w.LastError, "last_error_ok": strconv.FormatBool(lastOK),
			rules.AttrFailed: strconv.FormatBool(w.Failed()), "busy": strconv.FormatBool(w.Busy()),
		},
	}
}

func quote(s string) string { return "'" + s + "'" }
