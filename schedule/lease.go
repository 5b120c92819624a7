package schedule

import "context"

// Lease elects one holder among the instances at a time. A holder that
// stops renewing loses it after the lease's time to live, and another
// instance may take it.
type Lease interface {
	// Hold acquires the lease when it is free, renews it when this holder
	// holds it, and reports whether this holder holds it now.
	Hold(ctx context.Context) (bool, error)
	// Release gives the lease up if this holder holds it, so that another
	// instance takes it without waiting for the time to live.
	Release(ctx context.Context) error
}
