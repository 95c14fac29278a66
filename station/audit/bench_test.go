package audit

import (
	"context"
	"database/sql"
	"strconv"
	"testing"
)

// BenchmarkRecord appends one entry per transaction, as the station does
// (hash, chain triggers, synchronous=FULL commit).
func BenchmarkRecord(b *testing.B) {
	l := newLog(b, DefaultCheckpointEvery)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := l.Record(ctx, Entry{Actor: "lan", Role: RoleOfficer, Action: CardRead, Object: "app-" + strconv.Itoa(i),
			Detail: map[string]string{"score": "0.93"}}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPlainInsert is the baseline for BenchmarkRecord: the same row
// into a table with no chain, no triggers and no hashing, one commit each.
func BenchmarkPlainInsert(b *testing.B) {
	l := newLog(b, DefaultCheckpointEvery)
	ctx := context.Background()
	if _, err := l.db.Exec(`CREATE TABLE plain (seq INTEGER PRIMARY KEY, time TEXT, actor TEXT, role TEXT, action TEXT,
		object TEXT, outcome TEXT, detail TEXT, prev_hash TEXT, hash TEXT)`); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		err := l.db.Tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.Exec(`INSERT INTO plain(time, actor, role, action, object, outcome, detail, prev_hash, hash)
				VALUES ('2026-11-23T10:00:00.000000000Z', 'lan', 'officer', 'card.read', ?, 'ok', '{"score":"0.93"}', ?, ?)`,
				"app-"+strconv.Itoa(i), ZeroHash, ZeroHash)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify verifies a 10,000-entry chain with 40 signed
// checkpoints; ns/op is per whole verification.
func BenchmarkVerify(b *testing.B) {
	l := newLog(b, DefaultCheckpointEvery)
	fill(b, l, 10000, 1000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rep, err := l.Verify(context.Background(), VerifyOptions{})
		if err != nil || !rep.OK() {
			b.Fatal(err)
		}
	}
}
