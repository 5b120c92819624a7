// Package rates holds the unit-cost rates tables keyed by call year
// (BUD-RATES-DATA) and the grant calculator that explains every amount it
// computes with the rule it follows.
//
// The tables are data: one JSON file per call year under data/ (2014-2020
// for the KA202 legacy, 2021 onward for KA1 and the KA2 lump sums),
// embedded in the binary and read by Default. Each file is one Table
// object; every section carries "source" and "confirmed" so figures not yet
// confirmed by the national office are visible as such. LoadFile reads a
// file of the same shape (one table, or {"tables": [...]}) so the national
// office can correct rates without a release; Book.Override puts it in
// force over the defaults. Loading is strict: unknown fields, wrong types,
// gaps between distance bands, programme countries without a group and
// missing daily rates are refused with an *apperr.Error naming the field,
// e.g. "travel.bands[2].min_km".
//
// Table.Calculate turns one mobility into a Breakdown of Lines, each with
// its rule ID and a plain-English explanation such as
// "individual support: 14 days x 117 EUR + 6 days x 81.90 EUR (70 % from
// day 15), staff rate, country group 1 (FI); 18 activity days + 2 travel days".
//
// The package is pure: it reads no clock and does no I/O besides LoadFile.
package rates
