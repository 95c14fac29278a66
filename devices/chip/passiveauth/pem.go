package passiveauth

import (
	"encoding/pem"
	"errors"
)

func pemDecode(b []byte) ([]byte, error) {
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "CERTIFICATE" {
		return nil, errors.New("trust store: not a PEM certificate")
	}
	return blk.Bytes, nil
}
