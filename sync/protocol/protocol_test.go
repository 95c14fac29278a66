package protocol

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

var testKey = ed25519.NewKeyFromSeed(make([]byte, 32))

func sampleBatch() *Batch {
	return &Batch{StationID: "st-01", BatchID: "0b0e8f3c-8d4a-4c1e-9a3b-2f1d5e6c7a8b", CreatedAt: time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC),
		Applications: []Application{{UUID: "5f1e8f3c-8d4a-4c1e-9a3b-2f1d5e6c7a8b", Officer: "lan", Supervisor: "hung", ConsentID: "c1",
			Card:     Card{IDNumber: "001203012345", FullName: "Nguyễn Thị Lan", DateOfBirth: "2003-04-05", Sex: "F"},
			Checks:   []Check{{Name: "chip_face", Score: 0.8, Threshold: 0.6, Passed: true}},
			Evidence: []Evidence{{Kind: "portrait", Quality: 0.9, Data: []byte{0xff, 0xd8, 1, 2}}}}}}
}

func TestSignOpen(t *testing.T) {
	env, err := Sign(KindBatch, "st-01", testKey, sampleBatch())
	if err != nil {
		t.Fatal(err)
	}
	signer, payload, err := Open(env, KindBatch, testKey.Public().(ed25519.PublicKey))
	if err != nil || signer != "st-01" {
		t.Fatalf("Open = %q, %v", signer, err)
	}
	b, err := DecodeBatch(payload)
	if err != nil || b.Applications[0].Card.FullName != "Nguyễn Thị Lan" {
		t.Fatalf("DecodeBatch = %+v, %v", b, err)
	}
	// A batch envelope never passes as a cache delta.
	if _, _, err := Open(env, KindDelta, testKey.Public().(ed25519.PublicKey)); !errors.Is(err, ErrBadMessage) {
		t.Fatalf("kind confusion: %v", err)
	}
	// Altering the payload breaks the signature.
	var e Envelope
	json.Unmarshal(env, &e)
	e.Payload = []byte(strings.Replace(string(e.Payload), "Lan", "Lam", 1))
	alt, _ := json.Marshal(e)
	if _, _, err := Open(alt, KindBatch, testKey.Public().(ed25519.PublicKey)); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("altered payload: %v", err)
	}
	_, other, _ := ed25519.GenerateKey(nil)
	if _, _, err := Open(env, KindBatch, other.Public().(ed25519.PublicKey)); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("wrong key: %v", err)
	}
}

func TestDecodersRefuse(t *testing.T) {
	good, _ := json.Marshal(sampleBatch())
	for _, tc := range []struct {
		name string
		data string
	}{
		{"unknown field", strings.Replace(string(good), `"station_id"`, `"evil":1,"station_id"`, 1)},
		{"trailing", string(good) + "{}"},
		{"bad id", strings.Replace(string(good), "001203012345", "00120301234x", 1)},
		{"bad uuid", strings.Replace(string(good), "5f1e8f3c", "5F1E8F3C", 1)},
		{"empty", `{}`},
		{"not json", `<html>`},
		{"duplicate uuid", strings.Replace(string(good), `"applications":[`, `"applications":[`+appJSON(t)+`,`, 1)},
	} {
		if _, err := DecodeBatch([]byte(tc.data)); !errors.Is(err, ErrBadMessage) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	big := make([]byte, MaxResponseBytes+1)
	if _, err := DecodeBatchResult(big); !errors.Is(err, ErrBadMessage) {
		t.Errorf("oversized: %v", err)
	}
	if _, err := DecodeBatchResult([]byte(`{"batch_id":"0b0e8f3c-8d4a-4c1e-9a3b-2f1d5e6c7a8b","server_time":"2026-01-01T00:00:00Z","results":[{"uuid":"0b0e8f3c-8d4a-4c1e-9a3b-2f1d5e6c7a8b","status":"maybe"}]}`)); err == nil {
		t.Error("unknown status accepted")
	}
	if _, err := DecodeCachePage([]byte(`{"from":5,"to":3,"issued_at":"2026-01-01T00:00:00Z","records":[]}`)); err == nil {
		t.Error("backwards versions accepted")
	}
	if _, err := DecodeCachePage([]byte(`{"from":0,"to":3,"issued_at":"2026-01-01T00:00:00Z","records":[{"id_number":"001203012345","version":2,"card":{"id_number":"001203012345","full_name":"x","date_of_birth":"","sex":""},"face":"AAAA"}]}`)); err == nil {
		t.Error("short descriptor accepted")
	}
	if d := DecodeError([]byte("<html>gateway</html>")); d.Code != "" || !strings.Contains(d.Message, "gateway") {
		t.Errorf("DecodeError = %+v", d)
	}
}

func appJSON(t *testing.T) string {
	b, _ := json.Marshal(sampleBatch().Applications[0])
	return string(b)
}

func TestCheckClock(t *testing.T) {
	now := time.Now()
	if CheckClock(now.Add(5*time.Minute), now, 10*time.Minute) != nil || CheckClock(now.Add(-11*time.Minute), now, 10*time.Minute) == nil {
		t.Fatal("CheckClock limits wrong")
	}
}

func FuzzDecodeEnvelope(f *testing.F) {
	env, _ := Sign(KindBatch, "st-01", testKey, sampleBatch())
	f.Add(env)
	f.Add([]byte(`{"kind":"cache-delta","signer":"upstream","payload":"e30=","signature":"` + strings.Repeat("A", 86) + `=="}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		Open(b, KindBatch, testKey.Public().(ed25519.PublicKey))
		DecodeEnvelope(b)
	})
}

func FuzzDecodeBatch(f *testing.F) {
	good, _ := json.Marshal(sampleBatch())
	f.Add(good)
	f.Add([]byte(`{"station_id":"a","batch_id":"x","applications":[]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if bt, err := DecodeBatch(b); err == nil {
			// What decodes must re-encode and decode the same way.
			again, _ := json.Marshal(bt)
			if _, err := DecodeBatch(again); err != nil {
				t.Fatalf("re-encoded batch refused: %v", err)
			}
		}
	})
}

func FuzzDecodeCachePage(f *testing.F) {
	face := make([]byte, 512)
	p := CachePage{From: 1, To: 3, More: true, IssuedAt: time.Now().UTC(), Records: []Citizen{
		{IDNumber: "001203012345", Version: 2, Card: Card{IDNumber: "001203012345", FullName: "A"}, Face: face, Fingers: map[string][]byte{"R2": {1, 2, 3}}},
		{IDNumber: "002203012345", Version: 3, Deleted: true}}}
	b, _ := json.Marshal(p)
	f.Add(b)
	f.Add([]byte(`{"from":0,"to":0,"issued_at":"2026-01-01T00:00:00Z","records":null}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if pg, err := DecodeCachePage(b); err == nil {
			for _, r := range pg.Records {
				if r.Version > pg.To || (!r.Deleted && len(r.Face) != 0 && len(r.Face) != 512) {
					t.Fatalf("decoder let through %+v", r)
				}
			}
		}
	})
}

func FuzzDecodeResponses(f *testing.F) {
	f.Add([]byte(`{"batch_id":"0b0e8f3c-8d4a-4c1e-9a3b-2f1d5e6c7a8b","server_time":"2026-01-01T00:00:00Z","results":[{"uuid":"0b0e8f3c-8d4a-4c1e-9a3b-2f1d5e6c7a8b","status":"stored"}]}`))
	f.Add([]byte(`{"server_time":"2026-01-01T00:00:00Z","statuses":[{"uuid":"0b0e8f3c-8d4a-4c1e-9a3b-2f1d5e6c7a8b","outcome":"rejected","reason":"x"}]}`))
	f.Add([]byte(`{"error":{"code":"bad_request","message":"m"}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		DecodeBatchResult(b)
		DecodeStatusResponse(b)
		DecodeStatusRequest(b)
		DecodeError(b)
	})
}
