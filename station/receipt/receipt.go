// Package receipt prints the citizen's receipt for a level-2 application
// and the consent form, as PDF in Vietnamese, with a QR code of the
// application ID that the desk scans to look the application up.
//
// Vietnamese needs a Unicode TrueType font: the default is Debian's DejaVu
// Sans (package fonts-dejavu-core); Options.FontPath names another.
package receipt

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/dinhdanh/dinhdanh/station/idnum"
	"io"
	"os"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
	qrcode "github.com/skip2/go-qrcode"
)

// DefaultFont and DefaultBoldFont are where Debian's fonts-dejavu-core
// installs DejaVu Sans.
const (
	DefaultFont     = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
	DefaultBoldFont = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
)

// ErrNoFont means the Unicode font needed for Vietnamese is not installed.
var ErrNoFont = errors.New("receipt font not found (install fonts-dejavu-core)")

// Receipt is what is printed for the citizen.
type Receipt struct {
	ApplicationID string
	Office        string
	StationID     string
	Officer       string
	SubmittedAt   time.Time
	DueBy         time.Time // the 3-working-day limit
	FullName      string
	IDNumber      string // printed masked unless ShowFullID
	ShowFullID    bool
	Phone, Email  string
	Documents     []string // already translated document names
}

// Options selects fonts.
type Options struct {
	FontPath, BoldFontPath string
}

func loadFonts(pdf *fpdf.Fpdf, o Options) error {
	reg, bold := o.FontPath, o.BoldFontPath
	if reg == "" {
		reg = DefaultFont
	}
	if bold == "" {
		bold = DefaultBoldFont
	}
	rb, err := os.ReadFile(reg)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrNoFont, err)
	}
	bb, err := os.ReadFile(bold)
	if err != nil {
		bb = rb // bold is a nicety
	}
	pdf.AddUTF8FontFromBytes("body", "", rb)
	pdf.AddUTF8FontFromBytes("body", "B", bb)
	return pdf.Error()
}

func newDoc(o Options) (*fpdf.Fpdf, error) {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetMargins(20, 18, 20)
	pdf.SetAutoPageBreak(true, 18)
	if err := loadFonts(pdf, o); err != nil {
		return nil, err
	}
	pdf.SetCreator("dinhdanh station", true)
	pdf.AddPage()
	return pdf, nil
}

func maskPhone(p string) string {
	if len(p) < 7 {
		return p
	}
	return p[:3] + strings.Repeat("*", len(p)-6) + p[len(p)-3:]
}

// QRPNG returns the QR code of the application ID as a PNG of size×size
// pixels, medium error correction.
func QRPNG(applicationID string, size int) ([]byte, error) {
	if applicationID == "" {
		return nil, errors.New("QR code: empty application ID")
	}
	return qrcode.Encode(applicationID, qrcode.Medium, size)
}

// Write renders the receipt as PDF to w.
func Write(w io.Writer, r Receipt, o Options) error {
	if r.ApplicationID == "" {
		return errors.New("receipt: no application ID")
	}
	pdf, err := newDoc(o)
	if err != nil {
		return fmt.Errorf("receipt: %w", err)
	}
	pw, _ := pdf.GetPageSize()
	lm, _, rm, _ := pdf.GetMargins()
	width := pw - lm - rm

	pdf.SetFont("body", "B", 11)
	pdf.CellFormat(width/2, 6, "BỘ CÔNG AN", "", 0, "C", false, 0, "")
	pdf.CellFormat(width/2, 6, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "", 1, "C", false, 0, "")
	pdf.SetFont("body", "", 10)
	pdf.CellFormat(width/2, 5, r.Office, "", 0, "C", false, 0, "")
	pdf.CellFormat(width/2, 5, "Độc lập - Tự do - Hạnh phúc", "", 1, "C", false, 0, "")
	pdf.Ln(8)
	pdf.SetFont("body", "B", 14)
	pdf.MultiCell(width, 7, "GIẤY BIÊN NHẬN HỒ SƠ\nĐĂNG KÝ TÀI KHOẢN ĐỊNH DANH ĐIỆN TỬ MỨC ĐỘ 2", "", "C", false)
	pdf.Ln(6)

	id := idnum.Mask(r.IDNumber)
	if r.ShowFullID {
		id = r.IDNumber
	}
	rows := [][2]string{
		{"Mã hồ sơ", r.ApplicationID},
		{"Họ và tên", r.FullName},
		{"Số định danh cá nhân", id},
		{"Ngày tiếp nhận", r.SubmittedAt.Local().Format("15:04 02/01/2006")},
		{"Hẹn trả kết quả trước", r.DueBy.Local().Format("02/01/2006")},
	}
	if r.Phone != "" {
		rows = append(rows, [2]string{"Số điện thoại", maskPhone(r.Phone)})
	}
	if r.Email != "" {
		rows = append(rows, [2]string{"Thư điện tử", r.Email})
	}
	if len(r.Documents) > 0 {
		rows = append(rows, [2]string{"Giấy tờ tích hợp", strings.Join(r.Documents, ", ")})
	}
	rows = append(rows, [2]string{"Cán bộ tiếp nhận", r.Officer}, [2]string{"Trạm", r.StationID})

	top := pdf.GetY()
	for _, row := range rows {
		pdf.SetFont("body", "", 11)
		pdf.CellFormat(55, 7, row[0]+":", "", 0, "L", false, 0, "")
		pdf.SetFont("body", "B", 11)
		pdf.MultiCell(width-55-45, 7, row[1], "", "L", false)
	}
	qr, err := QRPNG(r.ApplicationID, 512)
	if err != nil {
		return fmt.Errorf("receipt: %w", err)
	}
	pdf.RegisterImageOptionsReader("qr", fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(qr))
	pdf.ImageOptions("qr", lm+width-40, top, 40, 40, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	if pdf.GetY() < top+44 {
		pdf.SetY(top + 44)
	}
	pdf.Ln(4)
	pdf.SetFont("body", "", 10)
	pdf.MultiCell(width, 5.5, "Kết quả được thông báo qua ứng dụng VNeID, tin nhắn SMS hoặc thư điện tử. "+
		"Tài khoản chỉ được coi là đã cấp khi công dân kích hoạt và đăng nhập trên ứng dụng VNeID. "+
		"Thủ tục này không thu phí. "+
		"Công dân đã đồng ý cho cơ quan Công an xử lý ảnh chân dung và vân tay để xác thực danh tính cho hồ sơ này.", "", "J", false)
	pdf.Ln(10)
	pdf.SetFont("body", "B", 11)
	pdf.CellFormat(width/2, 6, "CÔNG DÂN", "", 0, "C", false, 0, "")
	pdf.CellFormat(width/2, 6, "CÁN BỘ TIẾP NHẬN", "", 1, "C", false, 0, "")
	pdf.SetFont("body", "", 9)
	pdf.CellFormat(width/2, 5, "(Ký, ghi rõ họ tên)", "", 0, "C", false, 0, "")
	pdf.CellFormat(width/2, 5, "(Ký, ghi rõ họ tên)", "", 1, "C", false, 0, "")
	pdf.Ln(20)
	pdf.SetFont("body", "B", 11)
	pdf.CellFormat(width/2, 6, r.FullName, "", 0, "C", false, 0, "")
	pdf.CellFormat(width/2, 6, r.Officer, "", 1, "C", false, 0, "")
	return pdf.Output(w)
}

// Consent is the consent form as shown to the citizen.
type Consent struct {
	Title       string
	Text        string // the consent text of the version shown
	TextVersion string
	FullName    string
	IDNumber    string // printed masked
	Given       bool
	At          time.Time
	Officer     string
	Office      string
}

// WriteConsent renders the recorded consent as a printable PDF.
func WriteConsent(w io.Writer, c Consent, o Options) error {
	pdf, err := newDoc(o)
	if err != nil {
		return fmt.Errorf("consent form: %w", err)
	}
	pw, _ := pdf.GetPageSize()
	lm, _, rm, _ := pdf.GetMargins()
	width := pw - lm - rm
	title := c.Title
	if title == "" {
		title = "PHIẾU ĐỒNG Ý XỬ LÝ DỮ LIỆU CÁ NHÂN NHẠY CẢM"
	}
	pdf.SetFont("body", "", 10)
	pdf.CellFormat(width, 5, c.Office, "", 1, "L", false, 0, "")
	pdf.Ln(4)
	pdf.SetFont("body", "B", 14)
	pdf.MultiCell(width, 7, title, "", "C", false)
	pdf.Ln(4)
	pdf.SetFont("body", "", 11)
	pdf.MultiCell(width, 6, c.Text, "", "J", false)
	pdf.Ln(4)
	answer := "KHÔNG ĐỒNG Ý"
	if c.Given {
		answer = "ĐỒNG Ý"
	}
	for _, row := range [][2]string{
		{"Họ và tên", c.FullName}, {"Số định danh cá nhân", idnum.Mask(c.IDNumber)},
		{"Ý kiến của công dân", answer}, {"Thời điểm", c.At.Local().Format("15:04:05 02/01/2006")},
		{"Phiên bản văn bản", c.TextVersion}, {"Cán bộ ghi nhận", c.Officer},
	} {
		pdf.SetFont("body", "", 11)
		pdf.CellFormat(55, 7, row[0]+":", "", 0, "L", false, 0, "")
		pdf.SetFont("body", "B", 11)
		pdf.CellFormat(width-55, 7, row[1], "", 1, "L", false, 0, "")
	}
	pdf.Ln(16)
	pdf.SetFont("body", "", 10)
	pdf.CellFormat(width, 6, "Chữ ký của công dân", "", 1, "R", false, 0, "")
	return pdf.Output(w)
}
