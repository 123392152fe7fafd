package extract

import (
	"context"
	"strings"
)

// NameChecks claims, by name, files that are listed and not read: a file
// named .zip that the bundle reader could not open as a zip, a binary file
// named .evtx or .vhdx/.avhdx that lacks its reader's signature (the claim
// carries the note that says so), and wevtutil's locale metadata, which
// hvtriage does not need because it renders messages from the insertion
// strings. It comes after the binary readers, so a renamed event log or
// disk is still read as one.
type NameChecks struct{}

// Name identifies the extractor.
func (NameChecks) Name() string { return "names" }

// Kinds lists the inventory kinds it claims.
func (NameChecks) Kinds() []string { return []string{KindLocaleMetadata, KindUnknown} }

// mtaExtension is wevtutil's rendered-message archives' extension.
const mtaExtension = ".mta"

// Sniff claims by name.
func (NameChecks) Sniff(h *Head) Claim {
	switch {
	case h.ext == ".zip":
		// Real zips were opened by the bundle reader; one that reaches
		// classification did not have the zip signature.
		return Claim{Kind: KindUnknown, Note: "named .zip but is not a zip archive"}
	case h.ext == mtaExtension && strings.Contains(strings.ToLower(h.name), "localemetadata"):
		return Claim{Kind: KindLocaleMetadata}
	case !h.isBinary():
		return Claim{}
	}
	switch h.ext {
	case ".evtx":
		return Claim{Kind: KindUnknown, Note: "named .evtx but does not start with the event log signature"}
	case ".vhdx", ".avhdx":
		return Claim{Kind: KindUnknown, Note: "named " + h.ext + " but does not start with the VHDX signature"}
	}
	return Claim{}
}

// Extract reads nothing: the file is listed as ignored.
func (NameChecks) Extract(ctx context.Context, in Input) (Extraction, error) {
	return Extraction{Ignored: true}, nil
}
