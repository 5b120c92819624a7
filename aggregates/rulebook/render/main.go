// Command render writes the rulebook rendered from the rule catalogue
// (package rulebook) to the file named by -o; go generate ./docs runs it
// to make docs/rules.md.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/erasmus-ledger/grants/aggregates/rulebook"
)

func main() {
	out := flag.String("o", "rules.md", "the file to write")
	flag.Parse()
	md, err := rulebook.Markdown()
	if err == nil {
		err = os.WriteFile(*out, md, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "render:", err)
		os.Exit(1)
	}
}
