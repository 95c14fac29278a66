package cache

import (
	"context"
	"math"
	"os"
	"strconv"
	"testing"
	"time"
)

func mathBits(f float32) uint32 { return math.Float32bits(f) }

// BenchmarkLoad measures start-up: loading the whole cache through Each into
// an in-memory index (a slice of descriptors, as the face matcher holds).
// "scan" is the baseline in the same run: reading the same rows from SQLite
// without opening or decoding them. The size is CACHE_BENCH_N (default
// 1,000,000); the cache is filled once.
//
//	CACHE_BENCH_N=1000000 go test -run=^$ -bench=Load -benchtime=1x ./sync/cache
func BenchmarkLoad(b *testing.B) {
	n := 1000000
	if s := os.Getenv("CACHE_BENCH_N"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	ctx := context.Background()
	c, db, _ := newCache(b, b.TempDir())
	t0 := time.Now()
	got, err := c.FillSynthetic(ctx, n, 1, RandomFingers(256))
	if err != nil {
		b.Fatal(err)
	}
	db.Checkpoint(ctx)
	b.Logf("filled %d citizens (2 fingers × 256 B) in %s", got, time.Since(t0).Round(time.Millisecond))
	var scan, each time.Duration
	b.Run("scan", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			t1 := time.Now()
			rows, err := db.QueryContext(ctx, `SELECT lookup, sealed, version, source FROM citizens`)
			if err != nil {
				b.Fatal(err)
			}
			k := 0
			for rows.Next() {
				var lk, sealed []byte
				var v int64
				var src string
				rows.Scan(&lk, &sealed, &v, &src)
				k++
			}
			rows.Close()
			if k != got {
				b.Fatalf("scanned %d of %d", k, got)
			}
			scan = time.Since(t1)
			b.ReportMetric(float64(got)/scan.Seconds(), "citizens/s")
		}
	})
	b.Run("each", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			t1 := time.Now()
			index := make([][128]float32, 0, got)
			if err := c.Each(ctx, func(z Citizen) error { index = append(index, z.Face); return nil }); err != nil {
				b.Fatal(err)
			}
			if len(index) != got {
				b.Fatalf("loaded %d of %d", len(index), got)
			}
			each = time.Since(t1)
			b.ReportMetric(float64(got)/each.Seconds(), "citizens/s")
		}
	})
	if scan > 0 && each > 0 {
		b.Logf("load %d: scan only %s, Each (open+decode) %s, ratio %.2f×", got, scan.Round(time.Millisecond), each.Round(time.Millisecond), float64(each)/float64(scan))
	}
}
