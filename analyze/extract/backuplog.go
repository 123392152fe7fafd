package extract

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hvtriage/hvtriage/cmdout"
	"github.com/hvtriage/hvtriage/evidence"
)

// KindBackupLog is a backup product's own log or job text (Veeam, Backup
// Exec, NetBackup, Avamar, NetWorker NMM, DPM/MABS, Windows Server Backup,
// Commvault, Rubrik, Altaro).
const KindBackupLog = "backup-log"

// BackupLogs reads backup products' logs and job messages. Each error or
// warning becomes a command.error (chain.error for a virtual disk code)
// that names the product, with the Hyper-V error the product embeds: the
// codes, the WMI job code, the VM and its ID, the path. It is read like a
// cmdlet's error record, at full weight: the product wrote it.
//
//	command.error  command product level text code hresults path [vm vm_id wmi_code target_codes more] source=backup-log
//
// An entry about the product's own storage (a repository, a media server)
// keeps its codes in target_codes rather than hresults: a full repository
// is not a full VM volume.
type BackupLogs struct{}

// maxBackupLog bounds what is read of one backup product's log: a job log
// is a few megabytes, a log of months of jobs more; beyond the limit the
// file is listed as cut.
const maxBackupLog = 16 << 20

// Name identifies the extractor.
func (BackupLogs) Name() string { return "backup-log" }

// Kinds lists the inventory kind it reads.
func (BackupLogs) Kinds() []string { return []string{KindBackupLog} }

// Sniff claims text that cmdout.SniffBackupLog recognizes by its structure
// (line layouts, message ID forms, banners).
func (BackupLogs) Sniff(h *Head) Claim {
	if !h.isBinary() && cmdout.SniffBackupLog(h.decoded()) != nil {
		return Claim{Kind: KindBackupLog}
	}
	return Claim{}
}

// Extract reads the log and turns each error or warning into evidence.
func (BackupLogs) Extract(ctx context.Context, in Input) (Extraction, error) {
	raw, cut, err := readText(in, maxBackupLog)
	if err != nil {
		return Extraction{}, err
	}
	text, _, cutProblems := decodeText(in, raw, cut, maxBackupLog)
	raw = nil
	log := cmdout.ParseBackupLog(text)
	m := textMapper{src: in.Path}
	product := m.backupEntries(log)
	out := Extraction{Evidence: m.out, Records: log.Lines, Coverage: []string{"file:" + KindBackupLog, "product:" + product}, Problems: cutProblems}
	if log.Dropped > 0 {
		out.Notes = append(out.Notes, fmt.Sprintf("%d more log lines with an error or warning not read (at most %d distinct entries per file)", log.Dropped, cmdout.MaxBackupEntries))
	}
	if note := m.droppedNote(); note != "" {
		out.Notes = append(out.Notes, note)
	}
	out.text, out.covered = text, log.Covered
	return out, nil
}

// backupEntries turns a backup product's log entries into evidence and
// returns the product's ID.
func (m *textMapper) backupEntries(log cmdout.BackupLog) string {
	product, name := "backup", "backup product"
	if log.Product != nil {
		product, name = log.Product.ID, log.Product.Name
	}
	for _, e := range log.Entries {
		code := ""
		if len(e.Codes) > 0 {
			code = e.Codes[0]
		}
		codes := strings.ToLower(strings.Join(e.Codes, " "))
		attrs := map[string]string{"command": name, "product": product, "level": e.Level, "text": e.Text,
			"code": code, evidence.AttrPath: e.Path, evidence.AttrHResults: codes, evidence.AttrSourceKind: KindBackupLog}
		if e.Target {
			attrs[evidence.AttrHResults], attrs["target_codes"] = "", codes
		}
		if e.VM != "" {
			attrs[evidence.AttrVM] = e.VM
		}
		if e.VMID != "" {
			attrs[evidence.AttrVMID] = e.VMID
		}
		if e.WMICode != "" {
			attrs["wmi_code"] = e.WMICode
		}
		if e.Repeats > 0 {
			attrs[evidence.AttrMore] = strconv.Itoa(e.Repeats)
		}
		kind := evidence.KindCmdError
		if strings.HasPrefix(code, "0xC03A") && !e.Target {
			kind = evidence.KindChainError
		}
		m.add(kind, e.Line, time.Time{}, name+" "+e.Level+": "+e.Text, attrs)
	}
	return product
}
