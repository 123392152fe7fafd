package evtxwrite_test

import (
	"bytes"
	"fmt"
	"time"

	"github.com/hvtriage/hvtriage/internal/evtxwrite"
)

func ExampleWrite() {
	at := time.Date(2024, 3, 14, 2, 6, 41, 0, time.UTC)
	recs := []evtxwrite.Record{{
		Provider:     "Microsoft-Windows-Hyper-V-Worker",
		ProviderGUID: "{51ddfa29-d5c8-4803-be4b-2ecb715570fe}",
		Channel:      "Microsoft-Windows-Hyper-V-Worker-Admin",
		Computer:     "HV01.contoso.local",
		EventID:      3040, Level: 2, Time: at,
		UserSID: "S-1-5-83-1-1863134273-1316788795-1328354699-1930337386",
		UserData: &evtxwrite.UserData{Name: "VmlEventLog", Namespace: evtxwrite.VMLNamespace, Fields: []evtxwrite.Field{
			{Name: "VmName", Value: "APP01"},
			{Name: "VmId", Value: "6F0D2C41-9A3B-4E7C-8B15-2D4F6A9C0E73"},
		}},
	}, {
		Provider: "storahci", Channel: "System", Computer: "HV01.contoso.local",
		EventID: 129, Qualifiers: 0x8004, HasQualifiers: true, Level: 3, Time: at.Add(time.Second),
		Data:   []evtxwrite.Field{{Value: `\Device\RaidPort0`}},
		Binary: []byte{0x0f, 0x01, 0x04, 0x00},
	}}
	var buf bytes.Buffer
	if err := evtxwrite.Write(&buf, recs, evtxwrite.Options{Dirty: true}); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(buf.Len(), string(buf.Bytes()[:7]))
	// Output: 69632 ElfFile
}
