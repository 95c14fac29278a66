package mrz

import (
	"strings"
	"testing"
)

// ICAO 9303-11 Appendix D / 9303-4 specimen passport.
const td3 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"

// ICAO 9303-5 specimen TD1.
const td1 = "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<"

func TestCheckDigit(t *testing.T) {
	for s, want := range map[string]byte{"L898902C<": '3', "690806": '1', "940623": '6', "D23145890": '7', "": '0'} {
		if d, err := CheckDigit(s); err != nil || d != want {
			t.Errorf("CheckDigit(%q) = %q %v, want %q", s, d, err, want)
		}
	}
}

func TestTD3(t *testing.T) {
	m, err := Parse(td3)
	if err != nil {
		t.Fatal(err)
	}
	if m.DocumentNumber != "L898902C3" && m.DocumentNumber != "L898902C" || m.DateOfBirth != "740812" || m.DateOfExpiry != "120415" || m.Surname != "ERIKSSON" || m.GivenNames != "ANNA MARIA" || m.Sex != "F" || m.Optional1 != "ZE184226B" {
		t.Fatalf("%+v", m)
	}
}

func TestTD1(t *testing.T) {
	m, err := Parse(td1)
	if err != nil {
		t.Fatal(err)
	}
	if m.DocumentNumber != "D23145890" || m.Issuer != "UTO" || m.DateOfExpiry != "120415" || m.IDNumber != "" {
		t.Fatalf("%+v", m)
	}
}

func TestCCCD(t *testing.T) {
	s, err := BuildTD1("001095012345", "950315", "M", "350315", "NGUYEN", "VAN AN")
	if err != nil {
		t.Fatal(err)
	}
	m, err := Parse(strings.ReplaceAll(s, "\n", ""))
	if err != nil {
		t.Fatal(err)
	}
	if m.DocumentNumber != "095012345" || m.IDNumber != "001095012345" || m.GivenNames != "VAN AN" {
		t.Fatalf("%+v", m)
	}
	if c, _ := CCCDCAN("001095012345"); c != "012345" {
		t.Fatal(c)
	}
	if y, sex, _ := BirthCentury("001301012345"); y != 2000 || sex != 'F' {
		t.Fatal(y, sex)
	}
	for _, bad := range []string{"00109501234", "097095012345", "00109501234X"} {
		if CheckIDNumber(bad) == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

func TestBadMRZ(t *testing.T) {
	for _, s := range []string{"", "abc", strings.Replace(td3, "2F", "3F", 1), strings.Replace(td1, "D23145890", "D23145891", 1), strings.Replace(td3, "7408122", "7413122", 1)} {
		if _, err := Parse(s); err == nil {
			t.Errorf("accepted %q", s)
		}
	}
}

func FuzzMRZ(f *testing.F) {
	f.Add(td3)
	f.Add(td1)
	f.Add("IDVNM0950123455001095012345<<6\n9503157M3503155VNM<<<<<<<<<<<2\nNGUYEN<<VAN<AN<<<<<<<<<<<<<<<<")
	f.Fuzz(func(t *testing.T, s string) {
		m, err := Parse(s)
		if err == nil && (len(m.DateOfBirth) != 6 || len(m.DateOfExpiry) != 6) {
			t.Fatalf("%+v", m)
		}
	})
}
