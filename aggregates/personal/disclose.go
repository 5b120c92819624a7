package personal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/erasmus-ledger/grants/events/pii"
	"github.com/erasmus-ledger/grants/events/privacy"
)

// Opener opens sealed blocks: a pii.Vault (inside grants serve), or what
// asks a running serve to open them (a grants command's disclosure).
type Opener interface {
	// Open decrypts a sealed block; pii.ErrErased once the key is destroyed.
	Open(ctx context.Context, b pii.Sealed) ([]byte, error)
}

// DiscloseFunc returns the privacy.OpenFunc of a disclosed export
// (PD-DISCLOSE-REASON): it opens a "personal_sealed" value with o, and
// reports an erased subject as erased (PD-ERASE), never opened.
func DiscloseFunc(ctx context.Context, o Opener) privacy.OpenFunc {
	return func(sealed []byte) ([]byte, bool, error) {
		var b pii.Sealed
		if err := json.Unmarshal(sealed, &b); err != nil {
			return nil, false, fmt.Errorf("a sealed personal block does not decode: %w", err)
		}
		plain, err := o.Open(ctx, b)
		if errors.Is(err, pii.ErrErased) {
			return nil, true, nil
		}
		if err != nil {
			return nil, false, err
		}
		if !json.Valid(plain) {
			clear(plain)
			return nil, false, fmt.Errorf("the personal block of %s is not JSON", b.Subject)
		}
		return plain, false, nil
	}
}
