package document

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // DG2 portraits are JPEG; JPEG 2000 registers from package jp2
	_ "image/png"

	"github.com/dinhdanh/dinhdanh/devices/chip/tlv"
)

// Face image data types of ISO/IEC 19794-5.
const (
	ImageJPEG     = 0
	ImageJPEG2000 = 1
)

// Portrait is the first face of DG2.
type Portrait struct {
	Width, Height int
	DataType      int    // ImageJPEG or ImageJPEG2000
	Image         []byte // encoded image
}

// ParseDG2 decodes DG2 (tag 75): biometric information template group
// 7F61, first template 7F60, biometric data 5F2E (or 7F2E) holding an
// ISO/IEC 19794-5 facial record, and returns its first image.
func ParseDG2(b []byte) (*Portrait, error) {
	v, err := tlv.Unwrap(b, 0x75)
	if err != nil {
		return nil, fmt.Errorf("DG2: %w", err)
	}
	group, ok := tlv.Find(v, 0x7F61)
	if !ok {
		return nil, errors.New("DG2: no biometric information group template")
	}
	bit, ok := tlv.Find(group, 0x7F60)
	if !ok {
		return nil, errors.New("DG2: no biometric information template")
	}
	data, ok := tlv.Find(bit, 0x5F2E)
	if !ok {
		if data, ok = tlv.Find(bit, 0x7F2E); !ok {
			return nil, errors.New("DG2: no biometric data block")
		}
	}
	p, err := parseFaceRecord(data)
	if err != nil {
		return nil, fmt.Errorf("DG2: %w", err)
	}
	return p, nil
}

// parseFaceRecord reads an ISO/IEC 19794-5 record: 14-byte header,
// 20-byte facial information, 8 bytes per feature point, 12-byte image
// information, then the image.
func parseFaceRecord(r []byte) (*Portrait, error) {
	if len(r) < 14+20+12 || !bytes.Equal(r[:4], []byte("FAC\x00")) {
		return nil, errors.New("not an ISO/IEC 19794-5 facial record")
	}
	if binary.BigEndian.Uint16(r[12:14]) == 0 {
		return nil, errors.New("facial record without images")
	}
	face := r[14:]
	blockLen := int(binary.BigEndian.Uint32(face[0:4]))
	points := int(binary.BigEndian.Uint16(face[4:6]))
	off := 20 + 8*points
	if off+12 > len(face) || blockLen > len(face) || blockLen < off+12 {
		return nil, errors.New("facial record truncated")
	}
	info := face[off : off+12]
	p := &Portrait{
		DataType: int(info[1]),
		Width:    int(binary.BigEndian.Uint16(info[2:4])),
		Height:   int(binary.BigEndian.Uint16(info[4:6])),
		Image:    face[off+12 : blockLen],
	}
	if len(p.Image) == 0 {
		return nil, errors.New("facial record with an empty image")
	}
	return p, nil
}

// Decode decodes the portrait image. JPEG is built in; JPEG 2000 needs a
// decoder registered with image.RegisterFormat (import package jp2).
func (p *Portrait) Decode() (image.Image, string, error) {
	img, format, err := image.Decode(bytes.NewReader(p.Image))
	if err != nil {
		kind := "JPEG"
		if p.DataType == ImageJPEG2000 || IsJPEG2000(p.Image) {
			kind = "JPEG 2000"
		}
		return nil, "", fmt.Errorf("DG2 portrait (%s): %w", kind, err)
	}
	return img, format, nil
}

// IsJPEG2000 reports whether b starts like a JP2 file or a J2K codestream.
func IsJPEG2000(b []byte) bool {
	return bytes.HasPrefix(b, []byte{0, 0, 0, 0x0C, 'j', 'P', ' ', ' '}) || bytes.HasPrefix(b, []byte{0xFF, 0x4F, 0xFF, 0x51})
}

// EncodeDG2 builds DG2 around one encoded face image.
func EncodeDG2(img []byte, dataType, width, height int) []byte {
	face := make([]byte, 20+12)
	binary.BigEndian.PutUint32(face[0:4], uint32(len(face)+len(img)))
	face[20] = 1 // basic face image type... full frontal
	face[21] = byte(dataType)
	binary.BigEndian.PutUint16(face[22:24], uint16(width))
	binary.BigEndian.PutUint16(face[24:26], uint16(height))
	face = append(face, img...)
	hdr := make([]byte, 14)
	copy(hdr, "FAC\x00010\x00")
	binary.BigEndian.PutUint32(hdr[8:12], uint32(14+len(face)))
	binary.BigEndian.PutUint16(hdr[12:14], 1)
	record := append(hdr, face...)
	header := tlv.Encode(0xA1, tlv.Encode(0x80, []byte{1, 1}), tlv.Encode(0x87, []byte{1, 1}), tlv.Encode(0x88, []byte{0, 8}))
	return tlv.Encode(0x75, tlv.Encode(0x7F61, tlv.Encode(0x02, []byte{1}), tlv.Encode(0x7F60, header, tlv.Encode(0x5F2E, record))))
}
