package ecc

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/asn1"
	"testing"
)

// Signatures made by crypto/ecdsa on P-256 must verify here, and ours there.
func TestAgainstStdlib(t *testing.T) {
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	c := CurveByOID(oidP256)
	pub := &PublicKey{Curve: c, X: k.X, Y: k.Y}
	d := sha256.Sum256([]byte("hello"))
	sig, _ := ecdsa.SignASN1(rand.Reader, k, d[:])
	if !VerifyASN1(pub, d[:], sig) {
		t.Fatal("stdlib signature rejected")
	}
	mine, err := SignASN1(&PrivateKey{PublicKey: *pub, D: k.D}, d[:], nil)
	if err != nil || !ecdsa.VerifyASN1(&k.PublicKey, d[:], mine) {
		t.Fatal("our signature rejected by stdlib", err)
	}
	d[0] ^= 1
	if VerifyASN1(pub, d[:], sig) {
		t.Fatal("wrong digest accepted")
	}
}

func TestBrainpool(t *testing.T) {
	for _, c := range []*Curve{BrainpoolP256r1, BrainpoolP384r1, BrainpoolP512r1} {
		if !c.IsOnCurve(c.Gx, c.Gy) {
			t.Fatalf("%s: G not on curve", c.Name)
		}
		if _, _, ok := c.ScalarMult(c.Gx, c.Gy, c.N); ok {
			t.Fatalf("%s: N·G is not infinity", c.Name)
		}
		k, _ := GenerateKey(c, nil)
		d := sha256.Sum256([]byte(c.Name))
		sig, _ := SignASN1(k, d[:], nil)
		if !VerifyASN1(&k.PublicKey, d[:], sig) {
			t.Fatalf("%s: round trip", c.Name)
		}
		params, _ := c.MarshalParameters()
		if got, err := ParseParameters(params); err != nil || got != c {
			t.Fatalf("%s: parameters %v", c.Name, err)
		}
	}
	if _, err := ParseParameters([]byte{0x30, 0}); err == nil {
		t.Fatal("empty parameters accepted")
	}
	if _, err := ParseParameters(mustMarshal(asn1.ObjectIdentifier{1, 2, 3})); err == nil {
		t.Fatal("unknown curve accepted")
	}
}

func mustMarshal(v any) []byte { b, _ := asn1.Marshal(v); return b }
