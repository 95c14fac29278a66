package emrtd

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"io"
	"math/big"

	"github.com/dinhdanh/dinhdanh/devices/chip/document"
	"github.com/dinhdanh/dinhdanh/devices/chip/ecc"
	"github.com/dinhdanh/dinhdanh/devices/chip/iso7816"
)

// activeAuthenticate sends a random challenge in INTERNAL AUTHENTICATE and
// verifies the chip's signature with the DG15 key: proof the chip is not
// a copy. ECDSA (plain r ‖ s over SHA-256, BSI TR-03111) and RSA with
// ISO/IEC 9796-2 message recovery are implemented.
func activeAuthenticate(ctx context.Context, s iso7816.Sender, doc *document.Document, rnd io.Reader) *document.ActiveAuthResult {
	if rnd == nil {
		rnd = rand.Reader
	}
	res := &document.ActiveAuthResult{}
	var pub *ecc.PublicKey
	switch k := doc.DG15.PublicKey.(type) {
	case *ecc.PublicKey:
		pub = k
	case *rsa.PublicKey:
		return activeAuthRSA(ctx, s, k, rnd)
	default:
		res.Error = "unsupported active authentication key"
		return res
	}
	res.Algorithm = "ecdsa-SHA256 " + pub.Curve.Name
	challenge := make([]byte, 8)
	if _, err := io.ReadFull(rnd, challenge); err != nil {
		res.Error = err.Error()
		return res
	}
	n := pub.Curve.ByteLen()
	r, err := s.Send(ctx, iso7816.Command{INS: iso7816.InsInternalAuth, Data: challenge, Ne: 2 * n})
	if err == nil {
		err = r.Err()
	}
	if err != nil {
		res.Error = "internal authenticate: " + err.Error()
		return res
	}
	if len(r.Data) != 2*n {
		res.Error = "signature of unexpected length"
		return res
	}
	d := sha256.Sum256(challenge)
	rr, ss := new(big.Int).SetBytes(r.Data[:n]), new(big.Int).SetBytes(r.Data[n:])
	res.OK = ecc.Verify(pub, d[:], rr, ss)
	if !res.OK {
		res.Error = "chip signature invalid"
	}
	return res
}

func activeAuthRSA(ctx context.Context, s iso7816.Sender, pub *rsa.PublicKey, rnd io.Reader) *document.ActiveAuthResult {
	res := &document.ActiveAuthResult{Algorithm: "rsa-iso9796-2"}
	challenge := make([]byte, 8)
	if _, err := io.ReadFull(rnd, challenge); err != nil {
		res.Error = err.Error()
		return res
	}
	k := (pub.N.BitLen() + 7) / 8
	r, err := s.Send(ctx, iso7816.Command{INS: iso7816.InsInternalAuth, Data: challenge, Ne: k})
	if err == nil {
		err = r.Err()
	}
	if err != nil {
		res.Error = "internal authenticate: " + err.Error()
		return res
	}
	alg, err := verifyISO9796(pub, challenge, r.Data)
	if err != nil {
		res.Error = err.Error()
		return res
	}
	res.OK, res.Algorithm = true, alg
	return res
}
