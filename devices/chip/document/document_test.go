package document

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509/pkix"
	"encoding/hex"
	"image"
	"image/color"
	"image/jpeg"
	"math/big"
	"testing"
	"time"

	"github.com/dinhdanh/dinhdanh/devices/chip/cms"
)

func TestCOM(t *testing.T) {
	// EF.COM of ICAO 9303-11 Appendix D.4.
	b, _ := hex.DecodeString("60145F0104303130365F36063034303030305C026175")
	c, err := ParseCOM(b)
	if err != nil || c.LDSVersion != "0106" || c.UnicodeVersion != "040000" || len(c.DataGroups) != 2 || c.DataGroups[0] != 1 || c.DataGroups[1] != 2 {
		t.Fatalf("%+v %v", c, err)
	}
	c, err = ParseCOM(EncodeCOM([]int{1, 2, 3, 13, 14, 15}))
	if err != nil || len(c.DataGroups) != 6 || c.DataGroups[3] != 13 {
		t.Fatalf("%+v %v", c, err)
	}
}

func sampleDG13() *DG13 {
	return &DG13{IDNumber: "001095012345", FullName: "Nguyễn Văn An", DateOfBirth: "15/03/1995", Sex: "Nam", Nationality: "Việt Nam",
		Ethnicity: "Kinh", Religion: "Không", HomeTown: "Hà Nội", PlaceOfResidence: "Hoàn Kiếm, Hà Nội", IdentifyingMarks: "Nốt ruồi",
		DateOfIssue: "01/07/2021", DateOfExpiry: "15/03/2035", FatherName: "Nguyễn Văn Bình", MotherName: "Trần Thị Cúc",
		SpouseName: "Lê Thị Dung", OldIDNumber: "012345678", Field16: "0123456789ABCDEF",
		Other: []Field{{Number: 17, Values: []string{"x", "y"}}}}
}

func TestDG13RoundTrip(t *testing.T) {
	want := sampleDG13()
	got, err := ParseDG13(EncodeDG13(want))
	if err != nil {
		t.Fatal(err)
	}
	if got.FullName != want.FullName || got.MotherName != want.MotherName || got.FatherName != want.FatherName || got.SpouseName != want.SpouseName ||
		got.PlaceOfResidence != want.PlaceOfResidence || got.Field16 != want.Field16 || len(got.Other) != 1 || got.Other[0].Values[1] != "y" {
		t.Fatalf("%+v", got)
	}
	// A card that leaves fields out still parses.
	sparse, err := ParseDG13(EncodeDG13(&DG13{IDNumber: "001095012345"}))
	if err != nil || sparse.IDNumber != "001095012345" || sparse.FullName != "" {
		t.Fatal(sparse, err)
	}
}

func testJPEG(t testing.TB) []byte {
	img := image.NewGray(image.Rect(0, 0, 40, 50))
	for i := range img.Pix {
		img.Pix[i] = uint8(i)
	}
	img.Set(3, 3, color.White)
	var buf bytes.Buffer
	jpeg.Encode(&buf, img, nil)
	return buf.Bytes()
}

func TestDG2(t *testing.T) {
	j := testJPEG(t)
	p, err := ParseDG2(EncodeDG2(j, ImageJPEG, 40, 50))
	if err != nil || !bytes.Equal(p.Image, j) || p.Width != 40 || p.Height != 50 {
		t.Fatal(p, err)
	}
	img, format, err := p.Decode()
	if err != nil || format != "jpeg" || img.Bounds().Dx() != 40 {
		t.Fatal(format, err)
	}
	jp2 := append([]byte{0, 0, 0, 0x0C, 'j', 'P', ' ', ' ', 0x0D, 0x0A, 0x87, 0x0A}, make([]byte, 20)...)
	p, err = ParseDG2(EncodeDG2(jp2, ImageJPEG2000, 1, 1))
	if err != nil || p.DataType != ImageJPEG2000 || !IsJPEG2000(p.Image) {
		t.Fatal(err)
	}
}

func testSOD(t testing.TB) []byte {
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	s, _ := cms.NewSigner(k, crypto.SHA256, false)
	cert, err := cms.CreateCertificate(cms.Template{Serial: big.NewInt(1), Subject: pkix.Name{CommonName: "DS"}, NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}, s.Public, nil, s)
	if err != nil {
		t.Fatal(err)
	}
	lso, _ := EncodeLDSSecurityObject(crypto.SHA256, map[int][]byte{1: {1}, 2: {2}})
	sd, err := cms.Sign(cms.OIDLDSSecurity, lso, cert, s)
	if err != nil {
		t.Fatal(err)
	}
	return EncodeSOD(sd)
}

func TestSOD(t *testing.T) {
	sod, err := ParseSOD(testSOD(t))
	if err != nil {
		t.Fatal(err)
	}
	if sod.Hash != crypto.SHA256 || len(sod.Hashes) != 2 || !bytes.Equal(sod.Hashes[2], cms.Digest(crypto.SHA256, []byte{2})) {
		t.Fatalf("%+v", sod)
	}
}

func TestMaskID(t *testing.T) {

}

func FuzzDG13(f *testing.F) {
	f.Add(EncodeDG13(sampleDG13()))
	f.Add(EncodeDG13(&DG13{}))
	f.Add([]byte{0x6D, 0x02, 0x30, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		ParseDG13(b)
	})
}

func FuzzDG2(f *testing.F) {
	f.Add(EncodeDG2(testJPEG(f), ImageJPEG, 40, 50))
	f.Add(EncodeDG2([]byte{0xFF, 0x4F, 0xFF, 0x51}, ImageJPEG2000, 1, 1))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParseDG2(b)
		if err == nil && len(b) < 4096 {
			p.Decode()
		}
	})
}

func FuzzSOD(f *testing.F) {
	f.Add(testSOD(f))
	f.Fuzz(func(t *testing.T, b []byte) {
		ParseSOD(b)
	})
}

func FuzzDG1COM(f *testing.F) {
	f.Add(EncodeDG1("IDVNM0950123455001095012345<<69503157M3503155VNM<<<<<<<<<<<2NGUYEN<<VAN<AN<<<<<<<<<<<<<<<<"))
	f.Add(EncodeCOM([]int{1, 2, 13}))
	f.Fuzz(func(t *testing.T, b []byte) {
		ParseDG1(b)
		ParseCOM(b)
		ParseDG15(b)
		ParseDG14(b)
	})
}
