package face

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // header-only size checks before OpenCV decodes
	_ "image/png"
	"os"

	"gocv.io/x/gocv"
)

// Format is an encoded image format the station accepts.
type Format string

// The formats seen at the station: camera frames and chip photos are JPEG,
// many CCCD chips store the DG2 portrait as JPEG 2000 (JP2 box file or bare
// codestream), and PNG comes from tools and tests.
const (
	FormatJPEG     Format = "jpeg"
	FormatJP2      Format = "jp2"
	FormatJ2K      Format = "j2k"
	FormatPNG      Format = "png"
	FormatUnknown  Format = ""
	maxEncodedSize        = 32 << 20
	maxPixels             = 40_000_000
	minSide               = 32
)

var (
	// ErrNotImage is wrapped by every decoding error: bytes that are not an
	// accepted image, truncated or corrupt images, absurd sizes.
	ErrNotImage = errors.New("not a usable image")

	magicJP2 = []byte{0, 0, 0, 0x0c, 'j', 'P', ' ', ' ', 0x0d, 0x0a, 0x87, 0x0a}
	magicJ2K = []byte{0xff, 0x4f, 0xff, 0x51}
	magicPNG = []byte{0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a}
)

func init() {
	// OpenCV's own decoder limit is 2^30 pixels (3 GB of BGR): a forged
	// header would make it allocate that. It reads this variable once, at
	// its first decode.
	if os.Getenv("OPENCV_IO_MAX_IMAGE_PIXELS") == "" {
		os.Setenv("OPENCV_IO_MAX_IMAGE_PIXELS", fmt.Sprint(maxPixels))
	}
}

// Sniff names the format of b from its first bytes.
func Sniff(b []byte) Format {
	switch {
	case len(b) >= 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff:
		return FormatJPEG
	case bytes.HasPrefix(b, magicJP2):
		return FormatJP2
	case bytes.HasPrefix(b, magicJ2K):
		return FormatJ2K
	case bytes.HasPrefix(b, magicPNG):
		return FormatPNG
	}
	return FormatUnknown
}

// Decode turns encoded image bytes (JPEG, JPEG 2000, PNG) into a BGR Mat
// that the caller must Close. Anything else, and anything OpenCV cannot
// decode into a plausible photo, is an error wrapping ErrNotImage.
func Decode(b []byte) (gocv.Mat, error) {
	f := Sniff(b)
	if f == FormatUnknown {
		return gocv.Mat{}, fmt.Errorf("decode image: %w: unknown format (first bytes % x)", ErrNotImage, b[:min(len(b), 8)])
	}
	if len(b) > maxEncodedSize {
		return gocv.Mat{}, fmt.Errorf("decode %s: %w: %d bytes is over the %d limit", f, ErrNotImage, len(b), maxEncodedSize)
	}
	if f == FormatJPEG || f == FormatPNG {
		// Go reads the header only: refuse bombs before OpenCV allocates.
		cfg, _, err := image.DecodeConfig(bytes.NewReader(b))
		if err != nil {
			return gocv.Mat{}, fmt.Errorf("decode %s: %w: %v", f, ErrNotImage, err)
		}
		if err := checkSize(cfg.Width, cfg.Height); err != nil {
			return gocv.Mat{}, fmt.Errorf("decode %s: %w", f, err)
		}
	}
	m, err := gocv.IMDecode(b, gocv.IMReadColor)
	if err != nil {
		return gocv.Mat{}, fmt.Errorf("decode %s: %w: %v", f, ErrNotImage, err)
	}
	if m.Empty() {
		m.Close()
		return gocv.Mat{}, fmt.Errorf("decode %s: %w: corrupt or truncated", f, ErrNotImage)
	}
	if err := checkSize(m.Cols(), m.Rows()); err != nil {
		m.Close()
		return gocv.Mat{}, fmt.Errorf("decode %s: %w", f, err)
	}
	return m, nil
}

func checkSize(w, h int) error {
	if w < minSide || h < minSide {
		return fmt.Errorf("%w: %d×%d is smaller than %d px", ErrNotImage, w, h, minSide)
	}
	if w*h > maxPixels {
		return fmt.Errorf("%w: %d×%d is over %d pixels", ErrNotImage, w, h, maxPixels)
	}
	return nil
}

// FromImage converts a Go image into a BGR Mat that the caller must Close.
func FromImage(img image.Image) (gocv.Mat, error) {
	b := img.Bounds()
	if err := checkSize(b.Dx(), b.Dy()); err != nil {
		return gocv.Mat{}, fmt.Errorf("convert image: %w", err)
	}
	m, err := gocv.ImageToMatRGB(img)
	if err != nil {
		return gocv.Mat{}, fmt.Errorf("convert image: %w", err)
	}
	return m, nil
}
