package api

import (
	"net/http"
	"time"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/events"
	"github.com/erasmus-ledger/grants/events/apperr"
	"github.com/erasmus-ledger/grants/projections"
	"github.com/labstack/echo/v4"
)

// HistoryPage is one page of an audit history, oldest first.
type HistoryPage struct {
	Items      []HistoryEntry `json:"items"`
	NextCursor string         `json:"next_cursor,omitempty"`
}

// HistoryEntry is one event of the audit history: when, who, what, why and
// its link in the hash chain.
type HistoryEntry struct {
	// When is when the ledger recorded the event.
	When time.Time `json:"when"`
	// EffectiveAt is when the event took effect (earlier when the national
	// office recorded the past).
	EffectiveAt time.Time `json:"effective_at"`
	// Who caused it.
	Who events.Actor `json:"who"`
	// What happened: the event type and a one-line summary.
	What    string `json:"what"`
	Summary string `json:"summary"`
	// Why is the reason given with the command.
	Why string `json:"why,omitempty"`
	// Aggregate is the aggregate the event belongs to and Version its
	// position in it.
	Aggregate events.Ref `json:"aggregate"`
	Version   uint64     `json:"version"`
	// Sequence is the global stream sequence.
	Sequence uint64 `json:"sequence"`
	// Hash and PrevHash link the event in its aggregate's hash chain.
	Hash          string `json:"hash"`
	PrevHash      string `json:"prev_hash,omitempty"`
	CorrelationID string `json:"correlation_id,omitempty"`
	EventID       string `json:"event_id"`
}

// Verification is the result of recomputing hash chains.
type Verification struct {
	// Valid is true when every chain verified.
	Valid bool `json:"valid"`
	// Events is the number of events checked.
	Events int `json:"events"`
	// Chains has one entry per aggregate.
	Chains []ChainCheck `json:"chains"`
}

// ChainCheck is the verification of one aggregate's chain.
type ChainCheck struct {
	Aggregate events.Ref `json:"aggregate"`
	Events    int        `json:"events"`
	Valid     bool       `json:"valid"`
	// LastHash is the hash the chain ends on (when valid).
	LastHash string `json:"last_hash,omitempty"`
	// Break says where and why the chain is broken.
	Break *ChainBreak `json:"break,omitempty"`
}

// ChainBreak locates the first event that does not verify.
type ChainBreak struct {
	Version  uint64 `json:"version"`
	Sequence uint64 `json:"sequence"`
	Reason   string `json:"reason"`
}

func historyOf(p projections.AuditPage) HistoryPage {
	out := HistoryPage{Items: make([]HistoryEntry, 0, len(p.Items)), NextCursor: p.NextCursor}
	for _, e := range p.Items {
		out.Items = append(out.Items, HistoryEntry{
			When: e.RecordedAt, EffectiveAt: e.OccurredAt,
			Who:  events.Actor{UserID: e.ActorUser, Role: e.ActorRole, Org: e.ActorOrg},
			What: e.Type, Summary: e.Summary, Why: e.Reason,
			Aggregate: events.Ref{Org: e.Org, Kind: e.AggregateKind, ID: e.AggregateID}, Version: e.Version,
			Sequence: e.Sequence, Hash: e.Hash, PrevHash: e.PrevHash, CorrelationID: e.CorrelationID, EventID: e.EventID,
		})
	}
	return out
}

func (s *Server) organisationHistory(c echo.Context) error {
	oid := c.Param("oid")
	if err := visibleOrg(c, oid); err != nil {
		return err
	}
	if err := s.consistent(c); err != nil {
		return err
	}
	if _, err := s.d.Reader.Organisation(c.Request().Context(), oid); err != nil {
		return sameNotFound(err, aggregates.KindOrganisation, oid)
	}
	return s.history(c, projections.AuditFilter{Org: oid})
}

func (s *Server) projectHistory(c echo.Context) error {
	if err := s.consistent(c); err != nil {
		return err
	}
	pv, err := s.visibleProject(c, c.Param("id"))
	if err != nil {
		return err
	}
	return s.history(c, projections.AuditFilter{AggregateKind: aggregates.KindProject, AggregateID: pv.ID})
}

func (s *Server) history(c echo.Context, f projections.AuditFilter) error {
	pg, err := pageOf(c)
	if err != nil {
		return err
	}
	f.Page = pg
	f.Type = c.QueryParam("type")
	if err := s.consistent(c); err != nil {
		return err
	}
	page, err := s.d.Reader.Audit(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, historyOf(page))
}

func (s *Server) verifyProject(c echo.Context) error {
	ctx := c.Request().Context()
	id := c.Param("id")
	org, err := s.d.Commands.Locate(ctx, aggregates.KindProject, id)
	if err != nil {
		return err
	}
	if err := visibleOrg(c, org); err != nil {
		return notFound(aggregates.KindProject, id)
	}
	v := Verification{Valid: true, Chains: []ChainCheck{}}
	if err := s.verifyInto(c, &v, events.Ref{Org: org, Kind: aggregates.KindProject, ID: id}); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

func (s *Server) verifyOrganisation(c echo.Context) error {
	oid := c.Param("oid")
	if err := visibleOrg(c, oid); err != nil {
		return err
	}
	ctx := c.Request().Context()
	v := Verification{Valid: true, Chains: []ChainCheck{}}
	err := s.verifyInto(c, &v, events.Ref{Org: oid, Kind: aggregates.KindOrganisation, ID: oid})
	orgMissing := err != nil && apperr.CodeOf(err) == apperr.NotFound
	if err != nil && !orgMissing {
		return err
	}
	prjs, err := s.d.Reader.ProjectsOf(ctx, oid)
	if err != nil && apperr.CodeOf(err) != apperr.NotFound {
		return err
	}
	if orgMissing && len(prjs) == 0 {
		return notFound(aggregates.KindOrganisation, oid)
	}
	for _, p := range prjs {
		if err := s.verifyInto(c, &v, events.Ref{Org: oid, Kind: aggregates.KindProject, ID: p.ID}); err != nil {
			return err
		}
	}
	return c.JSON(http.StatusOK, v)
}

// verifyInto checks the chain of ref from its full history: every hash,
// every signature (with the key ring), every link. Problems the national
// office resolved leave the chain valid.
func (s *Server) verifyInto(c echo.Context, v *Verification, ref events.Ref) error {
	envs, err := s.d.Commands.History(c.Request().Context(), ref)
	if err != nil {
		return err
	}
	cc := ChainCheck{Aggregate: ref, Events: len(envs), Valid: true}
	var st events.ChainState
	for i := range envs {
		st.Check(&envs[i], s.d.KeyRing, s.trust(), s.d.KeyRing == nil)
	}
	if p, broken := st.Damaged(); broken {
		cc.Valid = false
		cc.Break = &ChainBreak{Version: p.Version, Sequence: p.Sequence, Reason: p.Reason}
		v.Valid = false
		s.log.Error("hash chain broken", "ref", ref.String(), "version", p.Version, "sequence", p.Sequence, "reason", p.Reason)
	} else {
		cc.LastHash = st.Head.Hash
	}
	v.Events += len(envs)
	v.Chains = append(v.Chains, cc)
	return nil
}

// trust is how verifyInto checks signatures: all of them with a key
// ring, none without (tests of the hash chain alone).
func (s *Server) trust() events.Trust {
	if s.d.KeyRing == nil {
		return events.TrustCheckpoint
	}
	return events.TrustSignature
}

// verifyLedger answers GET /v1/audit/verification: the whole stream.
func (s *Server) verifyLedger(c echo.Context) error {
	if s.d.Verify == nil {
		return apperr.New(apperr.Unavailable, "whole-stream verification is not available here")
	}
	rep, err := s.d.Verify(c.Request().Context())
	if err != nil {
		return err
	}
	if !rep.Valid {
		s.log.Error("ledger verification failed", "first_broken", rep.FirstBroken.String())
	}
	return c.JSON(http.StatusOK, rep)
}
