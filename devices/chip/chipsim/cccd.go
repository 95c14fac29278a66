package chipsim

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/asn1"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"

	"github.com/dinhdanh/dinhdanh/devices/chip/bac"
	"github.com/dinhdanh/dinhdanh/devices/chip/cms"
	"github.com/dinhdanh/dinhdanh/devices/chip/document"
	"github.com/dinhdanh/dinhdanh/devices/chip/mrz"
)

// Person is the synthetic citizen a simulated CCCD carries.
type Person struct {
	IDNumber     string // 12 digits
	MRZSurname   string // without diacritics, as in the MRZ
	MRZGiven     string
	DateOfBirth  string // YYMMDD
	Sex          string // "M" or "F"
	DateOfExpiry string // YYMMDD
	DG13         document.DG13
	// Portrait is an encoded JPEG or JPEG 2000 image; nil generates one.
	Portrait []byte
}

// DemoPerson is the synthetic citizen of the demo card. The ID number is
// made up (province 001, male born 1995) and belongs to nobody.
func DemoPerson() Person {
	return Person{
		IDNumber: "001095012345", MRZSurname: "NGUYEN", MRZGiven: "VAN AN",
		DateOfBirth: "950315", Sex: "M", DateOfExpiry: "350315",
		DG13: document.DG13{
			IDNumber: "001095012345", FullName: "Nguyễn Văn An", DateOfBirth: "15/03/1995", Sex: "Nam",
			Nationality: "Việt Nam", Ethnicity: "Kinh", Religion: "Không", HomeTown: "Xã Đông Anh, Hà Nội",
			PlaceOfResidence: "Số 1 Phố Tràng Tiền, Phường Hoàn Kiếm, Hà Nội", IdentifyingMarks: "Nốt ruồi cách 2cm trên đầu mày phải",
			DateOfIssue: "01/07/2021", DateOfExpiry: "15/03/2035", FatherName: "Nguyễn Văn Bình", MotherName: "Trần Thị Cúc",
			OldIDNumber: "012345678", Field16: "0123456789ABCDEF",
		},
	}
}

// Options configure a simulated card.
type Options struct {
	// PKI signs the SOD; nil makes a new brainpool test PKI.
	PKI *TestPKI
	// Extended lets the card take extended-length APDUs.
	Extended bool
	// Rand supplies the card's nonces (crypto/rand when nil).
	Rand io.Reader
	// NoActiveAuth leaves out DG15 and INTERNAL AUTHENTICATE.
	NoActiveAuth bool
	// RSAActiveAuth uses a 2048-bit RSA key (ISO/IEC 9796-2) for active
	// authentication instead of ECDSA P-256.
	RSAActiveAuth bool
}

// NewCCCD builds a simulated CCCD for p: EF.COM, DG1, DG2, DG3 (refused
// without terminal authentication), DG13, DG14, DG15 and an EF.SOD signed
// by the test PKI.
func NewCCCD(p Person, opts Options) (*Card, *TestPKI, error) {
	mrzText, err := mrz.BuildTD1(p.IDNumber, p.DateOfBirth, p.Sex, p.DateOfExpiry, p.MRZSurname, p.MRZGiven)
	if err != nil {
		return nil, nil, fmt.Errorf("chipsim: %w", err)
	}
	m, _ := mrz.Parse(mrzText)
	if opts.PKI == nil {
		if opts.PKI, err = NewTestPKI("brainpool"); err != nil {
			return nil, nil, err
		}
	}
	if opts.Rand == nil {
		opts.Rand = rand.Reader
	}
	portrait := p.Portrait
	if portrait == nil {
		if portrait, err = GeneratePortrait(); err != nil {
			return nil, nil, err
		}
	}
	dataType, w, h := document.ImageJPEG, 0, 0
	if document.IsJPEG2000(portrait) {
		dataType = document.ImageJPEG2000
	} else if cfg, _, err := image.DecodeConfig(bytes.NewReader(portrait)); err == nil {
		w, h = cfg.Width, cfg.Height
	}
	dgs := map[int][]byte{
		1:  document.EncodeDG1(mrzText[0:30] + mrzText[31:61] + mrzText[62:92]),
		2:  document.EncodeDG2(portrait, dataType, w, h),
		3:  {0x63, 0x03, 0x7F, 0x61, 0x00}, // fingerprints: never served (EAC)
		13: document.EncodeDG13(&p.DG13),
	}
	card := &Card{
		files:     map[uint16][]byte{},
		protected: map[uint16]bool{document.FIDDG3: true},
		key:       bac.KeyFromMRZ(m),
		rnd:       opts.Rand,
		Extended:  opts.Extended,
		ATR:       []byte{0x3B, 0x88, 0x80, 0x01, 0x00, 0x00, 0x00, 0x00, 0x77, 0x81, 0x81, 0x00, 0x7E},
	}
	dg14, err := encodeDG14(!opts.NoActiveAuth && !opts.RSAActiveAuth)
	if err != nil {
		return nil, nil, err
	}
	dgs[14] = dg14
	if !opts.NoActiveAuth {
		var pub any
		if opts.RSAActiveAuth {
			if card.aaRSA, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
				return nil, nil, err
			}
			pub = &card.aaRSA.PublicKey
		} else {
			if card.aaKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
				return nil, nil, err
			}
			pub = &card.aaKey.PublicKey
		}
		spki, err := cms.MarshalPublicKey(pub)
		if err != nil {
			return nil, nil, err
		}
		dgs[15] = append([]byte{0x6F}, append(lengthOf(spki), spki...)...)
	}
	lso, err := document.EncodeLDSSecurityObject(crypto.SHA256, dgs)
	if err != nil {
		return nil, nil, err
	}
	sd, err := cms.Sign(cms.OIDLDSSecurity, lso, opts.PKI.DSDER, opts.PKI.DS)
	if err != nil {
		return nil, nil, err
	}
	var list []int
	for n := 1; n <= 16; n++ {
		if f, ok := dgs[n]; ok {
			card.files[document.FID(n)] = f
			list = append(list, n)
		}
	}
	card.files[document.FIDCOM] = document.EncodeCOM(list)
	card.files[document.FIDSOD] = document.EncodeSOD(sd)
	return card, opts.PKI, nil
}

func lengthOf(b []byte) []byte {
	n := len(b)
	switch {
	case n < 0x80:
		return []byte{byte(n)}
	case n < 0x100:
		return []byte{0x81, byte(n)}
	}
	return []byte{0x82, byte(n >> 8), byte(n)}
}

// encodeDG14 lists the security infos: ActiveAuthenticationInfo
// (ECDSA-SHA256) when the card does active authentication. The simulator
// offers neither PACE nor chip authentication, so it does not list them.
func encodeDG14(aa bool) ([]byte, error) {
	type aaInfo struct {
		Protocol  asn1.ObjectIdentifier
		Version   int
		Signature asn1.ObjectIdentifier
	}
	var infos []asn1.RawValue
	if aa {
		b, err := asn1.Marshal(aaInfo{asn1.ObjectIdentifier{2, 23, 136, 1, 1, 5}, 1, cms.SignatureOID("ecdsa", crypto.SHA256)})
		if err != nil {
			return nil, err
		}
		infos = append(infos, asn1.RawValue{FullBytes: b})
	}
	set, err := asn1.Marshal(struct {
		S []asn1.RawValue `asn1:"set"`
	}{infos})
	if err != nil {
		return nil, err
	}
	var w asn1.RawValue
	asn1.Unmarshal(set, &w)
	return append([]byte{0x6E}, append(lengthOf(w.Bytes), w.Bytes...)...), nil
}

// GeneratePortrait draws a plain synthetic head-and-shoulders picture
// (not a real person) and encodes it as JPEG, for the demo card when no
// face images are available.
func GeneratePortrait() ([]byte, error) {
	const w, h = 240, 320
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	in := func(x, y, cx, cy, rx, ry int) bool {
		dx, dy := float64(x-cx)/float64(rx), float64(y-cy)/float64(ry)
		return dx*dx+dy*dy <= 1
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.RGBA{230, 235, 240, 255}
			switch {
			case in(x, y, 120, 330, 110, 90):
				c = color.RGBA{40, 60, 110, 255}
			case in(x, y, 120, 140, 62, 80) && y < 95:
				c = color.RGBA{25, 20, 20, 255}
			case in(x, y, 95, 130, 9, 5) || in(x, y, 145, 130, 9, 5):
				c = color.RGBA{40, 30, 30, 255}
			case in(x, y, 120, 185, 18, 5):
				c = color.RGBA{170, 90, 90, 255}
			case in(x, y, 120, 140, 60, 80):
				c = color.RGBA{224, 180, 150, 255}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 80}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// ChipPortrait scales an encoded photo to the size a chip stores (at most
// 480 pixels high) and re-encodes it as JPEG, as issuers do before
// personalisation: camera files are far larger than a DG2.
func ChipPortrait(photo []byte) ([]byte, error) {
	src, _, err := image.Decode(bytes.NewReader(photo))
	if err != nil {
		return nil, fmt.Errorf("chipsim: portrait: %w", err)
	}
	b := src.Bounds()
	scale := 1
	for b.Dy()/scale > 480 {
		scale++
	}
	dst := image.NewRGBA(image.Rect(0, 0, b.Dx()/scale, b.Dy()/scale))
	for y := 0; y < dst.Bounds().Dy(); y++ {
		for x := 0; x < dst.Bounds().Dx(); x++ {
			var r, g, bl, n uint32
			for dy := 0; dy < scale; dy++ {
				for dx := 0; dx < scale; dx++ {
					cr, cg, cb, _ := src.At(b.Min.X+x*scale+dx, b.Min.Y+y*scale+dy).RGBA()
					r, g, bl, n = r+cr, g+cg, bl+cb, n+1
				}
			}
			dst.Set(x, y, color.RGBA64{uint16(r / n), uint16(g / n), uint16(bl / n), 0xFFFF})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, dst, &jpeg.Options{Quality: 60}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
