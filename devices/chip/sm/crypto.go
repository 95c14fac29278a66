package sm

import (
	"crypto/cipher"
	"crypto/des"
	"crypto/sha1"
	"crypto/subtle"
	"errors"
	"fmt"
)

// KDF derives a 16-byte 2-key 3DES key from a seed and counter
// (9303-11 §9.7.1): SHA-1(seed ‖ c)[0:16], parity adjusted.
func KDF(seed []byte, c uint32) []byte {
	h := sha1.New()
	h.Write(seed)
	h.Write([]byte{byte(c >> 24), byte(c >> 16), byte(c >> 8), byte(c)})
	k := h.Sum(nil)[:16]
	AdjustParity(k)
	return k
}

// Counters for KDF.
const (
	KDFEnc = 1
	KDFMac = 2
)

// AdjustParity sets each byte's low bit so that it has odd parity, as DES
// keys are conventionally written (DES itself ignores these bits).
func AdjustParity(k []byte) {
	for i, b := range k {
		b &^= 1
		ones := 0
		for x := b; x != 0; x >>= 1 {
			ones += int(x & 1)
		}
		if ones%2 == 0 {
			b |= 1
		}
		k[i] = b
	}
}

func tdes(key []byte) (cipher.Block, error) {
	if len(key) != 16 {
		return nil, fmt.Errorf("3DES key of %d bytes, want 16", len(key))
	}
	k := make([]byte, 24)
	copy(k, key)
	copy(k[16:], key[:8])
	return des.NewTripleDESCipher(k)
}

// Encrypt3DES encrypts b (a multiple of 8 bytes) with 2-key 3DES-CBC, IV 0.
func Encrypt3DES(key, b []byte) ([]byte, error) {
	blk, err := tdes(key)
	if err != nil {
		return nil, err
	}
	if len(b)%8 != 0 {
		return nil, errors.New("3DES: input not a multiple of 8 bytes")
	}
	out := make([]byte, len(b))
	cipher.NewCBCEncrypter(blk, make([]byte, 8)).CryptBlocks(out, b)
	return out, nil
}

// Decrypt3DES decrypts b (a multiple of 8 bytes) with 2-key 3DES-CBC, IV 0.
func Decrypt3DES(key, b []byte) ([]byte, error) {
	blk, err := tdes(key)
	if err != nil {
		return nil, err
	}
	if len(b)%8 != 0 || len(b) == 0 {
		return nil, errors.New("3DES: ciphertext not a positive multiple of 8 bytes")
	}
	out := make([]byte, len(b))
	cipher.NewCBCDecrypter(blk, make([]byte, 8)).CryptBlocks(out, b)
	return out, nil
}

// Pad applies ISO/IEC 9797-1 padding method 2: 80 then zeros to a multiple of 8.
func Pad(b []byte) []byte {
	out := append(append([]byte(nil), b...), 0x80)
	for len(out)%8 != 0 {
		out = append(out, 0)
	}
	return out
}

// Unpad removes padding method 2.
func Unpad(b []byte) ([]byte, error) {
	for i := len(b) - 1; i >= 0; i-- {
		switch b[i] {
		case 0:
			continue
		case 0x80:
			return b[:i], nil
		}
		break
	}
	return nil, errors.New("bad padding")
}

// RetailMAC computes ISO/IEC 9797-1 MAC algorithm 3 with DES over b, which
// the caller has already padded: single-DES CBC with Ka, then DES⁻¹ with Kb
// and DES with Ka on the last block.
func RetailMAC(key, b []byte) ([]byte, error) {
	if len(key) != 16 {
		return nil, fmt.Errorf("MAC key of %d bytes, want 16", len(key))
	}
	if len(b) == 0 || len(b)%8 != 0 {
		return nil, errors.New("MAC input not a positive multiple of 8 bytes")
	}
	ka, _ := des.NewCipher(key[:8])
	kb, _ := des.NewCipher(key[8:16])
	y := make([]byte, 8)
	for i := 0; i < len(b); i += 8 {
		subtle.XORBytes(y, y, b[i:i+8])
		ka.Encrypt(y, y)
	}
	kb.Decrypt(y, y)
	ka.Encrypt(y, y)
	return y, nil
}
