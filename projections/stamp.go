package projections

// Stamp tells which state of a project's read models an answer was
// computed from: two equal stamps, read before two reads of the same
// project, mean that no committed change to that project's rows (its
// project row, mobilities, budget, payments, reports, plan, support
// requests, deadline flags) came between them. The zero Stamp is unknown
// and never equals a cached one.
type Stamp struct {
	// Epoch names the database the stamp belongs to: each opened read
	// model database has its own, so a rebuilt generation never matches
	// a stamp of the one it replaced.
	Epoch uint64
	// Seq is the last committed sequence that may have changed the
	// project's rows.
	Seq uint64
}

// Known tells whether s names a state (not the zero Stamp).
func (s Stamp) Known() bool { return s.Epoch != 0 }

// ProjectStamper is implemented by read models that can tell, from
// memory and without a query, the Stamp of a project: the API caches
// answers keyed by it. A stamp must change, before the read models report
// the commit through Checkpoint or WaitFor, whenever a commit changes a
// row of the project (read-your-writes); it may also change more often.
type ProjectStamper interface {
	ProjectStamp(projectID string) Stamp
}
