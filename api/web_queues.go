package api

import (
	"context"
	"sort"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/erasmus-ledger/grants/projections"
	"github.com/labstack/echo/v4"
)

// queue is one work queue of the national office.
type queue struct {
	Key   string
	Items []queueItem
	// More tells that the queue holds more than the page shows.
	More bool
	// Link lists the whole queue.
	Link string
}

// queueItem is one thing to work on.
type queueItem struct {
	ProjectID, Org, Title, Action, Since string
	AmountCents                          int64
	Href                                 string
}

// queueSize bounds what a queue shows on the home page.
const queueSize = 20

// webQueues is the national office's landing page: its work queues.
func (s *Server) webQueues(c echo.Context) error {
	ctx := c.Request().Context()
	var qs []queue
	for _, st := range []struct{ key, status string }{
		{"q-assess", aggregates.StatusSubmitted},
		{"q-decide", aggregates.StatusEligible},
		{"q-reports", aggregates.StatusReportLocked},
	} {
		q, err := s.statusQueue(ctx, st.key, projections.ProjectFilter{Status: st.status}, "/ui/projects?status="+st.status)
		if err != nil {
			return err
		}
		qs = append(qs, q)
	}
	ua, err := s.eventQueue(ctx, "q-ukraine", "UkraineExceptionRequested", "UkraineExceptionDecided")
	if err != nil {
		return err
	}
	sup, err := s.supportQueue(ctx)
	if err != nil {
		return err
	}
	over, err := s.statusQueue(ctx, "q-overdue", projections.ProjectFilter{Overdue: true}, "/ui/projects?overdue=true")
	if err != nil {
		return err
	}
	qs = append(qs, ua, sup, over)
	return s.render(c, "queues.html", "queues", qs)
}

// statusQueue lists the projects a filter keeps.
func (s *Server) statusQueue(ctx context.Context, key string, f projections.ProjectFilter, link string) (queue, error) {
	f.Limit = queueSize
	page, err := s.d.Reader.Projects(ctx, f)
	if err != nil {
		return queue{}, err
	}
	q := queue{Key: key, More: page.NextCursor != "", Link: link}
	for _, pv := range page.Items {
		since := pv.SubmittedOn
		if f.Status == aggregates.StatusReportLocked || f.Overdue {
			since = pv.EndDate
		}
		q.Items = append(q.Items, queueItem{ProjectID: pv.ID, Org: pv.Org, Title: pv.Title, Action: pv.Action, Since: since,
			AmountCents: pv.RequestedCents, Href: "/ui/projects/" + pv.ID})
	}
	return q, nil
}

// eventQueue lists the projects whose last asked event has no later
// answering event (e.g. a Ukraine-exception request not decided yet).
func (s *Server) eventQueue(ctx context.Context, key, asked, answered string) (queue, error) {
	last := map[string]projections.AuditEntry{}
	if err := s.eachAudit(ctx, asked, func(e projections.AuditEntry) { last[e.AggregateID] = e }); err != nil {
		return queue{}, err
	}
	if err := s.eachAudit(ctx, answered, func(e projections.AuditEntry) {
		if a, ok := last[e.AggregateID]; ok && e.Sequence > a.Sequence {
			delete(last, e.AggregateID)
		}
	}); err != nil {
		return queue{}, err
	}
	q := queue{Key: key}
	for id, e := range last {
		q.Items = append(q.Items, queueItem{ProjectID: id, Org: e.Org, Title: e.Summary, Since: e.RecordedAt.UTC().Format("2006-01-02"), Href: "/ui/projects/" + id})
	}
	sort.Slice(q.Items, func(i, j int) bool { return q.Items[i].Since < q.Items[j].Since })
	return q, nil
}

// supportQueue lists the pending requests for inclusion support.
func (s *Server) supportQueue(ctx context.Context) (queue, error) {
	q := queue{Key: "q-support"}
	pr, ok := s.d.Reader.(projections.PlanReader)
	if !ok {
		return q, nil
	}
	seen := map[string]bool{}
	var ids []string
	if err := s.eachAudit(ctx, "InclusionSupportRequested", func(e projections.AuditEntry) {
		if !seen[e.AggregateID] {
			seen[e.AggregateID] = true
			ids = append(ids, e.AggregateID)
		}
	}); err != nil {
		return q, err
	}
	for _, id := range ids {
		reqs, err := pr.SupportRequests(ctx, id)
		if err != nil {
			return q, err
		}
		for _, r := range reqs {
			if r.Status == aggregates.SupportPending {
				q.Items = append(q.Items, queueItem{ProjectID: id, Org: r.Org, Title: r.Justification, Since: r.RequestedOn,
					AmountCents: r.InclusionSupportCents + r.ExceptionalCostsCents, Href: "/ui/projects/" + id})
			}
		}
	}
	return q, nil
}

// eachAudit calls fn for every audit entry of an event type, oldest first.
func (s *Server) eachAudit(ctx context.Context, typ string, fn func(projections.AuditEntry)) error {
	f := projections.AuditFilter{Type: typ, Page: projections.Page{Limit: projections.MaxLimit}}
	for {
		page, err := s.d.Reader.Audit(ctx, f)
		if err != nil {
			return err
		}
		for _, e := range page.Items {
			fn(e)
		}
		if page.NextCursor == "" {
			return nil
		}
		f.Cursor = page.NextCursor
	}
}
