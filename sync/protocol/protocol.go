// Package protocol is the wire format between a station and upstream: the
// message types, their JSON encoding, Ed25519 signatures over them, and
// strict decoders that refuse anything malformed, oversized or unknown.
//
// Signed messages travel in an Envelope: the payload is the exact JSON
// bytes that were signed (base64 in the envelope), so verification never
// depends on re-encoding. The signature covers a domain-separation prefix
// naming the message kind, so a signed delta can never pass as a batch.
//
// The HTTP API around these messages is described in sync/openapi.yaml.
package protocol

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"time"
)

// Version is the protocol version, sent in the Dinhdanh-Protocol header.
const Version = "1"

// ContentType is the media type of every request and response body.
const ContentType = "application/json"

// Message kinds, which are also the signature domains.
const (
	KindBatch    = "batch"
	KindDelta    = "cache-delta"
	KindSnapshot = "cache-snapshot"
)

// Limits on what a decoder accepts.
const (
	MaxEnvelopeBytes   = 64 << 20 // one signed batch or cache page
	MaxResponseBytes   = 4 << 20  // batch results, status answers, errors
	MaxApplications    = 1000     // per batch
	MaxEvidence        = 32       // per application
	MaxEvidenceBytes   = 4 << 20  // per piece of evidence
	MaxChecks          = 64       // per application
	MaxRecords         = 20000    // per cache page
	MaxFingers         = 10       // per citizen
	MaxTemplateBytes   = 64 << 10 // per finger template
	MaxStatusUUIDs     = 5000     // per status request
	FaceDescriptorSize = 128      // float32 values
	maxString          = 512
)

// ErrBadMessage is wrapped by every decoding or validation failure.
var ErrBadMessage = errors.New("bad sync message")

// ErrBadSignature is returned when an envelope's signature does not verify.
var ErrBadSignature = errors.New("bad signature")

func bad(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrBadMessage, fmt.Sprintf(format, args...))
}

// Envelope carries a signed payload.
type Envelope struct {
	Kind      string `json:"kind"`
	Signer    string `json:"signer"`
	Payload   []byte `json:"payload"`
	Signature []byte `json:"signature"`
}

func signedBytes(kind string, payload []byte) []byte {
	b := make([]byte, 0, len(payload)+32)
	b = append(b, "dinhdanh-sync-v1\x00"...)
	b = append(b, kind...)
	b = append(b, 0)
	return append(b, payload...)
}

// Sign encodes v as JSON and wraps it in an envelope signed by key.
func Sign(kind, signer string, key ed25519.PrivateKey, v any) ([]byte, error) {
	payload, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", kind, err)
	}
	return json.Marshal(Envelope{Kind: kind, Signer: signer, Payload: payload, Signature: ed25519.Sign(key, signedBytes(kind, payload))})
}

// Open decodes an envelope, checks it is of the wanted kind and verifies its
// signature with pub. It returns the signer and the signed payload.
func Open(data []byte, kind string, pub ed25519.PublicKey) (signer string, payload []byte, err error) {
	env, err := DecodeEnvelope(data)
	if err != nil {
		return "", nil, err
	}
	if env.Kind != kind {
		return "", nil, bad("envelope holds %q, want %q", env.Kind, kind)
	}
	if len(pub) != ed25519.PublicKeySize || !ed25519.Verify(pub, signedBytes(kind, env.Payload), env.Signature) {
		return "", nil, fmt.Errorf("%s from %q: %w", kind, env.Signer, ErrBadSignature)
	}
	return env.Signer, env.Payload, nil
}

// DecodeEnvelope decodes an envelope without verifying it, e.g. to learn
// the signer whose key verifies it.
func DecodeEnvelope(data []byte) (*Envelope, error) {
	var env Envelope
	if err := decodeStrict(data, MaxEnvelopeBytes, &env); err != nil {
		return nil, err
	}
	if env.Kind != KindBatch && env.Kind != KindDelta && env.Kind != KindSnapshot {
		return nil, bad("unknown envelope kind %q", env.Kind)
	}
	if !nameRe.MatchString(env.Signer) {
		return nil, bad("bad signer %q", env.Signer)
	}
	if len(env.Signature) != ed25519.SignatureSize {
		return nil, bad("signature of %d bytes", len(env.Signature))
	}
	if len(env.Payload) == 0 {
		return nil, bad("empty payload")
	}
	return &env, nil
}

// decodeStrict decodes exactly one JSON value into v: unknown fields,
// trailing data and oversized input are errors.
func decodeStrict(data []byte, limit int, v any) error {
	if len(data) > limit {
		return bad("message of %d bytes exceeds the limit of %d", len(data), limit)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%w: %v", ErrBadMessage, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return bad("trailing data after the message")
	}
	return nil
}

var (
	nameRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
	uuidRe = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	idRe   = regexp.MustCompile(`^[0-9]{12}$`)
	kindRe = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)
)

// ValidUUID reports whether s is a canonical lower-case UUID.
func ValidUUID(s string) bool { return uuidRe.MatchString(s) }

func checkString(field, s string) error {
	if len(s) > maxString {
		return bad("%s longer than %d bytes", field, maxString)
	}
	return nil
}

// Hash returns the SHA-256 of v's JSON encoding: the identity of an
// application's content, by which upstream tells a retried upload from a
// different application reusing a UUID.
func Hash(v any) ([32]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return [32]byte{}, err
	}
	return sha256.Sum256(b), nil
}

// CheckClock returns an error if the peer's clock differs from ours by more
// than max.
func CheckClock(peer, ours time.Time, max time.Duration) error {
	d := peer.Sub(ours)
	if d < 0 {
		d = -d
	}
	if d > max {
		return fmt.Errorf("clock skew of %s exceeds %s (peer %s, ours %s): check the station clock",
			d.Round(time.Second), max, peer.UTC().Format(time.RFC3339), ours.UTC().Format(time.RFC3339))
	}
	return nil
}
