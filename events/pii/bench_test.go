package pii_test

import (
	"bytes"
	"context"
	"strconv"
	"testing"

	"github.com/erasmus-ledger/grants/events/pii"
)

// BenchmarkSealOpen measures sealing and opening one personal block with
// keys already made (the cost a replay pays per sealed event).
func BenchmarkSealOpen(b *testing.B) {
	ctx := context.Background()
	v, err := pii.NewVault(bytes.Repeat([]byte{7}, pii.KeySize), pii.NewMemoryKeys())
	if err != nil {
		b.Fatal(err)
	}
	plain := []byte(`{"first_name":"Aino","last_name":"Virtanen","birth_date":"1980-04-01","email":"aino@example.fi"}`)
	blocks := make([]pii.Sealed, 1000)
	for i := range blocks {
		if blocks[i], err = v.Seal(ctx, pii.Subject{Org: "E1", Participant: "P" + strconv.Itoa(i)}, plain); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("seal", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			if _, err := v.Seal(ctx, pii.Subject{Org: "E1", Participant: "P" + strconv.Itoa(i%1000)}, plain); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("open", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			if _, err := v.Open(ctx, blocks[i%1000]); err != nil {
				b.Fatal(err)
			}
		}
	})
}
