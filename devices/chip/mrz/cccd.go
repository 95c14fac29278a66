package mrz

import (
	"fmt"
	"strings"
)

// CheckIDNumber validates a 12-digit CCCD ID number: digits 1-3 the
// province code (001-096), digit 4 sex and century, digits 5-6 the birth
// year's last two digits. It returns a description of the first problem.
func CheckIDNumber(id string) error {
	if len(id) != 12 || !isDigits(id) {
		return fmt.Errorf("ID number must be 12 digits")
	}
	p := int(id[0]-'0')*100 + int(id[1]-'0')*10 + int(id[2]-'0')
	if p < 1 || p > 96 {
		return fmt.Errorf("ID number province code %03d is not 001-096", p)
	}
	return nil
}

// CCCDDocumentNumber is the BAC document number of a CCCD: the last 9
// digits of the 12-digit ID number.
func CCCDDocumentNumber(id string) (string, error) {
	if err := CheckIDNumber(id); err != nil {
		return "", err
	}
	return id[3:], nil
}

// CCCDCAN is the PACE card access number reported for newer CCCDs: the
// last 6 digits of the ID number.
func CCCDCAN(id string) (string, error) {
	if err := CheckIDNumber(id); err != nil {
		return "", err
	}
	return id[6:], nil
}

// BirthCentury returns the century (e.g. 1900) and sex ('M' or 'F') coded
// in digit 4 of a CCCD ID number.
func BirthCentury(id string) (int, byte, error) {
	if err := CheckIDNumber(id); err != nil {
		return 0, 0, err
	}
	d := int(id[3] - '0')
	sex := byte('M')
	if d%2 == 1 {
		sex = 'F'
	}
	return 1900 + 100*(d/2), sex, nil
}

// BuildTD1 composes a CCCD MRZ from its parts, computing every check digit.
// It is used by the chip simulator and by tests.
func BuildTD1(id, dob, sex, exp, surname, given string) (string, error) {
	doc, err := CCCDDocumentNumber(id)
	if err != nil {
		return "", err
	}
	cd := func(s string) string { d, _ := CheckDigit(s); return string(d) }
	l1 := "IDVNM" + doc + cd(doc) + id + "<<" + cd(id)
	l2 := dob + cd(dob) + sex + exp + cd(exp) + "VNM" + strings.Repeat("<", 11)
	l2 += cd(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29])
	name := strings.ReplaceAll(surname, " ", "<") + "<<" + strings.ReplaceAll(given, " ", "<")
	if len(name) > 30 {
		name = name[:30]
	}
	l3 := name + strings.Repeat("<", 30-len(name))
	s := l1 + "\n" + l2 + "\n" + l3
	if _, err := Parse(s); err != nil {
		return "", err
	}
	return s, nil
}
