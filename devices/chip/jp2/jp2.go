// Package jp2 registers a JPEG 2000 decoder with the image package, so that
// DG2 portraits in JPEG 2000 decode through image.Decode. Go has no JPEG
// 2000 decoder; this thin cgo edge uses OpenCV's (gocv IMDecode, which on
// Debian reads JPEG 2000 through OpenJPEG). Import it for its side effect:
//
//	import _ "github.com/dinhdanh/dinhdanh/devices/chip/jp2"
package jp2

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"io"

	"gocv.io/x/gocv"
)

func init() {
	image.RegisterFormat("jpeg2000", "\x00\x00\x00\x0CjP  ", Decode, DecodeConfig)
	image.RegisterFormat("j2k", "\xFF\x4F\xFF\x51", Decode, DecodeConfig)
}

// maxInput bounds what is handed to OpenCV: a chip portrait is tens of KB.
const maxInput = 4 << 20

// Decode decodes a JP2 file or J2K codestream.
func Decode(r io.Reader) (image.Image, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxInput+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxInput {
		return nil, errors.New("jp2: image too large")
	}
	if !bytes.HasPrefix(b, []byte("\x00\x00\x00\x0CjP  ")) && !bytes.HasPrefix(b, []byte{0xFF, 0x4F, 0xFF, 0x51}) {
		return nil, errors.New("jp2: not JPEG 2000")
	}
	m, err := gocv.IMDecode(b, gocv.IMReadColor)
	if err != nil {
		return nil, fmt.Errorf("jp2: %w", err)
	}
	defer m.Close()
	if m.Empty() {
		return nil, errors.New("jp2: OpenCV could not decode the image")
	}
	img, err := m.ToImage()
	if err != nil {
		return nil, fmt.Errorf("jp2: %w", err)
	}
	return img, nil
}

// DecodeConfig decodes the image to learn its size (JPEG 2000 headers are
// not parsed separately).
func DecodeConfig(r io.Reader) (image.Config, error) {
	img, err := Decode(r)
	if err != nil {
		return image.Config{}, err
	}
	return image.Config{ColorModel: img.ColorModel(), Width: img.Bounds().Dx(), Height: img.Bounds().Dy()}, nil
}
