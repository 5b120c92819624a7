package api

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"strings"

	"github.com/erasmus-ledger/grants/events/apperr"
	"github.com/labstack/echo/v4"
)

// ctxFiles holds the files of a multipart web form.
const ctxFiles = "grants.files"

// parseWebBody parses a web form: URL-encoded, or multipart (a file
// upload), whose files are kept for filesOf.
func parseWebBody(c echo.Context, body []byte) (map[string]string, error) {
	ct := c.Request().Header.Get(echo.HeaderContentType)
	if ct == "" {
		return parseForm(string(body))
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err == nil && mt == "application/x-www-form-urlencoded" {
		return parseForm(string(body))
	}
	if err != nil || mt != "multipart/form-data" {
		// Not a form: no fields (the handler refuses it with checkFormType
		// once it checked that the caller may see the resource).
		return map[string]string{}, nil
	}
	r := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	form, files := map[string]string{}, map[string][]byte{}
	for {
		part, err := r.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, apperr.New(apperr.Invalid, "the form cannot be read: %v", err)
		}
		b, err := io.ReadAll(part)
		if err != nil {
			return nil, apperr.New(apperr.Invalid, "the form cannot be read: %v", err)
		}
		if part.FileName() != "" {
			files[part.FormName()] = b
		} else if _, seen := form[part.FormName()]; !seen {
			form[part.FormName()] = strings.TrimSpace(string(b))
		}
	}
	c.Set(ctxFiles, files)
	return form, nil
}

// filesOf returns the files of a multipart web form.
func filesOf(c echo.Context) map[string][]byte {
	f, _ := c.Get(ctxFiles).(map[string][]byte)
	return f
}

// checkFormType refuses a body that is not a web form.
func checkFormType(c echo.Context) error {
	ct := c.Request().Header.Get(echo.HeaderContentType)
	mt, _, err := mime.ParseMediaType(ct)
	if ct == "" || (err == nil && (mt == "application/x-www-form-urlencoded" || mt == "multipart/form-data")) {
		return nil
	}
	return apperr.InvalidField("Content-Type", "a web form is sent as application/x-www-form-urlencoded or multipart/form-data, not %q", ct)
}
