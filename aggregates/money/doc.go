// Package money holds the bounds of the ledger's amounts and the checked
// arithmetic every sum of euro cents goes through.
//
// Amounts are int64 euro cents. An int64 holds about 9.2e18 cents, so a
// plain sum of user-supplied amounts can wrap around to a negative value
// (a negative grant then leaves room under BUD-GRANT-CAP for an absurd
// one). The domain refuses any amount outside its bound (INPUT-AMOUNT-RANGE,
// docs/rules.md section 10) and computes with Add, Sub, Mul and Percent, which
// report an overflow instead of wrapping. The read models, which must
// apply whatever history holds, use the saturating forms (SatAdd, SatSub),
// which stop at the int64 limits instead of wrapping.
//
// The package is pure: standard library only.
package money
