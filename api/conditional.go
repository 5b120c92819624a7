package api

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
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

// jsonConditional answers v as JSON with a strong ETag that is the hash of
// its bytes, or 304 when If-None-Match names it: for resources that are
// not an aggregate, such as a rule of the catalogue or a rates table.
func jsonConditional(c echo.Context, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return blobConditional(c, b)
}

// blobConditional answers the JSON bytes b with a strong ETag that is
// their hash, or 304 when If-None-Match names it.
func blobConditional(c echo.Context, b []byte) error {
	sum := sha256.Sum256(b)
	if notModified(c, `"`+hex.EncodeToString(sum[:16])+`"`) {
		return answerNotModified(c)
	}
	return c.JSONBlob(http.StatusOK, b)
}
