package auth

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkLogin measures a log-in at the station's bcrypt cost (12)
// against the minimum cost (4) as the baseline of the same run.
func BenchmarkLogin(b *testing.B) {
	for _, cost := range []int{4, 12} {
		b.Run(fmt.Sprintf("cost=%d", cost), func(b *testing.B) {
			u, _, _ := newUsers(b)
			u.Cost = cost
			ctx := context.Background()
			if err := u.Create(ctx, "t", User{Name: "canbo", FullName: "A", Role: Officer}, "matkhau2026"); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := u.Login(ctx, "canbo", "matkhau2026"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
