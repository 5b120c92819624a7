package catalog

// NormaliseCountry upper-cases and trims c and maps GR to EL.
func NormaliseCountry(c string) string { return c }

// KnownCountry reports whether c is an ISO 3166-1 alpha-2 code (plus EL, XK).
func KnownCountry(c string) bool { return false }

// IsProgrammeCountry reports whether c is a programme country in callYear.
func IsProgrammeCountry(c string, callYear int) bool { return false }
