package extract

// Default is the explicit, ordered list of extractors, and the order in
// which their sniffers are tried (Classify): the first claim wins. Binary
// formats come first, by the magic their readers declare; then the names
// that are refused whatever they hold; then the text readers, structured
// ones before free text.
func Default() []Extractor {
	return []Extractor{
		EventLogs{},   // "ElfFile", or a chunk at 4 KiB: evtx.Detect
		DiskHeaders{}, // "vhdxfile", "conectix": vhdx.DetectHead; a binary .vhd/.avhd by name
		NameChecks{},  // a .zip that is not a zip, an .evtx or .vhdx without its signature, locale metadata
		EventXML{},    // rendered event XML (evtx.SniffXML), unless it is an Event Viewer copy read as text
		TextOutputs{}, // command outputs and error records (cmdout.Sniff)
		EventText{},   // events as text (evtx.SniffText)
		BackupLogs{},  // backup products' own logs (cmdout.SniffBackupLog)
		FreeText{},    // any other text that mentions a Hyper-V, VSS or storage failure
	}
}
