package api

import (
	"context"

	"github.com/erasmus-ledger/grants/aggregates"
	"github.com/labstack/echo/v4"
)

// webExecute runs a command from a web form and, once it is recorded,
// waits (at most MaxWait) until the read models hold it, so that the page
// the browser is redirected to shows what the user just did. A read model
// that lags longer only delays the page's freshness: the command itself is
// recorded either way, so the wait's timeout is not an error.
func (s *Server) webExecute(c echo.Context, cmd aggregates.Command) error {
	res, _, err := s.execute(c, cmd, cmdSpec{})
	if err != nil {
		return err
	}
	s.settle(c, res.Sequence)
	return nil
}

// settle waits (at most MaxWait) until the read models hold stream
// sequence seq; 0 waits for nothing.
func (s *Server) settle(c echo.Context, seq uint64) {
	if seq == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), s.d.MaxWait)
	defer cancel()
	if err := s.d.Reader.WaitFor(ctx, seq); err != nil {
		s.log.Warn("web page: the read models lag behind the command just recorded", "sequence", seq, "err", err)
	}
}
