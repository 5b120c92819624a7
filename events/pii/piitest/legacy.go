// Package piitest makes personal-data blocks in the formats stored data
// keep, for tests of code that must still read them.
package piitest

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"

	"github.com/erasmus-ledger/grants/events/pii"
)

// LegacyBlock seals plaintext for s as the vault did before issue 16: a
// key of the subject's own wrapped by master (version byte, nonce, AES-GCM
// with the key ID as additional data) and a block that names the key by
// its ID alone (no KeySeq). It returns the block and the wrapped key, which
// lived in the bucket GRANTS_PII_KEYS under pii.KeyID(s). It pins the
// format the stored data keep.
func LegacyBlock(master []byte, s pii.Subject, plaintext []byte) (pii.Sealed, []byte, error) {
	id := pii.KeyID(s)
	key := make([]byte, pii.KeySize)
	_, _ = rand.Read(key)
	mg, err := gcm(master)
	if err != nil {
		return pii.Sealed{}, nil, err
	}
	nonce := make([]byte, mg.NonceSize())
	_, _ = rand.Read(nonce)
	wrapped := mg.Seal(append([]byte{1}, nonce...), nonce, key, []byte(id))
	kg, err := gcm(key)
	if err != nil {
		return pii.Sealed{}, nil, err
	}
	b := pii.Sealed{Alg: pii.AlgAES256GCM, Subject: s.String(), KeyID: id, Nonce: make([]byte, kg.NonceSize())}
	_, _ = rand.Read(b.Nonce)
	b.Ciphertext = kg.Seal(nil, b.Nonce, plaintext, []byte(b.Alg+"\x00"+b.Subject+"\x00"+b.KeyID))
	return b, wrapped, nil
}

func gcm(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}
