// Command gen writes api/fielddocs_gen.go, the descriptions of the
// module's JSON types from their doc comments, which the OpenAPI document
// gives every schema and property. Run it with go generate ./api.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/erasmus-ledger/grants/api/internal/fielddocs"
)

func main() {
	root := flag.String("root", "..", "the module's root directory")
	out := flag.String("o", "fielddocs_gen.go", "the file to write")
	flag.Parse()
	if err := run(*root, *out); err != nil {
		fmt.Fprintln(os.Stderr, "fielddocs:", err)
		os.Exit(1)
	}
}

func run(root, out string) error {
	src, err := fielddocs.Generate(root)
	if err != nil {
		return err
	}
	return os.WriteFile(out, src, 0o644)
}
