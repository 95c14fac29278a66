package finger

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/draw"
	_ "image/png" // PNG scanner images
	"io"

	_ "golang.org/x/image/bmp" // BMP scanner images
	"golang.org/x/image/tiff"  // FVC databases are TIFF
)

// Image is a grey fingerprint image and its resolution.
type Image struct {
	Gray *image.Gray
	PPI  float64 // pixels per inch; 0 means 500
}

// MaxBytes bounds the encoded image read by Decode.
const MaxBytes = 32 << 20

// MaxSide bounds decoded images so hostile headers cannot exhaust memory.
const MaxSide = 4096

// ErrImage is wrapped by every decoding error caused by bad image bytes.
var ErrImage = errors.New("bad fingerprint image")

// Decode reads a TIFF, PNG or BMP image and converts it to 8-bit grey.
// A ppi above 0 is the caller's resolution; with 0 the file's declared
// resolution is used when plausible for a scanner (250–1500 ppi), and
// extraction otherwise assumes 500 ppi.
func Decode(r io.Reader, ppi float64) (Image, error) {
	// Read it all (bounded) so the size check sees the same bytes the
	// decoder will: a TIFF may keep its header anywhere in the file.
	data, err := io.ReadAll(io.LimitReader(r, MaxBytes+1))
	if err != nil {
		return Image{}, fmt.Errorf("decode: %w", err)
	}
	if len(data) > MaxBytes {
		return Image{}, fmt.Errorf("decode: more than %d bytes: %w", MaxBytes, ErrImage)
	}
	// TIFF is decoded directly from a ReaderAt: through image.Decode the
	// x/image/tiff reader buffers up to any IFD offset a header names,
	// and a hostile 4 GiB offset becomes a 4 GiB allocation.
	isTIFF := bytes.HasPrefix(data, []byte("II*\x00")) || bytes.HasPrefix(data, []byte("MM\x00*"))
	var cfg image.Config
	if isTIFF {
		cfg, err = tiff.DecodeConfig(bytes.NewReader(data))
	} else {
		cfg, _, err = image.DecodeConfig(bytes.NewReader(data))
	}
	if err != nil {
		return Image{}, fmt.Errorf("decode: %v: %w", err, ErrImage)
	}
	if cfg.Width > MaxSide || cfg.Height > MaxSide || cfg.Width <= 0 || cfg.Height <= 0 {
		return Image{}, fmt.Errorf("decode: %d×%d image: %w", cfg.Width, cfg.Height, ErrImage)
	}
	var img image.Image
	if isTIFF {
		img, err = tiff.Decode(bytes.NewReader(data))
	} else {
		img, _, err = image.Decode(bytes.NewReader(data))
	}
	if err != nil {
		return Image{}, fmt.Errorf("decode: %v: %w", err, ErrImage)
	}
	b := img.Bounds()
	if b.Dx() > MaxSide || b.Dy() > MaxSide || b.Empty() {
		return Image{}, fmt.Errorf("decode: %d×%d image: %w", b.Dx(), b.Dy(), ErrImage)
	}
	g, ok := img.(*image.Gray)
	if !ok || g.Rect.Min != (image.Point{}) {
		g = image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
		draw.Draw(g, g.Rect, img, b.Min, draw.Src)
	}
	if ppi <= 0 {
		ppi = fileResolution(data)
		// Files often carry placeholder values (72 or 96 dpi): trust only
		// what a fingerprint scanner could plausibly produce.
		if ppi < 250 || ppi > 1500 {
			ppi = 0
		}
	}
	return Image{Gray: g, PPI: ppi}, nil
}

// DecodeRaw wraps raw 8-bit grey pixels of a known size, as scanners send.
func DecodeRaw(pix []byte, width, height int, ppi float64) (Image, error) {
	if width <= 0 || height <= 0 || width > MaxSide || height > MaxSide {
		return Image{}, fmt.Errorf("decode raw: size %d×%d: %w", width, height, ErrImage)
	}
	if len(pix) != width*height {
		return Image{}, fmt.Errorf("decode raw: %d bytes for %d×%d: %w", len(pix), width, height, ErrImage)
	}
	g := &image.Gray{Pix: append([]byte(nil), pix...), Stride: width, Rect: image.Rect(0, 0, width, height)}
	return Image{Gray: g, PPI: ppi}, nil
}
