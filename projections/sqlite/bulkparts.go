package sqlite

import (
	"encoding/binary"
	"fmt"
	"strings"
)

// A bulk load wrote a participants row (INSERT OR REPLACE by rowid, nine
// values through cgo) for every mobility with personal data: 914 000 rows
// for a million events, a participant reported again replacing its row,
// all on the writer while both cores are busy. It now keeps each row in
// memory by rowid (bulkParticipants: a sequence, an organisation number
// and, only for a row with personal data in clear, its texts in one byte
// arena: no pointer per row for the collector) and writes the rows once,
// in rowid order, into the tail's scratch file (bulkaux.go) with their
// index, on the scratch file's goroutine beside the writer's end.

// participantCols are the columns of participants the applier writes.
// participants.sealed keeps its default, the empty blob: a block kept sealed stays
// in the stream, at the row's sequence (openInStream).
const participantCols = "org, id, first_name, last_name, birth_date, email, gender, nationality, sequence"

// personalTexts are a participant row's six text columns, first_name to
// nationality.
type personalTexts [6]string

// bulkParticipants are a bulk load's participants rows, by rowid.
type bulkParticipants struct {
	orgs   []string          // organisations by number
	orgNum map[string]uint32 // numbers by organisation
	rows   []bulkPartRow     // row rowid is rows[rowid-1]
	// texts holds the personal texts of the rows that have them: six
	// uvarint-prefixed texts from a row's textAt.
	texts []byte
}

// bulkPartRow is one participants row of a bulk load (its ID is kept by
// rowid in applier.partKeys).
type bulkPartRow struct {
	seq    int64 // 0: no row
	textAt int64 // where the row's texts start in texts; -1: all empty
	org    uint32
}

// put records row rowid, a participant of org with texts reported at seq,
// replacing the row's earlier state.
func (b *bulkParticipants) put(rowid int64, org string, t *personalTexts, seq int64) {
	for int64(len(b.rows)) < rowid {
		b.rows = append(b.rows, bulkPartRow{textAt: -1})
	}
	n, ok := b.orgNum[org]
	if !ok {
		if b.orgNum == nil {
			b.orgNum = map[string]uint32{}
		}
		n = uint32(len(b.orgs))
		org = strings.Clone(org) // the map outlives the payload org aliases
		b.orgs = append(b.orgs, org)
		b.orgNum[org] = n
	}
	r := bulkPartRow{seq: seq, textAt: -1, org: n}
	if *t != (personalTexts{}) {
		r.textAt = int64(len(b.texts))
		for _, s := range t {
			b.texts = binary.AppendUvarint(b.texts, uint64(len(s)))
			b.texts = append(b.texts, s...)
		}
	}
	b.rows[rowid-1] = r
}

// erase clears the personal texts of row rowid, an erasure met at seq.
func (b *bulkParticipants) erase(rowid, seq int64) {
	if rowid < 1 || rowid > int64(len(b.rows)) || b.rows[rowid-1].seq == 0 {
		return
	}
	r := &b.rows[rowid-1]
	r.textAt, r.seq = -1, seq
}

// textsAt reads the six texts from at.
func (b *bulkParticipants) textsAt(at int64, t *personalTexts) error {
	for i := range t {
		n, k := binary.Uvarint(b.texts[at:])
		if k <= 0 || uint64(len(b.texts))-uint64(at)-uint64(k) < n {
			return fmt.Errorf("participant texts at %d: corrupt", at)
		}
		at += int64(k)
		t[i] = aliasString(b.texts[at : at+int64(n)])
		at += int64(n)
	}
	return nil
}

// bulkParticipantRowid returns the rowid of participant id of org in a
// bulk load, if it has a row.
func (a *applier) bulkParticipantRowid(org, id string) (int64, bool) {
	slots := a.parts[org]
	if slots == nil {
		return 0, false
	}
	rowid, ok := slots.find(id)
	if !ok {
		return 0, false
	}
	stored, ok := a.partKeys.at(rowid)
	return rowid, ok && string(stored) == id
}

// writeBulkParticipants writes the rows of parts (their IDs in keys) into
// participants in rowid order.
func writeBulkParticipants(w *wconn, parts bulkParticipants, keys keyArena) error {
	b, err := newRowBuffer(w, "INSERT", "participants", "rowid, "+participantCols)
	if err != nil {
		return err
	}
	var t personalTexts
	for i, r := range parts.rows {
		if r.seq == 0 {
			continue
		}
		rowid := int64(i + 1)
		id, ok := keys.at(rowid)
		if !ok {
			return fmt.Errorf("participant row %d: %w", rowid, errNoRow)
		}
		t = personalTexts{}
		if r.textAt >= 0 {
			if err := parts.textsAt(r.textAt, &t); err != nil {
				return err
			}
		}
		b.int(rowid)
		b.text(parts.orgs[r.org])
		b.text(aliasString(id))
		for _, s := range t {
			b.text(s)
		}
		b.int(r.seq)
		if _, err := b.end(); err != nil {
			return err
		}
	}
	return b.flush()
}
