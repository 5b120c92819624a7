package sqlite

/*
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

// The SQLite library is the one github.com/mattn/go-sqlite3 links into the
// binary; these declarations match sqlite3.h.
typedef struct sqlite3 sqlite3;
typedef struct sqlite3_stmt sqlite3_stmt;
int sqlite3_bind_int64(sqlite3_stmt*, int, long long);
int sqlite3_bind_text(sqlite3_stmt*, int, const char*, int, void(*)(void*));
int sqlite3_step(sqlite3_stmt*);
int sqlite3_reset(sqlite3_stmt*);
sqlite3 *sqlite3_db_handle(sqlite3_stmt*);
const char *sqlite3_errmsg(sqlite3*);

// grants_exec_packed binds n parameters of s from the packed values at p
// (see packedRows) and steps s once. Texts are bound SQLITE_STATIC: SQLite
// reads them in the caller's C buffer while it steps. The statement keeps
// pointing at them after the reset, but it is only ever stepped again
// through this function, which binds every parameter anew first. It
// returns SQLITE_OK, or the error code; 1000 means the buffer does not
// hold n well-formed values.
static int grants_exec_packed(sqlite3_stmt *s, const unsigned char *p, const unsigned char *end, int n) {
	int rc = 0;
	for (int i = 1; i <= n && rc == 0; i++) {
		if (p >= end) {
			rc = 1000;
			break;
		}
		unsigned char tag = *p++;
		if (tag == 'i' && end - p >= 8) {
			long long v;
			memcpy(&v, p, 8);
			p += 8;
			rc = sqlite3_bind_int64(s, i, v);
		} else if (tag == 't' && end - p >= 4) {
			int32_t len;
			memcpy(&len, p, 4);
			p += 4;
			if (len < 0 || end - p < len) {
				rc = 1000;
				break;
			}
			rc = sqlite3_bind_text(s, i, (const char *)p, len, (void (*)(void *))0);
			p += len;
		} else {
			rc = 1000;
		}
	}
	if (rc == 0) {
		rc = sqlite3_step(s);
		if (rc == 100 || rc == 101) { // SQLITE_ROW, SQLITE_DONE
			rc = 0;
		}
	}
	int rrc = sqlite3_reset(s);
	if (rc == 0) {
		rc = rrc;
	}
	return rc;
}

static const char *grants_errmsg(sqlite3_stmt *s) {
	return sqlite3_errmsg(sqlite3_db_handle(s));
}
*/
import "C"

import (
	"errors"
	"fmt"
	"reflect"
	"unsafe"
)

// packedRows is a buffer of statement parameters in C memory, written by
// Go without allocating and bound by one cgo call per statement execution
// (execPacked). A value is a tag byte then its bytes: 'i' and an int64, or
// 't', an int32 length and the UTF-8 text. Binding
// through the driver instead boxes every value into an interface, copies
// every text into SQLite, and checks every argument for Go pointers: that
// cost a replay about a fifth of its writer's time.
type packedRows struct {
	mem []byte // C memory; len is the bytes written
}

// packedInitial is the first capacity of a packedRows buffer.
const packedInitial = 64 << 10

// grow makes room for n more bytes.
func (p *packedRows) grow(n int) {
	if len(p.mem)+n <= cap(p.mem) {
		return
	}
	size := max(packedInitial, 2*cap(p.mem), len(p.mem)+n)
	var base unsafe.Pointer
	if cap(p.mem) > 0 {
		base = unsafe.Pointer(unsafe.SliceData(p.mem))
	}
	mem := C.realloc(base, C.size_t(size))
	if mem == nil {
		panic("out of memory for packed SQLite parameters")
	}
	p.mem = unsafe.Slice((*byte)(mem), size)[:len(p.mem)]
}

// int appends an integer.
func (p *packedRows) int(v int64) {
	p.grow(9)
	p.mem = append(p.mem, 'i', byte(v), byte(v>>8), byte(v>>16), byte(v>>24), byte(v>>32), byte(v>>40), byte(v>>48), byte(v>>56))
}

// bool appends a boolean as the integer 0 or 1, as the driver stores it.
func (p *packedRows) bool(v bool) {
	var n int64
	if v {
		n = 1
	}
	p.int(n)
}

// text appends a text.
func (p *packedRows) text(s string) {
	p.grow(5 + len(s))
	n := uint32(len(s))
	p.mem = append(p.mem, 't', byte(n), byte(n>>8), byte(n>>16), byte(n>>24))
	p.mem = append(p.mem, s...)
}

// reset empties the buffer, keeping its memory.
func (p *packedRows) reset() { p.mem = p.mem[:0] }

// free releases the C memory.
func (p *packedRows) free() {
	if cap(p.mem) > 0 {
		C.free(unsafe.Pointer(unsafe.SliceData(p.mem)))
	}
	p.mem = nil
}

// execPacked binds the n values at p.mem[from:to] to s and steps it once.
func execPacked(s *wstmt, p *packedRows, from, to, n int) error {
	h, err := s.handle()
	if err != nil {
		return err
	}
	if from < 0 || from > to || to > len(p.mem) {
		return fmt.Errorf("%s: packed values %d..%d out of %d bytes", firstLine(s.sql), from, to, len(p.mem))
	}
	base := unsafe.Pointer(unsafe.SliceData(p.mem))
	start := (*C.uchar)(unsafe.Add(base, from))
	end := (*C.uchar)(unsafe.Add(base, to))
	switch rc := C.grants_exec_packed(h, start, end, C.int(n)); rc {
	case 0:
		return nil
	case 1000:
		return fmt.Errorf("%s: the packed values are not %d parameters", firstLine(s.sql), n)
	default:
		return fmt.Errorf("%s: %s (SQLite error %d)", firstLine(s.sql), C.GoString(C.grants_errmsg(h)), int(rc))
	}
}

// handle returns the statement's sqlite3_stmt, which the driver keeps in
// an unexported field: the packed path binds and steps it directly. It
// fails with a clear error should a driver version name or type it
// differently (TestPackedRowsReachTheDriverStatement guards the version
// in go.mod).
func (s *wstmt) handle() (*C.sqlite3_stmt, error) {
	if s.h != nil {
		return (*C.sqlite3_stmt)(s.h), nil
	}
	f := reflect.ValueOf(s.s).Elem().FieldByName("s")
	if !f.IsValid() || f.Kind() != reflect.Pointer || f.Type().Elem().Name() != "_Ctype_struct_sqlite3_stmt" {
		return nil, errDriverLayout
	}
	p := f.UnsafePointer()
	if p == nil {
		return nil, fmt.Errorf("%s: the statement is closed", firstLine(s.sql))
	}
	s.h = p
	return (*C.sqlite3_stmt)(p), nil
}

// errDriverLayout reports a go-sqlite3 whose statement type this package
// does not know.
var errDriverLayout = errors.New("this version of github.com/mattn/go-sqlite3 keeps its statement handle differently: the packed insert path cannot bind")
