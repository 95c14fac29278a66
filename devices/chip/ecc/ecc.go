// Package ecc is ECDSA over any short Weierstrass prime curve, including
// the brainpool curves ICAO country signing CAs use (Go's standard library
// only has the NIST curves) and curves given by explicit domain
// parameters, as the Vietnam CSCA certificate does.
//
// Verification handles only public data, so the arithmetic is plain
// variable-time math/big. Sign exists for the test CSCA and the chip
// simulator; it is not constant time and must not hold real keys.
package ecc

import (
	"crypto/rand"
	"encoding/asn1"
	"errors"
	"io"
	"math/big"
)

// Curve is y² = x³ + ax + b over GF(p) with base point G of order N.
type Curve struct {
	Name     string
	OID      asn1.ObjectIdentifier // nil for explicit parameters
	P, A, B  *big.Int
	Gx, Gy   *big.Int
	N        *big.Int
	Cofactor int
}

// PublicKey is a point on a curve.
type PublicKey struct {
	Curve *Curve
	X, Y  *big.Int
}

// PrivateKey is a scalar with its public point.
type PrivateKey struct {
	PublicKey
	D *big.Int
}

// ByteLen is the length of one field element.
func (c *Curve) ByteLen() int { return (c.P.BitLen() + 7) / 8 }

// IsOnCurve reports whether (x, y) satisfies the curve equation.
func (c *Curve) IsOnCurve(x, y *big.Int) bool {
	if x.Sign() < 0 || x.Cmp(c.P) >= 0 || y.Sign() < 0 || y.Cmp(c.P) >= 0 {
		return false
	}
	l := new(big.Int).Mul(y, y)
	l.Mod(l, c.P)
	r := new(big.Int).Mul(x, x)
	r.Add(r, c.A)
	r.Mul(r, x)
	r.Add(r, c.B)
	r.Mod(r, c.P)
	return l.Cmp(r) == 0
}

// point in affine form; inf marks the point at infinity.
type point struct {
	x, y *big.Int
	inf  bool
}

func (c *Curve) add(p, q point) point {
	if p.inf {
		return q
	}
	if q.inf {
		return p
	}
	var lambda *big.Int
	if p.x.Cmp(q.x) == 0 {
		sum := new(big.Int).Add(p.y, q.y)
		if sum.Mod(sum, c.P).Sign() == 0 {
			return point{inf: true}
		}
		// doubling: (3x² + a) / 2y
		num := new(big.Int).Mul(p.x, p.x)
		num.Mul(num, big.NewInt(3))
		num.Add(num, c.A)
		den := new(big.Int).Lsh(p.y, 1)
		den.ModInverse(den.Mod(den, c.P), c.P)
		lambda = num.Mul(num, den)
	} else {
		num := new(big.Int).Sub(q.y, p.y)
		den := new(big.Int).Sub(q.x, p.x)
		den.ModInverse(den.Mod(den, c.P), c.P)
		lambda = num.Mul(num, den)
	}
	lambda.Mod(lambda, c.P)
	x := new(big.Int).Mul(lambda, lambda)
	x.Sub(x, p.x)
	x.Sub(x, q.x)
	x.Mod(x, c.P)
	y := new(big.Int).Sub(p.x, x)
	y.Mul(y, lambda)
	y.Sub(y, p.y)
	y.Mod(y, c.P)
	return point{x: x, y: y}
}

func (c *Curve) mul(p point, k *big.Int) point {
	r := point{inf: true}
	for i := k.BitLen() - 1; i >= 0; i-- {
		r = c.add(r, r)
		if k.Bit(i) == 1 {
			r = c.add(r, p)
		}
	}
	return r
}

// ScalarMult returns k·(x, y); ok is false for the point at infinity.
func (c *Curve) ScalarMult(x, y, k *big.Int) (rx, ry *big.Int, ok bool) {
	r := c.mul(point{x: x, y: y}, k)
	return r.x, r.y, !r.inf
}

func (c *Curve) hashInt(hash []byte) *big.Int {
	e := new(big.Int).SetBytes(hash)
	if excess := len(hash)*8 - c.N.BitLen(); excess > 0 {
		e.Rsh(e, uint(excess))
	}
	return e
}

// Verify checks an ECDSA signature (r, s) over a message digest.
func Verify(pub *PublicKey, hash []byte, r, s *big.Int) bool {
	c := pub.Curve
	if c == nil || pub.X == nil || pub.Y == nil || r == nil || s == nil {
		return false
	}
	if r.Sign() <= 0 || s.Sign() <= 0 || r.Cmp(c.N) >= 0 || s.Cmp(c.N) >= 0 {
		return false
	}
	if !c.IsOnCurve(pub.X, pub.Y) {
		return false
	}
	w := new(big.Int).ModInverse(s, c.N)
	if w == nil {
		return false
	}
	u1 := c.hashInt(hash)
	u1.Mul(u1, w).Mod(u1, c.N)
	u2 := new(big.Int).Mul(r, w)
	u2.Mod(u2, c.N)
	p := c.add(c.mul(point{x: c.Gx, y: c.Gy}, u1), c.mul(point{x: pub.X, y: pub.Y}, u2))
	if p.inf {
		return false
	}
	v := new(big.Int).Mod(p.x, c.N)
	return v.Cmp(r) == 0
}

type sig struct{ R, S *big.Int }

// VerifyASN1 checks a DER-encoded ECDSA-Sig-Value.
func VerifyASN1(pub *PublicKey, hash, der []byte) bool {
	var s sig
	rest, err := asn1.Unmarshal(der, &s)
	if err != nil || len(rest) != 0 {
		return false
	}
	return Verify(pub, hash, s.R, s.S)
}

// GenerateKey makes a key pair for tests and the simulator.
func GenerateKey(c *Curve, rnd io.Reader) (*PrivateKey, error) {
	if rnd == nil {
		rnd = rand.Reader
	}
	d, err := rand.Int(rnd, new(big.Int).Sub(c.N, big.NewInt(1)))
	if err != nil {
		return nil, err
	}
	d.Add(d, big.NewInt(1))
	x, y, _ := c.ScalarMult(c.Gx, c.Gy, d)
	return &PrivateKey{PublicKey: PublicKey{Curve: c, X: x, Y: y}, D: d}, nil
}

// SignASN1 signs a digest and returns a DER ECDSA-Sig-Value. Tests and the
// simulator only: variable time.
func SignASN1(priv *PrivateKey, hash []byte, rnd io.Reader) ([]byte, error) {
	if rnd == nil {
		rnd = rand.Reader
	}
	c := priv.Curve
	e := c.hashInt(hash)
	for i := 0; i < 100; i++ {
		k, err := rand.Int(rnd, c.N)
		if err != nil {
			return nil, err
		}
		if k.Sign() == 0 {
			continue
		}
		x, _, ok := c.ScalarMult(c.Gx, c.Gy, k)
		if !ok {
			continue
		}
		r := new(big.Int).Mod(x, c.N)
		if r.Sign() == 0 {
			continue
		}
		s := new(big.Int).Mul(r, priv.D)
		s.Add(s, e)
		s.Mul(s, new(big.Int).ModInverse(k, c.N))
		s.Mod(s, c.N)
		if s.Sign() == 0 {
			continue
		}
		return asn1.Marshal(sig{r, s})
	}
	return nil, errors.New("ecc: signing failed")
}

// Marshal encodes a point uncompressed (04 ‖ X ‖ Y).
func (c *Curve) Marshal(x, y *big.Int) []byte {
	n := c.ByteLen()
	out := make([]byte, 1+2*n)
	out[0] = 4
	x.FillBytes(out[1 : 1+n])
	y.FillBytes(out[1+n:])
	return out
}

// Unmarshal decodes an uncompressed point and checks it is on the curve.
func (c *Curve) Unmarshal(b []byte) (x, y *big.Int, err error) {
	n := c.ByteLen()
	if len(b) != 1+2*n || b[0] != 4 {
		return nil, nil, errors.New("ecc: not an uncompressed point of this curve")
	}
	x = new(big.Int).SetBytes(b[1 : 1+n])
	y = new(big.Int).SetBytes(b[1+n:])
	if !c.IsOnCurve(x, y) {
		return nil, nil, errors.New("ecc: point not on curve")
	}
	return x, y, nil
}
