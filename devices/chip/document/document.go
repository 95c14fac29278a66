// Package document decodes the files of an eMRTD's logical data structure
// (ICAO 9303-10): EF.COM, DG1 (MRZ), DG2 (portrait), DG13 (the Vietnamese
// CCCD's personal data), DG14, DG15 and EF.SOD. One file per data group.
package document

import (
	"fmt"
	"image"

	"github.com/dinhdanh/dinhdanh/devices/chip/mrz"
)

// File identifiers and short names of the elementary files.
const (
	FIDCOM  = 0x011E
	FIDSOD  = 0x011D
	FIDDG1  = 0x0101
	FIDDG2  = 0x0102
	FIDDG3  = 0x0103
	FIDDG13 = 0x010D
	FIDDG14 = 0x010E
	FIDDG15 = 0x010F
)

// FID returns the file identifier of data group n (1-16).
func FID(n int) uint16 { return 0x0100 + uint16(n) }

// FileName names a file identifier for progress reports: "DG2", "EF.SOD".
func FileName(fid uint16) string {
	switch fid {
	case FIDCOM:
		return "EF.COM"
	case FIDSOD:
		return "EF.SOD"
	}
	if fid > 0x0100 && fid <= 0x0110 {
		return fmt.Sprintf("DG%d", fid-0x0100)
	}
	return fmt.Sprintf("EF.%04X", fid)
}

// Document is what was read from a chip.
type Document struct {
	COM  *COM
	MRZ  *mrz.MRZ // DG1
	DG13 *DG13
	// Portrait is the decoded DG2 face image; PortraitRaw the encoded
	// image (JPEG or JPEG 2000) and PortraitFormat its format name.
	Portrait       image.Image
	PortraitRaw    []byte
	PortraitFormat string
	PortraitError  string // why the portrait could not be decoded, if so
	DG14           []byte
	DG15           *DG15
	SOD            *SOD
	// Raw holds every file read, by data group number (0 = EF.COM,
	// -1 = EF.SOD): the exact bytes passive authentication hashed.
	Raw map[int][]byte
	// Unreadable lists files the chip refused, with the reason (DG3 needs
	// terminal authentication).
	Unreadable map[string]string
	// PassiveAuth is the result of passive authentication.
	PassiveAuth *PassiveAuthResult
	// ActiveAuth is the result of active authentication, nil if not run.
	ActiveAuth *ActiveAuthResult
}

// PassiveAuthResult says which steps of passive authentication passed.
type PassiveAuthResult struct {
	// DataGroups maps each DG the SOD lists to "ok", "mismatch" or
	// "not read".
	DataGroups         map[int]string `json:"data_groups"`
	HashesOK           bool           `json:"hashes_ok"`
	SignatureOK        bool           `json:"signature_ok"`
	SignatureAlgorithm string         `json:"signature_algorithm,omitempty"`
	DocumentSigner     string         `json:"document_signer,omitempty"`
	ChainOK            bool           `json:"chain_ok"`
	// Anchor names the trust-store CSCA that verified the signer, empty
	// when none did.
	Anchor string   `json:"anchor,omitempty"`
	Errors []string `json:"errors,omitempty"`
}

// Passed reports whether every step passed.
func (r *PassiveAuthResult) Passed() bool {
	return r != nil && r.HashesOK && r.SignatureOK && r.ChainOK
}

// Summary is a one-line verdict for officers and logs.
func (r *PassiveAuthResult) Summary() string {
	switch {
	case r == nil:
		return "passive authentication not run"
	case r.Passed():
		return "passive authentication passed (anchor: " + r.Anchor + ")"
	case r.HashesOK && r.SignatureOK:
		return "signature valid, issuer not in trust store"
	case len(r.Errors) > 0:
		return "passive authentication failed: " + r.Errors[0]
	}
	return "passive authentication failed"
}

// ActiveAuthResult is the outcome of active authentication.
type ActiveAuthResult struct {
	OK        bool   `json:"ok"`
	Algorithm string `json:"algorithm,omitempty"`
	Error     string `json:"error,omitempty"`
}
