package sqlite

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/pii"
	"github.com/erasmus-ledger/grants/projections"
)

// registerPersonalHandlers projects erasures (PD-ERASE, migration 0010).
func registerPersonalHandlers(hs map[string]*handler) {
	on(hs, func(a *applier, env *events.Envelope, e *aggregates.ParticipantErased) error {
		return a.eraseParticipant(env, e.OID, e.ParticipantID, e.ErasedOn.String(), e.Retention, e.Reason)
	}, func(_ *events.Envelope, e *aggregates.ParticipantErased) string {
		by := "by the national office"
		if e.Retention {
			by = "at the end of the retention time (PD-RETENTION)"
		}
		return fmt.Sprintf("Personal data of participant %s of %s erased on %s %s (PD-ERASE)", e.ParticipantID, e.OID, e.ErasedOn, by)
	})
}

// erasedSet returns the erased participants, loaded on first use.
func (a *applier) erasedSet() (map[pairKey]bool, error) {
	if a.erased != nil {
		return a.erased, nil
	}
	rows, err := a.w.c.QueryContext(bg, "SELECT org, id FROM erased_participants", nil)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	set := map[pairKey]bool{}
	vals := make([]driver.Value, 2)
	for {
		err := rows.Next(vals)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		var k pairKey
		if err := assign(&k.scope, vals[0]); err != nil {
			return nil, err
		}
		if err := assign(&k.id, vals[1]); err != nil {
			return nil, err
		}
		set[k] = true
	}
	a.erased = set
	return set, nil
}

// eraseParticipant clears the participant's personal data and records the
// erasure (erasedOn empty: the key was found gone).
func (a *applier) eraseParticipant(env *events.Envelope, org, id, erasedOn string, retention bool, reason string) error {
	set, err := a.erasedSet()
	if err != nil {
		return err
	}
	if a.bulk {
		// A bulk load's rows are in memory until its end.
		if rowid, ok := a.bulkParticipantRowid(org, id); ok {
			a.partRows.erase(rowid, int64(env.Sequence))
		}
	} else {
		// The participant's row may still be queued.
		if err := a.st.partPut.flush(); err != nil {
			return err
		}
		if err := a.w.execArgs("UPDATE participants SET first_name = '', last_name = '', birth_date = '', email = '', gender = '', nationality = '', sealed = x'', sequence = ? WHERE org = ? AND id = ?",
			int64(env.Sequence), org, id); err != nil {
			return err
		}
	}
	q := "INSERT OR REPLACE INTO erased_participants (org, id, erased_on, retention, reason, sequence) VALUES (?, ?, ?, ?, ?, ?)"
	if erasedOn == "" {
		q = "INSERT OR IGNORE INTO erased_participants (org, id, erased_on, retention, reason, sequence) VALUES (?, ?, ?, ?, ?, ?)"
	}
	if err := a.w.execArgs(q, org, id, erasedOn, retention, reason, int64(env.Sequence)); err != nil {
		return err
	}
	set[pairKey{org, id}] = true
	return nil
}

// openPersonal fills the mirror's personal block from its sealed form
// (PD-SEALED), or, in a projector that keeps sealed blocks sealed, leaves
// the block in the stream: the personal fields stay empty and the
// participant's row, naming this event by its sequence, is opened from it
// when shown (openInStream). It reports false when the participant's
// personal data is not to be written: erased (the key is gone, or an
// erasure was met), or sealed and no vault given (a file built without the
// keys), and never in an analyst's pseudonymous file (PD-EXPORT-PSEUDONYMOUS).
func (a *applier) openPersonal(env *events.Envelope, org string, e *mobilityEvent) (bool, error) {
	if a.pseudonyms != nil {
		return false, nil
	}
	m := &e.Mobility
	sealed := len(m.PersonalSealed) > 0 && string(m.PersonalSealed) != "null"
	pd := &m.Personal
	if !sealed && pd.FirstName == "" && pd.LastName == "" && pd.BirthDate == "" && pd.Email == "" && pd.Gender == "" && pd.Nationality == "" {
		return false, nil
	}
	set, err := a.erasedSet()
	if err != nil {
		return false, err
	}
	if set[pairKey{org, m.ParticipantID}] {
		return false, nil
	}
	if !sealed {
		return true, nil
	}
	if a.vault == nil {
		return false, nil
	}
	if a.keepSealed {
		if !e.opened {
			keepOrOpen(a.vault, env.Sequence, e)
		}
		if e.kept && isSubject(e.keptFor, org, m.ParticipantID) {
			// The row's text columns stay empty: its personal data are
			// the block at its sequence.
			pd.FirstName, pd.LastName, pd.BirthDate, pd.Email, pd.Gender, pd.Nationality = "", "", "", "", "", ""
			return true, nil
		}
		if e.kept {
			// Sealed for another subject than the row's: opened, as
			// without KeepSealed.
			openSealed(a.vault, env.Sequence, e)
		}
	} else if !e.opened {
		openSealed(a.vault, env.Sequence, e)
	}
	if errors.Is(e.openErr, pii.ErrErased) {
		return false, a.eraseParticipant(env, org, m.ParticipantID, "", false, "")
	}
	return e.openErr == nil, e.openErr
}

// isSubject reports whether s names the subject of participant id of org
// (pii.Subject.String, without building it).
func isSubject(s, org, id string) bool {
	return len(s) == len(org)+1+len(id) && s[:len(org)] == org && s[len(org)] == '/' && s[len(org)+1:] == id
}

// keepOrOpen reads e's sealed personal block for a projector that keeps
// it sealed: an AES-256-GCM block stays in the stream (e.kept, e.keptFor),
// needing no key and no copy; another (a version-1 block in plain text)
// is opened with vault, as openSealed does.
func keepOrOpen(vault pii.Vault, seq uint64, e *mobilityEvent) {
	alg, subject, ok := checkKept(e.Mobility.PersonalSealed, sealedNonceSize)
	if !ok {
		var b pii.Sealed
		if err := decodeSealed(e.Mobility.PersonalSealed, &b); err != nil {
			e.opened = true
			e.openErr = fmt.Errorf("the sealed personal data of sequence %d does not decode: %w", seq, err)
			return
		}
		alg, subject, ok = b.Alg, b.Subject, len(b.Nonce) == sealedNonceSize
	}
	if !ok || alg != pii.AlgAES256GCM {
		openSealed(vault, seq, e)
		return
	}
	e.opened = true
	e.kept, e.keptFor = true, subject
}

// sealedNonceSize is the nonce size of AES-256-GCM as pii seals it.
const sealedNonceSize = 12

// openInStream opens a participant's block kept sealed in the stream: the
// AES-256-GCM block of the mobility event at sequence seq, the one the
// participant's row names, sealed for the subject of participant id of
// org. One direct get of the event and one decryption, only when the
// participant is shown: a replay copies no block into the read models. It
// returns pii.ErrErased when the subject's key is destroyed (PD-ERASE).
func openInStream(ctx context.Context, vault pii.Vault, src projections.Source, org, id string, seq uint64, p *projections.ParticipantView) error {
	if vault == nil {
		return errors.New("the participant's personal data is sealed and this read-model file was opened without the subject keys")
	}
	if src == nil {
		return fmt.Errorf("the personal data of participant %s of %s is sealed in the event at sequence %d and this read-model file was opened without the event stream", id, org, seq)
	}
	var env events.Envelope
	found := false
	if err := src.Events(ctx, seq, seq, func(e events.Envelope) error { env, found = e, true; return nil }); err != nil {
		return fmt.Errorf("reading the event at sequence %d for participant %s of %s: %w", seq, id, org, err)
	}
	if !found || (env.Type != (aggregates.MobilityReported{}).EventType() && env.Type != (aggregates.MobilityCorrected{}).EventType()) {
		return fmt.Errorf("the event at sequence %d, which the row of participant %s of %s names, is not a mobility in this stream", seq, id, org)
	}
	payload, err := aggregates.Registry().Upcast(env.Type, env.SchemaVersion, env.Payload)
	if err != nil {
		return fmt.Errorf("the event at sequence %d: %w", seq, err)
	}
	var e mobilityEvent
	if err := decodeMobilityEvent(payload, &e); err != nil {
		return fmt.Errorf("the event at sequence %d does not decode: %w", seq, err)
	}
	var b pii.Sealed
	if err := decodeSealed(e.Mobility.PersonalSealed, &b); err != nil || e.Mobility.ParticipantID != id ||
		b.Alg != pii.AlgAES256GCM || !isSubject(b.Subject, org, id) || len(b.Nonce) != sealedNonceSize {
		return fmt.Errorf("the event at sequence %d holds no block sealed for participant %s of %s", seq, id, org)
	}
	return openKept(ctx, vault, org, id, append(b.Nonce[:len(b.Nonce):len(b.Nonce)], b.Ciphertext...), b.KeySeq, p)
}

// openKept opens a participant's kept block: the nonce and ciphertext of
// an AES-256-GCM block sealed for the subject of participant id of org,
// whose key ID is that subject's, with the key at keySeq of the key
// stream (pii.Sealed.KeySeq; 0: the subject's one key in the bucket of
// before issue 16). The block comes from the stream (openInStream) or
// from participants.sealed, where files written before session 14 keep
// it (their blocks all predate the key stream: keySeq 0). It returns
// pii.ErrErased when the subject's key is destroyed (PD-ERASE).
func openKept(ctx context.Context, vault pii.Vault, org, id string, kept []byte, keySeq uint64, p *projections.ParticipantView) error {
	if vault == nil {
		return errors.New("the participant's personal data is sealed and this read-model file was opened without the subject keys")
	}
	if len(kept) < sealedNonceSize {
		return fmt.Errorf("the sealed personal data of participant %s of %s is %d bytes long", id, org, len(kept))
	}
	s := pii.Subject{Org: org, Participant: id}
	plain, err := vault.Open(ctx, pii.Sealed{Alg: pii.AlgAES256GCM, Subject: s.String(), KeyID: pii.KeyID(s), KeySeq: keySeq, Nonce: kept[:sealedNonceSize], Ciphertext: kept[sealedNonceSize:]})
	if err != nil {
		return err
	}
	var e mobilityEvent
	if err := decodeOpened(plain, &e); err != nil {
		return fmt.Errorf("the personal data of participant %s of %s: %w", id, org, err)
	}
	pd := &e.Mobility.Personal
	p.FirstName, p.LastName, p.BirthDate, p.Email, p.Gender, p.Nationality = pd.FirstName, pd.LastName, pd.BirthDate, pd.Email, pd.Gender, pd.Nationality
	return nil
}

// openSealed opens e's sealed personal block with vault into
// e.Mobility.Personal, or sets e.openErr. It only reads vault and e, so a
// bulk catch-up runs it in a stage of its own, ahead of the writer
// (Projector.pipeline); the writer decides what the result means
// (openPersonal: an erased participant keeps nothing).
func openSealed(vault pii.Vault, seq uint64, e *mobilityEvent) {
	e.opened = true
	m := &e.Mobility
	var b pii.Sealed
	if err := decodeSealed(m.PersonalSealed, &b); err != nil {
		e.openErr = fmt.Errorf("the sealed personal data of sequence %d does not decode: %w", seq, err)
		return
	}
	// As personal.Open, with the fast JSON path.
	plain, err := vault.Open(context.Background(), b)
	if errors.Is(err, pii.ErrErased) {
		e.openErr = pii.ErrErased
		return
	}
	if err == nil {
		err = decodeOpened(plain, e)
	}
	if err != nil {
		e.openErr = fmt.Errorf("opening the personal data of sequence %d: %w", seq, err)
	}
}

// preOpen opens the sealed personal block of it, if it carries one, ahead
// of the writer (see openSealed), or with keep reads it to be kept sealed
// (see keepOrOpen).
func preOpen(vault pii.Vault, keep bool, it *item) {
	if it.err != nil || it.prob != nil {
		return
	}
	e, ok := it.v.(*mobilityEvent)
	if !ok {
		return
	}
	if s := e.Mobility.PersonalSealed; len(s) == 0 || string(s) == "null" {
		return
	}
	if keep {
		keepOrOpen(vault, it.env.Sequence, e)
		return
	}
	openSealed(vault, it.env.Sequence, e)
}

// erasedParticipant returns the view of an erased participant (PD-ERASE):
// no personal data, the day of the erasure.
func (db *DB) erasedParticipant(ctx context.Context, org, id string) (projections.ParticipantView, bool, error) {
	rows, err := db.query(ctx, "SELECT erased_on, sequence FROM erased_participants WHERE org = ? AND id = ?", org, id)
	if err != nil {
		return projections.ParticipantView{}, false, queryErr(err, "the participant")
	}
	defer rows.Close()
	if !rows.Next() {
		return projections.ParticipantView{}, false, queryErr(rows.Err(), "the participant")
	}
	p := projections.ParticipantView{ID: id, Org: org, Erased: true}
	if err := rows.Scan(&p.ErasedOn, &p.Sequence); err != nil {
		return p, false, queryErr(err, "the participant")
	}
	return p, true, nil
}

// ParticipantKey names a participant: organisation and pseudonymous ID.
type ParticipantKey struct{ Org, ID string }

// retentionCandidatesSQL lists the participants due for erasure at the
// cutoff (the parameter): not erased yet, with mobilities, and a balance
// paid on or before the cutoff in the project of each of them. One pass
// over the mobilities grouped by participant: the correlated look-up of
// each participant's mobilities it replaced has no index to use, so it
// scanned every mobility per participant (hours at a million), holding a
// read transaction that kept SQLite from checkpointing the WAL (which
// grew by gigabytes a minute under load).
const retentionCandidatesSQL = "SELECT m.org, m.participant_id FROM mobilities m " +
	"LEFT JOIN (SELECT DISTINCT project_id FROM payments WHERE kind = 'balance' AND paid_on <= ?) b ON b.project_id = m.project_id " +
	"WHERE EXISTS (SELECT 1 FROM participants p WHERE p.org = m.org AND p.id = m.participant_id) " +
	"AND NOT EXISTS (SELECT 1 FROM erased_participants e WHERE e.org = m.org AND e.id = m.participant_id) " +
	"GROUP BY m.org, m.participant_id HAVING COUNT(b.project_id) = COUNT(*) " +
	"ORDER BY m.org, m.participant_id"

// RetentionCandidates returns the participants with personal data, not
// erased, every one of whose projects had its balance paid on or before
// cutoff (PD-RETENTION), by organisation and ID.
func (db *DB) RetentionCandidates(ctx context.Context, cutoff aggregates.Date) ([]ParticipantKey, error) {
	rows, err := db.query(ctx, retentionCandidatesSQL, cutoff.String())
	if err != nil {
		return nil, queryErr(err, "the participants due for erasure")
	}
	defer rows.Close()
	var out []ParticipantKey
	for rows.Next() {
		var k ParticipantKey
		if err := rows.Scan(&k.Org, &k.ID); err != nil {
			return nil, queryErr(err, "the participants due for erasure")
		}
		out = append(out, k)
	}
	return out, queryErr(rows.Err(), "the participants due for erasure")
}

// RetentionCandidates answers from the current generation (see DB.RetentionCandidates).
func (m *Manager) RetentionCandidates(ctx context.Context, cutoff aggregates.Date) ([]ParticipantKey, error) {
	g, err := m.acquire()
	if err != nil {
		return nil, err
	}
	defer g.release()
	return g.db.RetentionCandidates(ctx, cutoff)
}
