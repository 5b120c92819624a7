package api_test

import (
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
)

// cookieJar keeps the cookies of one test browser.
type cookieJar struct {
	mu      sync.Mutex
	cookies []*http.Cookie
}

func (j *cookieJar) SetCookies(_ *url.URL, cs []*http.Cookie) {
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, c := range cs {
		// A cookie replaces the one of the same name and path; a negative
		// Max-Age deletes it.
		j.cookies = slices.DeleteFunc(j.cookies, func(o *http.Cookie) bool { return o.Name == c.Name && o.Path == c.Path })
		if c.MaxAge >= 0 {
			j.cookies = append(j.cookies, c)
		}
	}
}

func (j *cookieJar) Cookies(u *url.URL) []*http.Cookie {
	j.mu.Lock()
	defer j.mu.Unlock()
	var out []*http.Cookie
	for _, c := range j.cookies {
		if strings.HasPrefix(u.Path, c.Path) {
			out = append(out, c)
		}
	}
	return out
}

func copyBody(w io.Writer, res *http.Response) (int64, error) { return io.Copy(w, res.Body) }
