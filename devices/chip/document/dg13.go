package document

import (
	"encoding/asn1"
	"errors"
	"fmt"
	"sort"

	"github.com/dinhdanh/dinhdanh/devices/chip/tlv"
)

// DG13 is the Vietnamese CCCD's personal data group (tag 6D). Dates keep
// the card's dd/mm/yyyy spelling. Fields the card lacks stay empty;
// fields this decoder does not know are kept in Other.
type DG13 struct {
	IDNumber         string  `json:"id_number"`
	FullName         string  `json:"full_name"`
	DateOfBirth      string  `json:"date_of_birth"`
	Sex              string  `json:"sex"`
	Nationality      string  `json:"nationality"`
	Ethnicity        string  `json:"ethnicity"`
	Religion         string  `json:"religion"`
	HomeTown         string  `json:"home_town"`
	PlaceOfResidence string  `json:"place_of_residence"`
	IdentifyingMarks string  `json:"identifying_marks"`
	DateOfIssue      string  `json:"date_of_issue"`
	DateOfExpiry     string  `json:"date_of_expiry"`
	FatherName       string  `json:"father_name"`
	MotherName       string  `json:"mother_name"`
	SpouseName       string  `json:"spouse_name"`
	OldIDNumber      string  `json:"old_id_number"`
	Field16          string  `json:"field_16,omitempty"` // meaning unclear on real cards
	Other            []Field `json:"other,omitempty"`
}

// Field is a DG13 entry this decoder does not name.
type Field struct {
	Number int      `json:"number"`
	Values []string `json:"values"`
}

// DG13 entry numbers.
const (
	DG13IDNumber = 1 + iota
	DG13FullName
	DG13DateOfBirth
	DG13Sex
	DG13Nationality
	DG13Ethnicity
	DG13Religion
	DG13HomeTown
	DG13Residence
	DG13Marks
	DG13DateOfIssue
	DG13DateOfExpiry
	DG13Parents
	DG13Spouse
	DG13OldIDNumber
	DG13Field16
)

// ParseDG13 decodes 6D { 30 { INTEGER version, OID, 31 { 30 { INTEGER n,
// value… } … } } } collecting, for each n, every string in its value.
func ParseDG13(b []byte) (*DG13, error) {
	v, err := tlv.Unwrap(b, 0x6D)
	if err != nil {
		return nil, fmt.Errorf("DG13: %w", err)
	}
	seq, err := tlv.Unwrap(v, 0x30)
	if err != nil {
		return nil, fmt.Errorf("DG13: %w", err)
	}
	objs, err := tlv.DecodeAll(seq)
	if err != nil {
		return nil, fmt.Errorf("DG13: %w", err)
	}
	var entries []tlv.TLV
	for _, o := range objs {
		if o.Tag == 0x31 {
			if entries, err = tlv.DecodeAll(o.Value); err != nil {
				return nil, fmt.Errorf("DG13: %w", err)
			}
		}
	}
	if entries == nil {
		return nil, errors.New("DG13: no field set")
	}
	d := &DG13{}
	for _, e := range entries {
		if e.Tag != 0x30 {
			continue
		}
		parts, err := tlv.DecodeAll(e.Value)
		if err != nil || len(parts) == 0 || parts[0].Tag != 0x02 || len(parts[0].Value) == 0 || len(parts[0].Value) > 2 {
			return nil, errors.New("DG13: malformed field")
		}
		n := 0
		for _, c := range parts[0].Value {
			n = n<<8 | int(c)
		}
		var vals []string
		for _, p := range parts[1:] {
			vals = collectStrings(p, vals, 0)
		}
		d.set(n, vals)
	}
	sort.Slice(d.Other, func(i, j int) bool { return d.Other[i].Number < d.Other[j].Number })
	return d, nil
}

func collectStrings(t tlv.TLV, out []string, depth int) []string {
	switch t.Tag {
	case asn1.TagUTF8String, asn1.TagPrintableString, asn1.TagIA5String, asn1.TagT61String, asn1.TagBMPString, asn1.TagNumericString:
		return append(out, string(t.Value))
	}
	if tlv.Constructed(t.Tag) && depth < 8 {
		kids, err := tlv.DecodeAll(t.Value)
		if err == nil {
			for _, k := range kids {
				out = collectStrings(k, out, depth+1)
			}
		}
	}
	return out
}

func (d *DG13) set(n int, v []string) {
	first := ""
	if len(v) > 0 {
		first = v[0]
	}
	dst := map[int]*string{
		DG13IDNumber: &d.IDNumber, DG13FullName: &d.FullName, DG13DateOfBirth: &d.DateOfBirth, DG13Sex: &d.Sex,
		DG13Nationality: &d.Nationality, DG13Ethnicity: &d.Ethnicity, DG13Religion: &d.Religion, DG13HomeTown: &d.HomeTown,
		DG13Residence: &d.PlaceOfResidence, DG13Marks: &d.IdentifyingMarks, DG13DateOfIssue: &d.DateOfIssue,
		DG13DateOfExpiry: &d.DateOfExpiry, DG13Spouse: &d.SpouseName, DG13OldIDNumber: &d.OldIDNumber, DG13Field16: &d.Field16,
	}
	switch {
	case n == DG13Parents:
		if len(v) > 0 {
			d.FatherName = v[0]
		}
		if len(v) > 1 {
			d.MotherName = v[1]
		}
	case dst[n] != nil:
		*dst[n] = first
	default:
		d.Other = append(d.Other, Field{Number: n, Values: v})
	}
}

// EncodeDG13 builds DG13 the way CCCD cards lay it out; used by the chip
// simulator.
func EncodeDG13(d *DG13) []byte {
	utf := func(s string) []byte { return tlv.Encode(asn1.TagUTF8String, []byte(s)) }
	field := func(n int, vals ...[]byte) []byte {
		return tlv.Encode(0x30, append([][]byte{tlv.Encode(0x02, []byte{byte(n)})}, vals...)...)
	}
	var fields [][]byte
	for _, f := range []struct {
		n int
		v string
	}{{1, d.IDNumber}, {2, d.FullName}, {3, d.DateOfBirth}, {4, d.Sex}, {5, d.Nationality}, {6, d.Ethnicity}, {7, d.Religion}, {8, d.HomeTown}, {9, d.PlaceOfResidence}, {10, d.IdentifyingMarks}, {11, d.DateOfIssue}, {12, d.DateOfExpiry}} {
		fields = append(fields, field(f.n, utf(f.v)))
	}
	fields = append(fields, field(13, tlv.Encode(0x30, utf(d.FatherName)), tlv.Encode(0x30, utf(d.MotherName))))
	fields = append(fields, field(14, tlv.Encode(0x30, utf(d.SpouseName))))
	fields = append(fields, field(15, utf(d.OldIDNumber)))
	if d.Field16 != "" {
		fields = append(fields, field(16, utf(d.Field16)))
	}
	for _, o := range d.Other {
		var vs [][]byte
		for _, v := range o.Values {
			vs = append(vs, utf(v))
		}
		fields = append(fields, field(o.Number, vs...))
	}
	oid, _ := asn1.Marshal(asn1.ObjectIdentifier{1, 0, 10646, 1, 0, 8})
	return tlv.Encode(0x6D, tlv.Encode(0x30, tlv.Encode(0x02, []byte{1}), oid, tlv.Encode(0x31, fields...)))
}
