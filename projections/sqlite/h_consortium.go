package sqlite

import (
	"context"
	"fmt"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/projections"
)

// registerConsortiumHandlers projects consortium memberships (migration 0009).
func registerConsortiumHandlers(hs map[string]*handler) {
	on(hs, func(a *applier, env *events.Envelope, e *aggregates.ConsortiumMemberAdded) error {
		return a.w.execArgs("INSERT OR REPLACE INTO consortium_members (coordinator, accreditation_id, field, member_oid, added_on, removed_on, reason, sequence) VALUES (?, ?, ?, ?, ?, '', '', ?)",
			e.OID, e.AccreditationID, e.Field, e.MemberOID, e.AddedOn.String(), int64(env.Sequence))
	}, func(_ *events.Envelope, e *aggregates.ConsortiumMemberAdded) string {
		return fmt.Sprintf("%s joined consortium %s of %s on %s", e.MemberOID, e.AccreditationID, e.OID, e.AddedOn)
	})
	on(hs, func(a *applier, env *events.Envelope, e *aggregates.ConsortiumMemberRemoved) error {
		return a.w.execArgs("UPDATE consortium_members SET removed_on = ?, reason = ?, sequence = ? WHERE coordinator = ? AND accreditation_id = ? AND member_oid = ? AND removed_on = ''",
			e.RemovedOn.String(), e.Reason, int64(env.Sequence), e.OID, e.AccreditationID, e.MemberOID)
	}, func(_ *events.Envelope, e *aggregates.ConsortiumMemberRemoved) string {
		return fmt.Sprintf("%s left consortium %s of %s on %s", e.MemberOID, e.AccreditationID, e.OID, e.RemovedOn)
	})
}

// ConsortiumMembers returns the memberships of coordinator's consortia,
// past and present, by accreditation and date joined.
func (db *DB) ConsortiumMembers(ctx context.Context, coordinator string) ([]projections.ConsortiumMemberView, error) {
	rows, err := db.query(ctx, "SELECT coordinator, accreditation_id, field, member_oid, added_on, removed_on, reason FROM consortium_members "+
		"WHERE coordinator = ? ORDER BY accreditation_id, added_on, member_oid", coordinator)
	if err != nil {
		return nil, queryErr(err, "the consortium members")
	}
	defer rows.Close()
	out := []projections.ConsortiumMemberView{}
	for rows.Next() {
		var m projections.ConsortiumMemberView
		if err := rows.Scan(&m.Coordinator, &m.AccreditationID, &m.Field, &m.MemberOID, &m.AddedOn, &m.RemovedOn, &m.Reason); err != nil {
			return nil, queryErr(err, "the consortium members")
		}
		out = append(out, m)
	}
	return out, queryErr(rows.Err(), "the consortium members")
}

// ConsortiumMembers answers from the current generation (see DB.ConsortiumMembers).
func (m *Manager) ConsortiumMembers(ctx context.Context, coordinator string) ([]projections.ConsortiumMemberView, error) {
	g, err := m.acquire()
	if err != nil {
		return nil, err
	}
	defer g.release()
	return g.db.ConsortiumMembers(ctx, coordinator)
}
