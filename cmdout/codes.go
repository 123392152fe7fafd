package cmdout

import (
	"math"
	"regexp"
	"strconv"
	"strings"
)

// messageCodes maps well-known Windows message texts to the code they are
// the text of. Tools often print only the text ("General access denied
// error", "The process cannot access the file because it is being used by
// another process"), while the catalog matches codes; this table is the
// one place that ties the two together. Each text is the system message
// of its code (FormatMessage, in English) or the wording Hyper-V uses for
// it; matching ignores case, white space and a final period.
//
// It covers every code the catalog names whose message is specific enough
// to stand for it. Not here on purpose: 0x80042409 (its wording differs
// between releases) and the VSS writer states (vssadmin prints them as
// states, which cmdout reads).
var messageCodes = []struct {
	code  string
	texts []string
}{
	// The localized texts are the same system messages as Windows prints
	// them in German, Spanish, French, Italian, Portuguese (Brazil),
	// Japanese and Simplified Chinese, as found quoted from tools' output
	// ("… (os error 2)", "[WinError 32] …"); a language is left out where
	// its text could not be confirmed (ERROR_DISK_FULL in Spanish and
	// Italian).
	{"0x80070002", []string{"The system cannot find the file specified",
		"Das System kann die angegebene Datei nicht finden",
		"El sistema no puede encontrar el archivo especificado",
		"Le fichier spécifié est introuvable",
		"Impossibile trovare il file specificato",
		"O sistema não pode encontrar o arquivo especificado",
		"指定されたファイルが見つかりません",
		"系统找不到指定的文件"}},
	{"0x80070003", []string{"The system cannot find the path specified"}},
	{"0x80070005", []string{"General access denied error", "Access is denied",
		"Zugriff verweigert", "Acceso denegado", "Accès refusé", "Accesso negato", "Acesso negado",
		"アクセスが拒否されました", "拒绝访问"}},
	{"0x8007000D", []string{"The data is invalid"}},
	{"0x80070020", []string{"The process cannot access the file because it is being used by another process",
		"Der Prozess kann nicht auf die Datei zugreifen",
		"El proceso no tiene acceso al archivo porque está siendo utilizado por otro proceso",
		"Le processus ne peut pas accéder au fichier car ce fichier est utilisé par un autre processus",
		"Impossibile accedere al file. Il file è utilizzato da un altro processo",
		"O arquivo já está sendo usado por outro processo",
		"プロセスはファイルにアクセスできません。別のプロセスが使用中です",
		"另一个程序正在使用此文件，进程无法访问"}},
	{"0x80070050", []string{"The file exists"}},
	{"0x800704C8", []string{"The requested operation cannot be performed on a file with a user-mapped section open"}},
	{"0x80070070", []string{"There is not enough space on the disk",
		"Auf dem Datenträger ist nicht genügend Speicherplatz vorhanden",
		"Espace insuffisant sur le disque",
		"Não há espaço suficiente no disco",
		"ディスクに十分な空き領域がありません",
		"磁盘空间不足"}},
	{"0x80070299", []string{"The requested operation could not be completed due to a file system limitation"}},
	{"0x8007045D", []string{"The request could not be performed because of an I/O device error"}},
	// ERROR_PRIVILEGE_NOT_HELD is 0x80070522, not the logon-type error;
	// both show up when the VM group loses a user right.
	{"0x80070522", []string{"A required privilege is not held by the client"}},
	{"0x80070569", []string{"Logon failure: the user has not been granted the requested logon type at this computer"}},
	{"0x80070570", []string{"The file or directory is corrupted and unreadable",
		"Die Datei oder das Verzeichnis ist beschädigt und nicht lesbar"}},
	{"0x8000FFFF", []string{"Catastrophic failure"}},
	{"0x80042316", []string{"Another shadow copy creation is already in progress"}},
	{"0x80042317", []string{"The specified volume has already reached its maximum number of shadow copies"}},
	{"0x8004231F", []string{"Insufficient storage available to create either the shadow copy storage file or other shadow copy data"}},
	{"0xC03A000D", []string{"The system cannot locate the parent virtual hard disk for the differencing disk"}},
	{"0xC03A000E", []string{"There is a mismatch in the identifiers of the parent virtual hard disk and differencing disk"}},
	{"0xC03A0014", []string{"A virtual disk support provider for the specified file was not found"}},
	{"0xC03A0016", []string{"The process has not been granted access rights to the parent virtual hard disk for the differencing disk"}},
	{"0xC03A0017", []string{"There is a mismatch in the virtual sizes of the parent virtual hard disk and differencing disk"}},
	{"0xC03A0018", []string{"A differencing disk is indicated in its own parent chain"}},
	// The Japanese text as Hyper-V Manager's dialog prints it (quoted in a
	// Japanese troubleshooting article on a parent disk mounted on the host).
	{"0xC03A0019", []string{"There was an error opening a virtual hard disk further up the chain",
		"チェーン上位の仮想ハード ディスクを開く際にエラーが発生しました"}},
	{"0xC03A001A", []string{"The requested operation could not be completed due to a virtual disk system limitation"}},
	// Resilient Change Tracking (VHDMP's change-tracking log, CTLOG).
	{"0xC03A0020", []string{"Change Tracking is not initialized for this virtual disk"}},
	{"0xC03A0021", []string{"Size of change tracking file exceeded the maximum size limit"}},
	{"0xC03A0022", []string{"VHD file is changed due to compaction, expansion, or offline updates"}},
	{"0xC03A0023", []string{"Change Tracking for the virtual disk is not in a valid state to perform this request"}},
	{"0xC03A0024", []string{"Change Tracking file for the virtual disk is not in a valid state"}},
	{"0xC03A0029", []string{"The specified change tracking identifier is not valid"}},
	{"0xC03A002A", []string{"Change tracking is disabled for the specified virtual hard disk"}},
	{"0xC03A0030", []string{"There is no change tracking data available associated with the specified change tracking identifier"}},
}

// spaceRe collapses runs of white space, so a message wrapped by a console
// or a mail client still matches.
var spaceRe = regexp.MustCompile(`\s+`)

var normalizedMessages = func() [][2]string {
	var out [][2]string
	for _, m := range messageCodes {
		for _, t := range m.texts {
			out = append(out, [2]string{strings.ToLower(t), m.code})
		}
	}
	return out
}()

// decimalRe finds a ten-digit decimal number, signed or not, standing on
// its own: some tools and .NET exceptions print an HRESULT as a decimal
// (2147942405, or -2147024891 as a signed 32-bit value, for 0x80070005).
var decimalRe = regexp.MustCompile(`(?:^|[^\w.,:/-])(-?\d{10})(?:$|[^\w.,:/-]|[.,:](?:\s|$))`)

// knownCodes are the codes of messageCodes, the ones a decimal may stand for.
var knownCodes = func() map[uint32]string {
	out := map[uint32]string{}
	for _, m := range messageCodes {
		if v, err := strconv.ParseUint(m.code[2:], 16, 32); err == nil {
			out[uint32(v)] = m.code
		}
	}
	return out
}()

// decimalCodes returns the known codes printed in s as decimals. Only the
// codes of messageCodes count: a ten-digit number is as often a size or an
// identifier, and one that happens to equal a known HRESULT is rare.
func decimalCodes(s string) []string {
	if !hasDigitRun(s, 10) {
		// Every match of decimalRe holds ten digits in a row; most lines
		// hold none, and the expression costs microseconds per line.
		return nil
	}
	var out []string
	for _, m := range decimalRe.FindAllStringSubmatch(s, -1) {
		n, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil || n < math.MinInt32 || n > math.MaxUint32 {
			continue
		}
		if c, ok := knownCodes[uint32(n)]; ok && uint32(n) >= 0x80000000 && !containsString(out, c) {
			out = append(out, c)
		}
	}
	return out
}

// hasDigitRun reports whether s holds n ASCII digits (\d) in a row.
func hasDigitRun(s string, n int) bool {
	run := 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; '0' <= c && c <= '9' {
			if run++; run >= n {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}

// CodesInText returns the codes whose well-known message text s contains,
// in table order, then the known codes s prints as decimals.
func CodesInText(s string) []string {
	s = strings.ToLower(collapseSpace(s))
	var out []string
	for _, m := range normalizedMessages {
		if strings.Contains(s, m[0]) && !containsString(out, m[1]) {
			out = append(out, m[1])
		}
	}
	for _, c := range decimalCodes(s) {
		if !containsString(out, c) {
			out = append(out, c)
		}
	}
	return out
}

// Codes returns every 0x… HRESULT or NTSTATUS printed in s, upper-case and
// in order, then the codes only named by their message text.
func Codes(s string) []string {
	var out []string
	for _, m := range hresultRe.FindAllStringSubmatch(s, -1) {
		c := "0x" + strings.ToUpper(m[1])
		if !containsString(out, c) {
			out = append(out, c)
		}
	}
	for _, c := range CodesInText(s) {
		if !containsString(out, c) {
			out = append(out, c)
		}
	}
	return out
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
