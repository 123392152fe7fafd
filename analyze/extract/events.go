package extract

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/hvtriage/hvtriage/cmdout"
	"github.com/hvtriage/hvtriage/evidence"
	"github.com/hvtriage/hvtriage/evtx"
)

// EventLogs reads binary EVTX files.
type EventLogs struct{}

// Name identifies the extractor.
func (EventLogs) Name() string { return "evtx" }

// Kinds lists the inventory kinds it reads.
func (EventLogs) Kinds() []string { return []string{KindEVTX} }

// Sniff claims a file that starts with the event log signature, or whose
// damaged signature is followed by an intact first chunk (evtx.Detect): the
// reader checks each chunk's own signature and reports the bad file header.
func (EventLogs) Sniff(h *Head) Claim {
	if evtx.Detect(h.bytes) {
		return Claim{Kind: KindEVTX}
	}
	return Claim{}
}

// Extract walks every record it can recover; damaged chunks become problems.
func (EventLogs) Extract(ctx context.Context, in Input) (Extraction, error) {
	ra, err := in.Entry.ReaderAt()
	if err != nil {
		return Extraction{}, err
	}
	c := newEventCollector(in)
	stats, err := evtx.Walk(ctx, ra, in.Size, c.add)
	if err == nil && c.onlyUnselected() {
		err = errUnusedChannel
	}
	if errors.Is(err, errUnusedChannel) {
		// The count costs one read of each 512-byte chunk header.
		c.declared, c.declaredOK = evtx.DeclaredRecords(ra, in.Size)
	}
	return c.finishSkippable(stats, err)
}

// unusedChannels are logs no rule reads and that can be huge: a Sysmon
// log of several gigabytes would cost minutes for nothing. They are
// recognized by the channel of their first record and skipped with a note.
var unusedChannels = map[string]bool{
	"microsoft-windows-sysmon/operational":     true,
	"microsoft-windows-powershell/operational": true,
	"windows powershell":                       true,
	"forwardedevents":                          true,
}

var errUnusedChannel = errors.New("log skipped: no rule reads this channel")

// selectedEvents are the only events read from channels where rules use a
// handful of IDs among a flood of others: from the Security log, a user
// right assigned (4704) or removed (4705) and an object's permissions
// changed (4670). Every other record of such a channel is neither evidence
// nor counted in the activity chart; a log holding none of the selected
// events is skipped with the same note as an unused channel.
var selectedEvents = map[string]map[uint16]bool{
	"security": {4704: true, 4705: true, 4670: true},
}

// EventXML reads event exports rendered as XML (wevtutil qe /f:xml, Event
// Viewer "Save as XML").
type EventXML struct{}

// Name identifies the extractor.
func (EventXML) Name() string { return "evtx-xml" }

// Kinds lists the inventory kinds it reads.
func (EventXML) Kinds() []string { return []string{KindEVTXXML} }

// Sniff claims text that holds event XML (evtx.SniffXML). Event Viewer's
// "Copy details as text" ends with the event's XML but is left to
// EventText, which reads the rendered message too.
func (EventXML) Sniff(h *Head) Claim {
	if !h.isBinary() && evtx.SniffXML(h.decoded()) && !h.textEvents() {
		return Claim{Kind: KindEVTXXML}
	}
	return Claim{}
}

// Extract streams the export; a malformed event is skipped and counted.
func (EventXML) Extract(ctx context.Context, in Input) (Extraction, error) {
	rc, err := in.Entry.Open()
	if err != nil {
		return Extraction{}, err
	}
	defer rc.Close()
	c := newEventCollector(in)
	stats, err := evtx.WalkXML(ctx, rc, c.add)
	return c.finishSkippable(stats, err)
}

// MaxKeptPerEvent bounds how many events of one provider and ID a file
// contributes as evidence. A failing controller can log hundreds of
// thousands of identical resets; rules need the first ones, the count and
// the time span, not every copy. The rest are counted on the last kept
// item ("more"), so memory stays bounded whatever the log size.
const MaxKeptPerEvent = 500

// MaxKeptPerEventBundle bounds the same across the whole bundle (a cluster
// bundle holds the same log of many nodes): past it, each file keeps only
// its first event of a kind, so every file can still be cited.
const MaxKeptPerEventBundle = 2000

// EventBudget counts kept events per kind across every file of a run.
type EventBudget struct {
	mu   sync.Mutex
	kept map[eventKey]int
}

// NewEventBudget returns the budget the files of one run share.
func NewEventBudget() *EventBudget { return &EventBudget{kept: map[eventKey]int{}} }

// take reserves room for one more event of kind k; force takes it even
// past the limit (a file's first event of a kind).
func (b *EventBudget) take(k eventKey, force bool) bool {
	if b == nil {
		return true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if !force && b.kept[k] >= MaxKeptPerEventBundle {
		return false
	}
	b.kept[k]++
	return true
}

type eventKey struct {
	provider string
	id       uint16
}

// EventText reads events exported or copied as text (Get-WinEvent |
// Format-List, Export-Csv or its default table, Get-EventLog's table, Event
// Viewer's "Copy details as text" and "Save Selected Events" as CSV or
// text): what customers send instead of the logs themselves.
type EventText struct{}

// Name identifies the extractor.
func (EventText) Name() string { return "evtx-text" }

// Kinds lists the inventory kinds it reads.
func (EventText) Kinds() []string { return []string{KindEVTXText} }

// Sniff claims text in one of the forms evtx.SniffText knows.
func (EventText) Sniff(h *Head) Claim {
	if !h.isBinary() && h.textEvents() {
		return Claim{Kind: KindEVTXText}
	}
	return Claim{}
}

// Extract streams the export; unreadable lines are problems.
func (EventText) Extract(ctx context.Context, in Input) (Extraction, error) {
	rc, err := in.Entry.Open()
	if err != nil {
		return Extraction{}, err
	}
	defer rc.Close()
	c := newEventCollector(in)
	// Text prints times in the host's zone; an event that carried its own
	// XML has its UTC time from there.
	stats, err := evtx.WalkText(ctx, rc, c.addText)
	return c.finishSkippable(stats, err)
}

// addText adds an event read from text and notes the lines it took.
func (c *eventCollector) addText(ev *evtx.Event) error {
	n := len(c.out.Evidence)
	err := c.add(ev)
	if len(c.out.Evidence) > n && ev.LocalTime {
		c.out.Evidence[n].Attrs[evidence.AttrTimeLocal] = "true"
	}
	if ev.Line > 0 {
		c.out.covered = cmdout.AddSpan(c.out.covered, ev.Line, max(ev.EndLine, ev.Line))
	}
	return err
}

type eventCollector struct {
	kept    map[eventKey]int // index in out.Evidence of the last kept item per key
	counts  map[eventKey]int
	skipped string // channel of a log skipped as unused
	// unselected counts the records of a selectedEvents channel left
	// unread; unselectedIn is that channel.
	unselected   int
	unselectedIn string
	// declared is the record count a skipped log's chunk headers declare
	// (declaredOK false when none could be read).
	declared   int
	declaredOK bool
	in         Input
	out        Extraction
	channels   map[string]bool
	activity   map[activityKey]int
	// unlisted counts the events of channels past MaxChannelsPerFile,
	// uncharted those past maxActivityPerFile.
	unlisted, uncharted int
}

// MaxChannelsPerFile bounds the channels one event file adds to coverage
// and the timeline: a log holds one, an export of every log of a host a
// few hundred; a crafted export of a million channels must not fill
// memory. maxActivityPerFile bounds its timeline buckets (hour, channel,
// level): ten years of one busy channel fit.
const (
	MaxChannelsPerFile = 1000
	maxActivityPerFile = 200_000
)

func newEventCollector(in Input) *eventCollector {
	return &eventCollector{in: in, channels: map[string]bool{}, activity: map[activityKey]int{},
		kept: map[eventKey]int{}, counts: map[eventKey]int{}}
}

func (c *eventCollector) add(ev *evtx.Event) error {
	if len(c.channels) == 0 && unusedChannels[strings.ToLower(ev.Channel)] {
		c.skipped = ev.Channel
		return errUnusedChannel
	}
	if sel, ok := selectedEvents[strings.ToLower(ev.Channel)]; ok && !sel[ev.EventID] {
		c.unselected++
		c.unselectedIn = ev.Channel
		return nil
	}
	listed := true
	if ev.Channel != "" && !c.channels[ev.Channel] {
		if len(c.channels) < MaxChannelsPerFile {
			c.channels[ev.Channel] = true
			c.out.Coverage = append(c.out.Coverage, "channel:"+ev.Channel)
		} else {
			listed = false
			c.unlisted++
		}
	}
	// Every event counts toward the activity chart, even the ones no rule
	// reads: a burst of unrelated errors is part of an incident's shape.
	if !ev.Time.IsZero() && listed {
		k := activityKey{ev.Time.UTC().Truncate(time.Hour), ev.Channel, normalLevel(ev.Level)}
		if _, ok := c.activity[k]; ok || len(c.activity) < maxActivityPerFile {
			c.activity[k]++
		} else {
			c.uncharted++
		}
	}
	if c.in.Wants != nil && !c.in.Wants(providerName(ev.Provider), ev.EventID) {
		return nil
	}
	k := eventKey{ev.Provider, ev.EventID}
	c.counts[k]++
	first := c.counts[k] == 1
	id, hasID := identityOf(ev)
	if c.counts[k] > MaxKeptPerEvent || !c.in.Budget.take(k, first) {
		last := &c.out.Evidence[c.kept[k]]
		n, _ := strconv.Atoi(last.Attrs[evidence.AttrMore])
		last.Attrs[evidence.AttrMore] = strconv.Itoa(n + 1)
		if hasID {
			c.out.Idents = append(c.out.Idents, IdentRef{ID: id, Item: c.kept[k], Folded: true})
		}
		return nil
	}
	c.kept[k] = len(c.out.Evidence)
	if hasID {
		c.out.Idents = append(c.out.Idents, IdentRef{ID: id, Item: len(c.out.Evidence)})
	}
	ev2 := eventEvidence(c.in.Path, ev)
	if ev.Damaged != "" {
		ev2.Attrs[AttrDamagedRecord] = ev.Damaged
	}
	c.out.Evidence = append(c.out.Evidence, ev2)
	return nil
}

// AttrDamagedRecord marks evidence from a record decoded out of damaged
// bytes (its body partly zeroed): its fields may be incomplete.
const AttrDamagedRecord = "damaged_record"

// EventIdentity is what makes two events the same event, whichever file
// or format (EVTX, XML export) carried them: the same log of the same host,
// the same record number, time and provider.
type EventIdentity struct {
	channel, computer, provider string
	recordID                    uint64
	micros                      int64 // time in UTC microseconds: exports print 7 digits or fewer
}

// identityOf returns the event's identity, and false when it has none that
// can be trusted across files: no record number (text exports), or a time
// printed in an unknown zone.
func identityOf(ev *evtx.Event) (EventIdentity, bool) {
	if ev.RecordID == 0 || ev.LocalTime || ev.Time.IsZero() {
		return EventIdentity{}, false
	}
	return EventIdentity{
		channel:  strings.ToLower(ev.Channel),
		computer: strings.ToLower(ev.Computer),
		provider: strings.ToLower(ev.Provider),
		recordID: ev.RecordID,
		micros:   ev.Time.UTC().UnixMicro(),
	}, true
}

// IdentRef ties an event that rules want to the evidence item it became
// (Folded: counted in that item's "more" instead).
type IdentRef struct {
	ID     EventIdentity
	Item   int
	Folded bool
}

// finishSkippable turns the deliberate stop on an unused log into an
// ignored file with a note instead of an error.
func (c *eventCollector) finishSkippable(stats evtx.Stats, err error) (Extraction, error) {
	if err == nil && c.onlyUnselected() {
		err = errUnusedChannel
	}
	if errors.Is(err, errUnusedChannel) {
		// Skipped on purpose: a note, not a problem, so that it reads
		// apart from a file that was not recognized (also "ignored").
		note := fmt.Sprintf("not read: no rule uses this channel (%s)", c.skipped)
		if c.declaredOK {
			note += fmt.Sprintf("; its chunk headers declare %d records", c.declared)
		}
		return Extraction{Ignored: true, Notes: []string{note}}, nil
	}
	return c.finish(stats), err
}

// onlyUnselected reports whether every record read belongs to a
// selectedEvents channel and none was selected: the log is then skipped
// like an unused one (and named by its channel in the note).
func (c *eventCollector) onlyUnselected() bool {
	if c.unselected == 0 || len(c.channels) > 0 || len(c.out.Evidence) > 0 {
		return false
	}
	c.skipped = c.unselectedIn
	return true
}

func (c *eventCollector) finish(stats evtx.Stats) Extraction {
	c.out.Records = stats.Records
	// Damage the reader recovered from is still damage: the records of a
	// chunk with a bad checksum may be wrong, and a zeroed chunk between
	// live ones lost its records.
	switch {
	case stats.BadFileSignature:
		c.out.Problems = append(c.out.Problems, evidence.Problem{Msg: "file header damaged: it does not start with the ElfFile signature; the log was read from its chunks, which carry theirs"})
	case stats.HeaderDamaged:
		c.out.Problems = append(c.out.Problems, evidence.Problem{Msg: "file header damaged (checksum or fixed fields); chunks were found by scanning"})
	}
	if stats.ChecksumErrors > 0 {
		c.out.Problems = append(c.out.Problems, evidence.Problem{Msg: fmt.Sprintf("%d chunk(s) fail their checksum; their records were read but may be altered", stats.ChecksumErrors)})
	}
	if stats.BadChunkHeaders > 0 {
		c.out.Problems = append(c.out.Problems, evidence.Problem{Msg: fmt.Sprintf("%d chunk header(s) hold impossible values; their records were read without trusting them", stats.BadChunkHeaders)})
	}
	if stats.ZeroedChunks > 0 {
		c.out.Problems = append(c.out.Problems, evidence.Problem{Msg: fmt.Sprintf("%d chunk(s) are zeroed between chunks holding events: the records they held are lost", stats.ZeroedChunks)})
	}
	for k, n := range c.activity {
		c.out.Activity = append(c.out.Activity, Activity{Hour: k.hour, Channel: k.channel, Level: k.level, Count: n})
	}
	if c.unlisted > 0 {
		c.out.Notes = append(c.out.Notes, fmt.Sprintf("%d events of channels past the first %d of this file are not listed in coverage or the timeline", c.unlisted, MaxChannelsPerFile))
	}
	if c.uncharted > 0 {
		c.out.Notes = append(c.out.Notes, fmt.Sprintf("%d events past the file's %d timeline buckets (hour, channel and level) are not charted", c.uncharted, maxActivityPerFile))
	}
	for _, s := range stats.Skipped {
		c.out.Problems = append(c.out.Problems, skippedProblem(s, stats))
	}
	return c.out
}

// skippedProblem words one skipped stretch for the inventory. Records the
// file header promises past the last one read mean the log ends early (a
// cut or partly zeroed copy); the time of the last record read is where the
// missing span begins.
func skippedProblem(s evtx.ChunkError, stats evtx.Stats) evidence.Problem {
	p := evidence.Problem{Msg: s.Error(), At: chunkLocator(&s), Err: &s}
	if !errors.Is(s.Err, evtx.ErrMissingTail) || s.Records == 0 {
		return p
	}
	ids := fmt.Sprintf("ID %d", s.FirstID)
	if s.LastID > s.FirstID {
		ids = fmt.Sprintf("IDs %d-%d", s.FirstID, s.LastID)
	}
	msg := fmt.Sprintf("%d records (%s) the header promises are missing: the log ends early", s.Records, ids)
	if !stats.LastRecordTime.IsZero() {
		msg += fmt.Sprintf("; what was logged after %s is not in this copy", stats.LastRecordTime.UTC().Format(time.RFC3339))
	}
	p.Msg = msg
	return p
}

type activityKey struct {
	hour    time.Time
	channel string
	level   uint8
}

// Activity counts the events of one channel and level in one hour.
type Activity struct {
	Hour    time.Time
	Channel string
	Level   uint8 // 1 critical, 2 error, 3 warning, 4 information
	Count   int
}

// normalLevel folds classic events' level 0 and verbose 5 into information.
func normalLevel(l uint8) uint8 {
	if l == 0 || l > 4 {
		return 4
	}
	return l
}

// hresultPattern finds the 32-bit error codes Windows prints in messages
// ("0x800423F2", "0xC03A000E"): facility codes carry the meaning.
var hresultPattern = regexp.MustCompile(`0[xX][0-9A-Fa-f]{8}\b`)

// providerAliases maps a provider's other printed names to the one the
// catalog uses. The disk class driver logs 153/154 under its classic
// source "disk"; Get-WinEvent and newer Event Viewer copies print its
// manifest name, Microsoft-Windows-Disk, for the same events.
var providerAliases = map[string]string{
	"microsoft-windows-disk": "disk",
}

// shortSources are the manifest providers Event Viewer's list (and its
// "Save Selected Events" text and CSV) shows without their
// "Microsoft-Windows-" prefix: "Hyper-V-VMMS" for
// Microsoft-Windows-Hyper-V-VMMS. Classic sources (disk, Ntfs, VSS) have
// no prefix to drop and are not here.
var shortSources = map[string]bool{"failoverclustering": true, "vhdmp": true}

// providerName is the catalog's name of a provider.
func providerName(p string) string {
	l := strings.ToLower(strings.TrimSpace(p))
	if a, ok := providerAliases[l]; ok {
		return a
	}
	if strings.HasPrefix(l, "hyper-v-") || shortSources[l] {
		return "Microsoft-Windows-" + strings.TrimSpace(p)
	}
	return p
}

// eventEvidence flattens an event into evidence attributes: System fields,
// "data.<name>" (or "data.<n>" for positional classic data), "user.<name>"
// for UserData, every value joined in "text", and the error codes found.
func eventEvidence(source string, ev *evtx.Event) evidence.Evidence {
	attrs := map[string]string{
		evidence.AttrProvider: providerName(ev.Provider),
		evidence.AttrEventID:  strconv.Itoa(int(ev.EventID)),
		evidence.AttrLevel:    strconv.Itoa(int(ev.Level)),
		evidence.AttrChannel:  ev.Channel,
		evidence.AttrComputer: ev.Computer,
	}
	if ev.HasQualifiers {
		attrs["qualifiers"] = strconv.Itoa(int(ev.Qualifiers))
	}
	if ev.UserSID != "" {
		attrs["user_sid"] = ev.UserSID
	}
	var text []string
	for i, f := range ev.Data {
		key := f.Name
		if key == "" {
			key = strconv.Itoa(i + 1)
		}
		attrs["data."+key] = f.Value
		if f.Value != "" {
			text = append(text, f.Value)
		}
	}
	for _, f := range ev.UserData {
		attrs["user."+f.Name] = f.Value
		if f.Value != "" {
			text = append(text, f.Value)
		}
	}
	if vm, ok := ev.UserDataValue("VmName"); ok {
		attrs[evidence.AttrVM] = vm
	}
	if id, ok := ev.UserDataValue("VmId"); ok {
		attrs[evidence.AttrVMID] = id
	}
	if ev.Message != "" {
		text = append(text, ev.Message)
	}
	joined := strings.Join(text, " | ")
	attrs[evidence.AttrText] = joined
	switch drive, csv := volumeIn(ev); {
	case csv != "":
		attrs[evidence.AttrCSVPath] = csv
	case drive != "":
		attrs[evidence.AttrDrive], attrs[evidence.AttrDriveLetter] = drive, drive[:1]
	}
	if p := vmFilePattern.FindString(joined); p != "" {
		attrs[evidence.AttrPath] = p
	}
	codes := hresultPattern.FindAllString(joined, -1)
	if len(ev.Binary) > 0 {
		attrs["binary"] = hex.EncodeToString(ev.Binary)
		codes = append(codes, hresultPattern.FindAllString(printable(ev.Binary), -1)...)
	}
	// A message that names its code only by text ("General access denied
	// error") still gives the code the rules match on.
	for _, c := range cmdout.CodesInText(joined) {
		if !containsFold(codes, c) {
			codes = append(codes, c)
		}
	}
	attrs[evidence.AttrHResults] = strings.ToLower(strings.Join(codes, " "))

	at := evidence.AtRecord(ev.RecordID)
	if ev.RecordID == 0 && ev.Line > 0 {
		at = evidence.AtLine(ev.Line)
	}
	return evidence.Evidence{
		Kind:    evidence.KindEvent,
		Source:  source,
		At:      at,
		Time:    ev.Time.UTC(),
		Summary: eventSummary(ev, joined),
		Attrs:   attrs,
	}
}

// drivePattern finds a drive in a payload value: "D:", "D:\Hyper-V\…",
// "\\?\D:\…".
var drivePattern = regexp.MustCompile(`^(?:\\\\\?\\)?([A-Za-z]):(?:\\|$)`)

// vmFilePattern finds the first VM file an event's text names (Hyper-V
// messages quote the disk or configuration that failed), so commands can
// name it.
var vmFilePattern = regexp.MustCompile(`(?i)(?:[a-z]:|\\\\[^\\'"|<>\s]+)\\[^'"|<>\r\n]*?\.(?:a?vhdx?|vmcx|vmrs|vmgs|iso)\b`)

// csvPattern finds a Cluster Shared Volume's root in a path.
var csvPattern = regexp.MustCompile(`(?i)^(?:\\\\\?\\)?([a-z]:\\ClusterStorage\\[^\\]+)`)

// volumeIn returns the volume the first path or drive of a payload names,
// the volume a file-system event is about, for repair commands: a drive
// ("D:"), or for a path under C:\ClusterStorage the CSV's root
// ("C:\ClusterStorage\Volume1") and no drive, because the letter there is
// the system volume's.
func volumeIn(ev *evtx.Event) (drive, csv string) {
	for _, list := range [][]evtx.Field{ev.Data, ev.UserData} {
		for _, f := range list {
			v := strings.TrimSpace(f.Value)
			if m := csvPattern.FindStringSubmatch(v); m != nil {
				return "", strings.ToUpper(m[1][:1]) + m[1][1:]
			}
			if m := drivePattern.FindStringSubmatch(v); m != nil {
				return strings.ToUpper(m[1]) + ":", ""
			}
		}
	}
	return "", ""
}

func eventSummary(ev *evtx.Event, text string) string {
	const maxText = 200
	text = strings.Join(strings.Fields(text), " ")
	if len(text) > maxText {
		cut := maxText
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut] + "…"
	}
	s := fmt.Sprintf("%s %d (%s)", ev.Provider, ev.EventID, levelName(ev.Level))
	if text != "" {
		s += ": " + text
	}
	return s
}

func levelName(l uint8) string {
	switch l {
	case 1:
		return "critical"
	case 2:
		return "error"
	case 3:
		return "warning"
	case 0, 4:
		return "information"
	case 5:
		return "verbose"
	}
	return "level " + strconv.Itoa(int(l))
}

// printable keeps the ASCII text inside binary event data (VSS writes its
// diagnostic context there, in ASCII or UTF-16), so codes can be found.
func printable(b []byte) string {
	var sb strings.Builder
	for _, c := range b {
		switch {
		case c >= 0x20 && c < 0x7f:
			sb.WriteByte(c)
		case c == 0:
		default:
			sb.WriteByte(' ')
		}
	}
	return sb.String()
}
