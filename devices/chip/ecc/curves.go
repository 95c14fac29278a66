package ecc

import (
	"crypto/elliptic"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
)

func hexInt(s string) *big.Int {
	n, ok := new(big.Int).SetString(s, 16)
	if !ok {
		panic("ecc: bad constant " + s)
	}
	return n
}

// Brainpool curves (RFC 5639) and the NIST curves, by their OIDs.
var (
	BrainpoolP256r1 = &Curve{
		Name: "brainpoolP256r1", OID: asn1.ObjectIdentifier{1, 3, 36, 3, 3, 2, 8, 1, 1, 7},
		P:  hexInt("A9FB57DBA1EEA9BC3E660A909D838D726E3BF623D52620282013481D1F6E5377"),
		A:  hexInt("7D5A0975FC2C3057EEF67530417AFFE7FB8055C126DC5C6CE94A4B44F330B5D9"),
		B:  hexInt("26DC5C6CE94A4B44F330B5D9BBD77CBF958416295CF7E1CE6BCCDC18FF8C07B6"),
		Gx: hexInt("8BD2AEB9CB7E57CB2C4B482FFC81B7AFB9DE27E1E3BD23C23A4453BD9ACE3262"),
		Gy: hexInt("547EF835C3DAC4FD97F8461A14611DC9C27745132DED8E545C1D54C72F046997"),
		N:  hexInt("A9FB57DBA1EEA9BC3E660A909D838D718C397AA3B561A6F7901E0E82974856A7"), Cofactor: 1,
	}
	BrainpoolP384r1 = &Curve{
		Name: "brainpoolP384r1", OID: asn1.ObjectIdentifier{1, 3, 36, 3, 3, 2, 8, 1, 1, 11},
		P:  hexInt("8CB91E82A3386D280F5D6F7E50E641DF152F7109ED5456B412B1DA197FB71123ACD3A729901D1A71874700133107EC53"),
		A:  hexInt("7BC382C63D8C150C3C72080ACE05AFA0C2BEA28E4FB22787139165EFBA91F90F8AA5814A503AD4EB04A8C7DD22CE2826"),
		B:  hexInt("04A8C7DD22CE28268B39B55416F0447C2FB77DE107DCD2A62E880EA53EEB62D57CB4390295DBC9943AB78696FA504C11"),
		Gx: hexInt("1D1C64F068CF45FFA2A63A81B7C13F6B8847A3E77EF14FE3DB7FCAFE0CBD10E8E826E03436D646AAEF87B2E247D4AF1E"),
		Gy: hexInt("8ABE1D7520F9C2A45CB1EB8E95CFD55262B70B29FEEC5864E19C054FF99129280E4646217791811142820341263C5315"),
		N:  hexInt("8CB91E82A3386D280F5D6F7E50E641DF152F7109ED5456B31F166E6CAC0425A7CF3AB6AF6B7FC3103B883202E9046565"), Cofactor: 1,
	}
	BrainpoolP512r1 = &Curve{
		Name: "brainpoolP512r1", OID: asn1.ObjectIdentifier{1, 3, 36, 3, 3, 2, 8, 1, 1, 13},
		P:  hexInt("AADD9DB8DBE9C48B3FD4E6AE33C9FC07CB308DB3B3C9D20ED6639CCA703308717D4D9B009BC66842AECDA12AE6A380E62881FF2F2D82C68528AA6056583A48F3"),
		A:  hexInt("7830A3318B603B89E2327145AC234CC594CBDD8D3DF91610A83441CAEA9863BC2DED5D5AA8253AA10A2EF1C98B9AC8B57F1117A72BF2C7B9E7C1AC4D77FC94CA"),
		B:  hexInt("3DF91610A83441CAEA9863BC2DED5D5AA8253AA10A2EF1C98B9AC8B57F1117A72BF2C7B9E7C1AC4D77FC94CADC083E67984050B75EBAE5DD2809BD638016F723"),
		Gx: hexInt("81AEE4BDD82ED9645A21322E9C4C6A9385ED9F70B5D916C1B43B62EEF4D0098EFF3B1F78E2D0D48D50D1687B93B97D5F7C6D5047406A5E688B352209BCB9F822"),
		Gy: hexInt("7DDE385D566332ECC0EABFA9CF7822FDF209F70024A57B1AA000C55B881F8111B2DCDE494A5F485E5BCA4BD88A2763AED1CA2B2FA8F0540678CD1E0F3AD80892"),
		N:  hexInt("AADD9DB8DBE9C48B3FD4E6AE33C9FC07CB308DB3B3C9D20ED6639CCA70330870553E5C414CA92619418661197FAC10471DB1D381085DDADDB58796829CA90069"), Cofactor: 1,
	}
)

var (
	oidP256 = asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 7}
	oidP384 = asn1.ObjectIdentifier{1, 3, 132, 0, 34}
	oidP521 = asn1.ObjectIdentifier{1, 3, 132, 0, 35}
)

func fromElliptic(c elliptic.Curve, oid asn1.ObjectIdentifier) *Curve {
	p := c.Params()
	return &Curve{Name: p.Name, OID: oid, P: p.P, A: new(big.Int).Sub(p.P, big.NewInt(3)), B: p.B, Gx: p.Gx, Gy: p.Gy, N: p.N, Cofactor: 1}
}

// Named curves known by OID.
var named = []*Curve{
	BrainpoolP256r1, BrainpoolP384r1, BrainpoolP512r1,
	fromElliptic(elliptic.P256(), oidP256),
	fromElliptic(elliptic.P384(), oidP384),
	fromElliptic(elliptic.P521(), oidP521),
}

// CurveByOID returns the named curve with that OID, or nil.
func CurveByOID(oid asn1.ObjectIdentifier) *Curve {
	for _, c := range named {
		if c.OID.Equal(oid) {
			return c
		}
	}
	return nil
}

// Explicit domain parameters (RFC 3279 ECParameters).
type ecParameters struct {
	Version  int
	FieldID  fieldID
	Curve    curveAB
	Base     []byte
	Order    *big.Int
	Cofactor *big.Int `asn1:"optional"`
}

type fieldID struct {
	FieldType asn1.ObjectIdentifier
	Prime     *big.Int
}

type curveAB struct {
	A, B []byte
	Seed asn1.BitString `asn1:"optional"`
}

var oidPrimeField = asn1.ObjectIdentifier{1, 2, 840, 10045, 1, 1}

// ParseParameters reads the parameters of an id-ecPublicKey algorithm
// identifier: a named curve OID or explicit prime-field parameters. An
// explicit set equal to a named curve returns that curve.
func ParseParameters(der []byte) (*Curve, error) {
	var oid asn1.ObjectIdentifier
	if rest, err := asn1.Unmarshal(der, &oid); err == nil && len(rest) == 0 {
		if c := CurveByOID(oid); c != nil {
			return c, nil
		}
		return nil, fmt.Errorf("ecc: unknown curve %v", oid)
	}
	var p ecParameters
	rest, err := asn1.Unmarshal(der, &p)
	if err != nil || len(rest) != 0 {
		return nil, errors.New("ecc: bad EC parameters")
	}
	if !p.FieldID.FieldType.Equal(oidPrimeField) || p.FieldID.Prime == nil || p.FieldID.Prime.Sign() <= 0 || p.Order == nil || p.Order.Sign() <= 0 {
		return nil, errors.New("ecc: only prime-field curves are supported")
	}
	if p.FieldID.Prime.BitLen() > 1024 || p.Order.BitLen() > 1024 {
		return nil, errors.New("ecc: curve too large")
	}
	c := &Curve{Name: "explicit", P: p.FieldID.Prime, A: new(big.Int).SetBytes(p.Curve.A), B: new(big.Int).SetBytes(p.Curve.B), N: p.Order, Cofactor: 1}
	if p.Cofactor != nil && p.Cofactor.IsInt64() {
		c.Cofactor = int(p.Cofactor.Int64())
	}
	if c.Gx, c.Gy, err = c.Unmarshal(p.Base); err != nil {
		return nil, fmt.Errorf("ecc: base point: %w", err)
	}
	for _, n := range named {
		if n.P.Cmp(c.P) == 0 && n.A.Cmp(c.A) == 0 && n.B.Cmp(c.B) == 0 && n.Gx.Cmp(c.Gx) == 0 && n.N.Cmp(c.N) == 0 {
			return n, nil
		}
	}
	return c, nil
}

// MarshalParameters encodes c as a named-curve OID.
func (c *Curve) MarshalParameters() ([]byte, error) {
	if c.OID == nil {
		return nil, errors.New("ecc: curve has no OID")
	}
	return asn1.Marshal(c.OID)
}
