package document

import (
	"fmt"
	"sort"

	"github.com/dinhdanh/dinhdanh/devices/chip/tlv"
)

// COM is EF.COM: LDS and Unicode versions and the data groups present.
type COM struct {
	LDSVersion     string
	UnicodeVersion string
	DataGroups     []int
}

// dgTags maps data group numbers to their file tags.
var dgTags = map[int]byte{1: 0x61, 2: 0x75, 3: 0x63, 4: 0x76, 5: 0x65, 6: 0x66, 7: 0x67, 8: 0x68, 9: 0x69, 10: 0x6A, 11: 0x6B, 12: 0x6C, 13: 0x6D, 14: 0x6E, 15: 0x6F, 16: 0x70}

// DGTag returns the tag of data group n's file, 0 if unknown.
func DGTag(n int) byte { return dgTags[n] }

// ParseCOM decodes EF.COM (tag 60).
func ParseCOM(b []byte) (*COM, error) {
	v, err := tlv.Unwrap(b, 0x60)
	if err != nil {
		return nil, fmt.Errorf("EF.COM: %w", err)
	}
	objs, err := tlv.DecodeAll(v)
	if err != nil {
		return nil, fmt.Errorf("EF.COM: %w", err)
	}
	c := &COM{}
	for _, o := range objs {
		switch o.Tag {
		case 0x5F01:
			c.LDSVersion = string(o.Value)
		case 0x5F36:
			c.UnicodeVersion = string(o.Value)
		case 0x5C:
			for _, t := range o.Value {
				for n, tag := range dgTags {
					if tag == t {
						c.DataGroups = append(c.DataGroups, n)
					}
				}
			}
		}
	}
	sort.Ints(c.DataGroups)
	return c, nil
}

// EncodeCOM builds EF.COM listing the given data groups.
func EncodeCOM(dgs []int) []byte {
	var tags []byte
	for _, n := range dgs {
		tags = append(tags, dgTags[n])
	}
	return tlv.Encode(0x60, tlv.Encode(0x5F01, []byte("0107")), tlv.Encode(0x5F36, []byte("040000")), tlv.Encode(0x5C, tags))
}
