package cache

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// FingerGen makes the template of one finger of a synthetic citizen, so the
// fingerprint engine can supply real templates. It returns nil for a
// finger the citizen has no template of.
type FingerGen func(rng *rand.Rand, idNumber, position string) []byte

// RandomFingers is a FingerGen of random opaque bytes (size bytes per
// finger, two index fingers): load tests only, no engine can match them.
func RandomFingers(size int) FingerGen {
	return func(rng *rand.Rand, _ string, pos string) []byte {
		if pos != "R2" && pos != "L2" {
			return nil
		}
		b := make([]byte, size)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return b
	}
}

var (
	familyNames = []string{"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"}
	middleNames = []string{"Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quốc", "Thu", "Gia", "Xuân", "Hoài"}
	givenNames  = []string{"An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hoa", "Hùng", "Hương", "Khánh", "Lan", "Linh", "Long", "Mai", "Nam", "Nga", "Phong", "Phương", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Vy", "Yến"}
	provinces   = []string{"Hà Nội", "Hải Phòng", "Đà Nẵng", "Thừa Thiên Huế", "Nghệ An", "Thanh Hóa", "Cần Thơ", "TP. Hồ Chí Minh", "Quảng Ninh", "Bắc Ninh"}
	fingerPos   = []string{"R1", "R2", "R3", "R4", "R5", "L1", "L2", "L3", "L4", "L5"}
)

// SyntheticCitizen returns synthetic citizen number i of the set seeded by
// seed: a valid-looking 12-digit ID (province 001–096, sex/century digit,
// birth year), a Vietnamese name, a random unit-length face descriptor and
// finger templates from gen.
func SyntheticCitizen(seed uint64, i int, gen FingerGen) Citizen {
	rng := rand.New(rand.NewPCG(seed, uint64(i)))
	year := 1940 + rng.IntN(68)
	female := rng.IntN(2)
	century := 0
	if year >= 2000 {
		century = 2
	}
	// Digits 7–12 are random; i keeps IDs unique within a set of up to
	// 10^6 per province/sex/year, the rest from rng.
	id := fmt.Sprintf("%03d%d%02d%06d", 1+rng.IntN(96), century+female, year%100, (i*7919+rng.IntN(7919))%1000000)
	z := Citizen{
		IDNumber:      id,
		FullName:      familyNames[rng.IntN(len(familyNames))] + " " + middleNames[rng.IntN(len(middleNames))] + " " + givenNames[rng.IntN(len(givenNames))],
		DateOfBirth:   fmt.Sprintf("%04d-%02d-%02d", year, 1+rng.IntN(12), 1+rng.IntN(28)),
		Sex:           [2]string{"M", "F"}[female],
		PlaceOfOrigin: provinces[rng.IntN(len(provinces))],
		Residence:     provinces[rng.IntN(len(provinces))],
		HasFace:       true,
		Source:        "synthetic",
		Version:       1,
	}
	var norm float64
	for j := range z.Face {
		v := rng.NormFloat64()
		z.Face[j] = float32(v)
		norm += v * v
	}
	norm = math.Sqrt(norm)
	for j := range z.Face {
		z.Face[j] = float32(float64(z.Face[j]) / norm)
	}
	if gen != nil {
		for _, p := range fingerPos {
			if t := gen(rng, id, p); t != nil {
				if z.Fingers == nil {
					z.Fingers = map[string][]byte{}
				}
				z.Fingers[p] = t
			}
		}
	}
	return z
}

// FillSynthetic replaces the cache with n synthetic citizens (demo mode and
// load benchmarks) at cache version 1. IDs that collide overwrite each
// other, so the cache may hold slightly fewer than n; it returns the count.
func (c *Cache) FillSynthetic(ctx context.Context, n int, seed uint64, gen FingerGen) (int, error) {
	if _, err := c.db.ExecContext(ctx, `DELETE FROM citizens`); err != nil {
		return 0, fmt.Errorf("fill cache: %w", err)
	}
	const perTx = 20000
	for start := 0; start < n; start += perTx {
		end := min(start+perTx, n)
		err := c.db.Tx(ctx, func(tx *sql.Tx) error {
			st, err := tx.PrepareContext(ctx, `INSERT OR REPLACE INTO citizens(lookup, sealed, version, source) VALUES (?, ?, 1, 'synthetic')`)
			if err != nil {
				return err
			}
			defer st.Close()
			for i := start; i < end; i++ {
				z := SyntheticCitizen(seed, i, gen)
				lk, sealed, err := c.row(&z)
				if err != nil {
					return err
				}
				if _, err := st.ExecContext(ctx, lk, sealed); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return 0, fmt.Errorf("fill cache: %w", err)
		}
	}
	if _, err := c.db.ExecContext(ctx, `UPDATE cache_state SET version = 1, applied_at = ? WHERE id = 1`, time.Now().UTC().Format(time.RFC3339)); err != nil {
		return 0, err
	}
	return c.Count(ctx)
}
