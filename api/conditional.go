package api

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// notModified sets the answer's ETag to tag and tells whether the
// request's If-None-Match names it, in which case the caller answers 304
// Not Modified. If-None-Match compares weakly (RFC 9110 section 13.1.2):
// W/"5" matches "5"; "*" matches any current representation.
func notModified(c echo.Context, tag string) bool {
	c.Response().Header().Set("ETag", tag)
	h := c.Request().Header.Get("If-None-Match")
	if h == "" {
		return false
	}
	if strings.TrimSpace(h) == "*" {
		return true
	}
	want := strings.TrimPrefix(tag, "W/")
	for _, t := range strings.Split(h, ",") {
		if strings.TrimPrefix(strings.TrimSpace(t), "W/") == want {
			return true
		}
	}
	return false
}

// answerNotModified is the 304 answer: no body, the ETag already set.
func answerNotModified(c echo.Context) error { return c.NoContent(http.StatusNotModified) }
