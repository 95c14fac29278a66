package receipt

import (
	"bytes"
	"errors"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func needFont(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(DefaultFont); err != nil {
		t.Skipf("font %s not installed (Debian package fonts-dejavu-core)", DefaultFont)
	}
}

func TestReceiptPDF(t *testing.T) {
	needFont(t)
	r := Receipt{
		ApplicationID: "HN-BD-01-20261123-0007", Office: "Công an phường Ba Đình", StationID: "HN-BD-01",
		Officer: "Nguyễn Thị Hằng", SubmittedAt: time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC),
		DueBy: time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC), FullName: "Trần Văn Đức", IDNumber: "001090000123",
		Phone: "0912345678", Email: "duc@example.vn", Documents: []string{"Giấy phép lái xe", "Thẻ bảo hiểm y tế"},
	}
	var buf bytes.Buffer
	if err := Write(&buf, r, Options{}); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	if !bytes.HasPrefix(b, []byte("%PDF-")) || !bytes.Contains(b[len(b)-32:], []byte("%%EOF")) {
		t.Fatal("not a complete PDF")
	}
	for _, want := range []string{"/FontFile2", "/Subtype /Image", "/ToUnicode"} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("PDF lacks %s", want)
		}
	}
	if bytes.Contains(b, []byte("001090000123")) {
		t.Error("full ID number in the PDF")
	}
	if dir := os.Getenv("DINHDANH_SCREENSHOT_DIR"); dir != "" {
		os.WriteFile(filepath.Join(dir, "receipt.pdf"), b, 0o644)
	}
	if err := Write(&buf, Receipt{}, Options{}); err == nil {
		t.Error("receipt without application ID written")
	}
}

func TestConsentPDF(t *testing.T) {
	needFont(t)
	var buf bytes.Buffer
	err := WriteConsent(&buf, Consent{Text: "Tôi đồng ý cho cơ quan Công an thu nhận và xử lý ảnh chân dung, vân tay của tôi.", TextVersion: "vi-1",
		FullName: "Trần Văn Đức", IDNumber: "001090000123", Given: true, At: time.Now(), Officer: "Hằng", Office: "CA phường"}, Options{})
	if err != nil || !bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")) {
		t.Fatalf("consent PDF: %v", err)
	}
}

func TestMissingFont(t *testing.T) {
	err := Write(&bytes.Buffer{}, Receipt{ApplicationID: "x"}, Options{FontPath: "/nonexistent.ttf"})
	if !errors.Is(err, ErrNoFont) {
		t.Fatalf("err = %v, want ErrNoFont", err)
	}
}

func TestQR(t *testing.T) {
	b, err := QRPNG("HN-BD-01-20261123-0007", 256)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil || img.Bounds().Dx() != 256 {
		t.Fatalf("QR PNG: %v", err)
	}
	if _, err := QRPNG("", 256); err == nil {
		t.Error("empty QR accepted")
	}
}
