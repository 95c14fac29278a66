package upstream

import (
	"encoding/binary"
	"math"

	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"github.com/dinhdanh/dinhdanh/sync/cache"

	"github.com/dinhdanh/dinhdanh/sync/protocol"
)

// PutCitizens adds or changes citizen records in the upstream template
// database; each change gets the next cache version. It returns the new
// cache version.
func (s *Server) PutCitizens(ctx context.Context, recs []protocol.Citizen) (int64, error) {
	var cur int64
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if cur, err = s.meta(ctx, tx, "cache_version"); err != nil {
			return err
		}
		for _, c := range recs {
			cur++
			c.Version = cur
			c.Card.IDNumber = c.IDNumber
			b, _ := json.Marshal(c)
			if _, err := tx.ExecContext(ctx, `INSERT INTO citizens(id_number, record, version, deleted) VALUES (?, ?, ?, 0)
				ON CONFLICT(id_number) DO UPDATE SET record = excluded.record, version = excluded.version, deleted = 0`, c.IDNumber, b, cur); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE meta SET value = ? WHERE key = 'cache_version'`, cur)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("put citizens: %w", err)
	}
	return cur, nil
}

// DeleteCitizens marks citizens deleted (tombstones carried by deltas).
func (s *Server) DeleteCitizens(ctx context.Context, ids []string) (int64, error) {
	var cur int64
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		var err error
		if cur, err = s.meta(ctx, tx, "cache_version"); err != nil {
			return err
		}
		for _, id := range ids {
			cur++
			if _, err := tx.ExecContext(ctx, `UPDATE citizens SET deleted = 1, version = ? WHERE id_number = ?`, cur, id); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE meta SET value = ? WHERE key = 'cache_version'`, cur)
		return err
	})
	return cur, err
}

// Compact forgets delta history: stations behind the current version must
// fetch a full snapshot.
func (s *Server) Compact(ctx context.Context) error {
	_, err := s.db.ExecContext(ctx, `UPDATE meta SET value = (SELECT value FROM meta WHERE key = 'cache_version') WHERE key = 'min_delta_version'`)
	return err
}

// StoredApplications returns how many rows the server holds per UUID (the
// primary key makes it at most 1; tests check exactly-once through it).
func (s *Server) StoredApplications(ctx context.Context) (map[string]int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT uuid, COUNT(*) FROM applications GROUP BY uuid`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var u string
		var n int
		if err := rows.Scan(&u, &n); err != nil {
			return nil, err
		}
		out[u] = n
	}
	return out, rows.Err()
}

// Application returns the stored content of one application.
func (s *Server) Application(ctx context.Context, uuid string) (*protocol.Application, error) {
	var b []byte
	if err := s.db.QueryRowContext(ctx, `SELECT content FROM applications WHERE uuid = ?`, uuid).Scan(&b); err != nil {
		return nil, fmt.Errorf("application %s: %w", uuid, err)
	}
	var a protocol.Application
	return &a, json.Unmarshal(b, &a)
}

// CitizenCount returns how many live citizens the template database holds.
func (s *Server) CitizenCount(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM citizens WHERE deleted = 0`).Scan(&n)
	return n, err
}

// WireCitizen converts a cache citizen (e.g. a synthetic one) to its wire
// form, for seeding the template database.
func WireCitizen(z cache.Citizen) protocol.Citizen {
	face := make([]byte, 0, 4*protocol.FaceDescriptorSize)
	if z.HasFace {
		for _, v := range z.Face {
			face = binary.LittleEndian.AppendUint32(face, math.Float32bits(v))
		}
	}
	return protocol.Citizen{IDNumber: z.IDNumber, Source: z.Source,
		Card: protocol.Card{IDNumber: z.IDNumber, FullName: z.FullName, DateOfBirth: z.DateOfBirth, Sex: z.Sex,
			PlaceOfOrigin: z.PlaceOfOrigin, Residence: z.Residence}, Face: face, Fingers: z.Fingers}
}
