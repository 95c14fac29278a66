package audit

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

// memExport builds a valid export of n entries without a database.
func memExport(n int) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.Encode(exportLine{Type: "header", Format: ExportFormat})
	prev := ZeroHash
	for i := 1; i <= n; i++ {
		s := Stored{Seq: int64(i), Time: "2026-11-23T10:00:00.000000000Z", Actor: "a" + strconv.Itoa(i), Role: RoleOfficer,
			Action: CardRead, Object: "o", Outcome: OK, Detail: `{"n":"` + strconv.Itoa(i) + `"}`, PrevHash: prev}
		s.Hash = s.ComputeHash()
		prev = s.Hash
		enc.Encode(exportLine{Type: "entry", Stored: &s})
		if i%3 == 0 {
			c := Checkpoint{Seq: s.Seq, Hash: s.Hash, Time: s.Time, PublicKey: hex.EncodeToString(testKey.Public().(ed25519.PublicKey))}
			c.Signature = hex.EncodeToString(ed25519.Sign(testKey, c.Message()))
			enc.Encode(exportLine{Type: "checkpoint", Checkpoint: &c})
		}
	}
	enc.Encode(exportLine{Type: "head", Head: &Head{Seq: int64(n), Hash: prev}})
	return buf.Bytes()
}

func TestMemExportVerifies(t *testing.T) {
	rep, err := VerifyExport(bytes.NewReader(memExport(9)), VerifyOptions{})
	if err != nil || !rep.OK() || rep.Entries != 9 || rep.Checkpoints != 3 {
		t.Fatalf("%+v %v", rep, err)
	}
}

// FuzzVerifyExport feeds arbitrary bytes to the export verifier, which
// reads files an inspector receives from elsewhere: it must answer with a
// report or an error, never panic.
func FuzzVerifyExport(f *testing.F) {
	good := memExport(8)
	f.Add(good)
	lines := strings.Split(string(good), "\n")
	f.Add([]byte(strings.Join(lines[:3], "\n")))
	f.Add([]byte(lines[0] + "\n" + lines[3] + "\n" + lines[2]))
	f.Add([]byte(`{"type":"header","format":"dinhdanh-audit-export-v1"}` + "\n" + `{"type":"checkpoint","checkpoint":{"seq":1,"public_key":"00","signature":"zz"}}`))
	f.Add([]byte(`{"type":"entry"}`))
	f.Add([]byte("not json"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rep, err := VerifyExport(bytes.NewReader(data), VerifyOptions{})
		if err == nil && rep == nil {
			t.Fatal("nil report without error")
		}
	})
}
