package rules

import (
	"regexp"
	"strings"

	"github.com/hvtriage/hvtriage/evidence"
)

// One event, one cause. A Hyper-V or VSS event that quotes an error code
// says what went wrong: 0x80070020 is a sharing violation, 0x80070299 the
// file-system limitation, 0x8007045B a shutdown in progress. A generic
// signal (a failed merge, a failed restore, a VSS error) must not count an
// event whose code names another cause; the signals that match the code
// itself carry it. codeRoutes is that table, in one place.

// codeRoute names the causes an error code belongs to; no causes means the
// code is benign for every cause (the operation was cut short on purpose).
type codeRoute struct {
	code   *regexp.Regexp
	causes []string
}

var codeRoutes = []codeRoute{
	{regexp.MustCompile(`^0x80070299$|^0xc0000427$`), []string{"ntfs-file-system-limitation"}},
	{regexp.MustCompile(`^0xc03a001a$`), []string{"vhdx-compressed-or-encrypted"}},
	{regexp.MustCompile(`^0xc03a00(2[0-4]|29|2a|30)$`), []string{"change-tracking-corrupt", "backup-vendor-integration"}},
	{regexp.MustCompile(`^0x80070005$|^0xc03a0016$`), []string{"permission-acl", "antivirus-interference"}},
	{regexp.MustCompile(`^0x80070569$`), []string{"permission-logon-as-service"}},
	{regexp.MustCompile(`^0x80070020$`), []string{"stale-file-lock", "antivirus-interference"}},
	{regexp.MustCompile(`^0x80070070$|^0x8004231f$`), []string{"storage-space-exhausted"}},
	{regexp.MustCompile(`^0x8007045d$`), []string{"storage-connectivity", "filesystem-corruption", "hardware-driver-instability"}},
	{regexp.MustCompile(`^0xc03a000e$`), []string{"chain-parent-modified", "upgrade-with-unmerged-checkpoints"}},
	{regexp.MustCompile(`^0xc03a00(0d|17|18|19)$`), []string{"chain-broken", "upgrade-with-unmerged-checkpoints"}},
	{regexp.MustCompile(`^0x80042316$`), []string{"backup-overlapping-jobs"}},
	{regexp.MustCompile(`^0x80070050$`), []string{"checkpoint-orphaned"}},
	// A system shutdown is in progress: VSS or a checkpoint gave up
	// because the host was going down, not because anything failed.
	{regexp.MustCompile(`^0x8007045b$`), nil},
}

// vssBenignCodes are codes a VSS event quotes for reasons outside VM
// backups: a profile deleted without its registry key leaves a SID that no
// longer converts (0x80070539) in a writer's metadata.
var vssBenignCodes = regexp.MustCompile(`^0x80070539$`)

// routedProviders are the event sources whose codes are routed: Hyper-V's
// own, the virtual disk driver, and VSS.
func routedProvider(p string) bool {
	p = strings.ToLower(p)
	return strings.HasPrefix(p, "microsoft-windows-hyper-v-") || p == "microsoft-windows-vhdmp" || p == "vss"
}

// routedTo returns the causes an event's codes name, and whether any code
// of it is routed at all. An event whose every routed code is benign gives
// (nil, true).
func routedTo(e *evidence.Evidence) (causes []string, routed bool) {
	if e.Kind != evidence.KindEvent || !routedProvider(e.Attrs[evidence.AttrProvider]) {
		return nil, false
	}
	vss := strings.EqualFold(e.Attrs[evidence.AttrProvider], "vss")
	for _, c := range strings.Fields(e.Attrs[evidence.AttrHResults]) {
		c = strings.ToLower(c)
		if vss && vssBenignCodes.MatchString(c) {
			routed = true
			continue
		}
		for _, r := range codeRoutes {
			if r.code.MatchString(c) {
				routed = true
				causes = append(causes, r.causes...)
			}
		}
	}
	return causes, routed
}

// matchesCode reports whether a signal itself matches on an error code
// (its hresults attribute): such a signal has chosen the code and keeps
// every hit.
func (s *Signal) matchesCode() bool {
	_, re := s.Regex[evidence.AttrHResults]
	_, eq := s.Equals[evidence.AttrHResults]
	return re || eq
}

// routeHits drops the hits of a generic signal of cause c whose error code
// names other causes only.
func routeHits(c *Cause, s *Signal, hits []*evidence.Evidence) []*evidence.Evidence {
	if s.matchesCode() {
		return hits
	}
	out := hits[:0:0]
	for _, h := range hits {
		causes, routed := routedTo(h)
		if routed && !containsString(causes, c.ID) {
			continue
		}
		out = append(out, h)
	}
	return out
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
