package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
)

// ZeroHash is the prev_hash of the first entry of a log that was never
// pruned.
const ZeroHash = "0000000000000000000000000000000000000000000000000000000000000000"

// hashPrefix names the encoding; a new encoding gets a new prefix.
const hashPrefix = "dinhdanh audit v1\n"

// Stored is one entry as it sits in the log: the recorded fields plus the
// sequence number, time and chain.
type Stored struct {
	Seq      int64  `json:"seq"`
	Time     string `json:"time"`
	Actor    string `json:"actor"`
	Role     string `json:"role"`
	Action   string `json:"action"`
	Object   string `json:"object"`
	Outcome  string `json:"outcome"`
	Detail   string `json:"detail"` // canonical JSON object, hashed as stored
	PrevHash string `json:"prev_hash"`
	Hash     string `json:"hash"`
}

// ComputeHash returns the entry's hash: lower-case hex SHA-256 over
//
//	"dinhdanh audit v1\n"
//
// followed by, for each of seq (decimal), time, actor, role, action,
// object, outcome, detail and prev_hash in that order, the field's length in
// bytes in decimal, ':', the field's bytes and '\n'. The length prefix makes
// the encoding unambiguous whatever the fields contain, so an inspector can
// re-compute it with any tool.
func (s Stored) ComputeHash() string {
	var b strings.Builder
	b.WriteString(hashPrefix)
	for _, f := range []string{strconv.FormatInt(s.Seq, 10), s.Time, s.Actor, s.Role,
		s.Action, s.Object, s.Outcome, s.Detail, s.PrevHash} {
		b.WriteString(strconv.Itoa(len(f)))
		b.WriteByte(':')
		b.WriteString(f)
		b.WriteByte('\n')
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:])
}

// checkpointPrefix names the signed checkpoint message encoding.
const checkpointPrefix = "dinhdanh audit checkpoint v1\n"

// Checkpoint is the chain head at Seq, signed with the station's Ed25519
// key.
type Checkpoint struct {
	Seq       int64  `json:"seq"`
	Hash      string `json:"hash"`
	Time      string `json:"time"`
	PublicKey string `json:"public_key"` // hex, 32 bytes
	Signature string `json:"signature"`  // hex, 64 bytes
}

// Message returns the bytes the checkpoint's signature covers:
// "dinhdanh audit checkpoint v1\n" then seq (decimal), hash and time, each
// followed by '\n'.
func (c Checkpoint) Message() []byte {
	return []byte(checkpointPrefix + strconv.FormatInt(c.Seq, 10) + "\n" + c.Hash + "\n" + c.Time + "\n")
}

// Head is the last entry of the chain: what sync batches carry upstream so
// that gaps and rewrites can be detected there.
type Head struct {
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"`
}
