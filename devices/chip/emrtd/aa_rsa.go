package emrtd

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"errors"
	"math/big"
)

// verifyISO9796 checks an RSA active authentication signature (ISO/IEC
// 9796-2 digital signature scheme 1 with partial message recovery, as
// 9303-11 §6.1 uses): the recovered representative is 6A ‖ M1 ‖
// H(M1 ‖ challenge) ‖ trailer, where the trailer is BC for SHA-1 or a
// hash identifier followed by CC.
func verifyISO9796(pub *rsa.PublicKey, challenge, sig []byte) (string, error) {
	k := (pub.N.BitLen() + 7) / 8
	if len(sig) != k {
		return "", errors.New("signature length differs from the modulus")
	}
	s := new(big.Int).SetBytes(sig)
	if s.Cmp(pub.N) >= 0 {
		return "", errors.New("signature not below the modulus")
	}
	f := new(big.Int).Exp(s, big.NewInt(int64(pub.E)), pub.N).FillBytes(make([]byte, k))
	var h crypto.Hash
	var trailer int
	switch {
	case f[k-1] == 0xBC:
		h, trailer = crypto.SHA1, 1
	case f[k-1] == 0xCC:
		trailer = 2
		h = map[byte]crypto.Hash{0x33: crypto.SHA1, 0x34: crypto.SHA256, 0x35: crypto.SHA512, 0x36: crypto.SHA384, 0x38: crypto.SHA224}[f[k-2]]
		if h == 0 {
			return "", errors.New("unknown hash identifier in the trailer")
		}
	default:
		return "", errors.New("no ISO/IEC 9796-2 trailer: wrong key or signature")
	}
	if f[0]&0xC0 != 0x40 || f[0]&0x0F != 0x0A {
		return "", errors.New("recovered message has no partial-recovery header")
	}
	d := k - trailer - h.Size()
	if d < 1 {
		return "", errors.New("modulus too small for the hash")
	}
	m1, digest := f[1:d], f[d:k-trailer]
	hh := h.New()
	hh.Write(m1)
	hh.Write(challenge)
	if !bytes.Equal(hh.Sum(nil), digest) {
		return "", errors.New("chip signature invalid")
	}
	return "rsa-iso9796-2-" + h.String(), nil
}
