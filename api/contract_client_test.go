package api

import (
	"context"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The client generator of the contract check and the runtime its code
// imports, pinned like staticcheck in the Makefile.
const (
	oapiCodegen        = "github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen@v2.8.2"
	oapiRuntimeVersion = "v1.9.0"
)

// TestGeneratedClientHasValueTypesAndDomainNames generates a Go client
// from the document with oapi-codegen, compiles it, and checks what a
// client author relies on: every required field of a component is a
// plain value (not a pointer), and no type name is made of a Go package's
// name (AggregatesReportMobility). It fetches the generator through the
// module proxy the first time (make contract runs it alone; -short skips
// it).
func TestGeneratedClientHasValueTypesAndDomainNames(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and compiles a client (make contract)")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to generate the client: %v", err)
	}
	u := newUnitServer(t, nil)
	set := newSchemaSet()
	set.of(Problem{})
	for _, r := range u.s.Routes() {
		if r.Request != nil {
			set.request(r.Request, r.BodyFromPath)
		}
		set.of(r.Response)
	}
	if len(set.prefixed) > 0 {
		t.Errorf("component names made of a Go package's name (add them to schemaAliases): %v", set.prefixed)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "openapi.json"), u.s.openapi, 0o644); err != nil {
		t.Fatal(err)
	}
	mod := "module grantsclient\n\ngo 1.24\n\nrequire github.com/oapi-codegen/runtime " + oapiRuntimeVersion + "\n"
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(mod), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	run := func(args ...string) {
		t.Helper()
		cmd := exec.CommandContext(ctx, goTool, args...)
		cmd.Dir = dir
		// The client is its own module, outside this one.
		cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	run("run", oapiCodegen, "-generate", "types,client", "-package", "grantsclient", "-o", "client.go", "openapi.json")
	run("mod", "tidy")
	run("build", "./...")
	run("vet", "./...")

	src := filepath.Join(dir, "client.go")
	f, err := parser.ParseFile(token.NewFileSet(), src, nil, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	structs := map[string]*ast.StructType{}
	var names []string
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.TYPE {
			continue
		}
		for _, s := range g.Specs {
			ts := s.(*ast.TypeSpec)
			names = append(names, ts.Name.Name)
			if st, ok := ts.Type.(*ast.StructType); ok {
				structs[ts.Name.Name] = st
			}
		}
	}
	goTypes := moduleTypesByPackage(t)
	for _, n := range names {
		if pkg, typ := leakedPackage(n, goTypes); pkg != "" {
			t.Errorf("generated type %s is named after the Go package %s and its type %s", n, pkg, typ)
		}
	}

	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Required []string `json:"required"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(u.s.openapi, &doc); err != nil {
		t.Fatal(err)
	}
	checked := 0
	for name, sc := range doc.Components.Schemas {
		st, ok := structs[name]
		if !ok {
			t.Errorf("component %s has no struct in the client", name)
			continue
		}
		fields := map[string]ast.Expr{}
		for _, fl := range st.Fields.List {
			if fl.Tag == nil {
				continue
			}
			tag, _ := strconv.Unquote(fl.Tag.Value)
			jsonName, _, _ := strings.Cut(reflect.StructTag(tag).Get("json"), ",")
			fields[jsonName] = fl.Type
		}
		for _, req := range sc.Required {
			typ, ok := fields[req]
			if !ok {
				t.Errorf("%s.%s is required but not in the client's struct", name, req)
				continue
			}
			if _, ptr := typ.(*ast.StarExpr); ptr {
				t.Errorf("%s.%s is required but a pointer in the client", name, req)
			}
			checked++
		}
	}
	if checked < 200 {
		t.Fatalf("only %d required fields checked", checked)
	}
}

// leakedPackage tells whether the generated name n is a Go package's
// name and one of its types (AggregatesReportMobility, or an enum of such
// a component), and which. The names schemaAliases gives on purpose
// (RatesTable for rates.Table) read as the domain.
func leakedPackage(n string, goTypes map[string]map[string]bool) (string, string) {
	for _, alias := range schemaAliases {
		if strings.HasPrefix(n, alias) {
			return "", ""
		}
	}
	for pkg, types := range goTypes {
		rest, ok := strings.CutPrefix(n, exportedName(pkg))
		if !ok {
			continue
		}
		for typ := range types {
			if strings.HasPrefix(rest, typ) {
				return pkg, typ
			}
		}
	}
	return "", ""
}

// moduleTypesByPackage lists the exported type names of the module's
// packages by package name.
func moduleTypesByPackage(t *testing.T) map[string]map[string]bool {
	t.Helper()
	out := map[string]map[string]bool{}
	err := filepath.WalkDir("..", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != ".." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		types := out[f.Name.Name]
		if types == nil {
			types = map[string]bool{}
			out[f.Name.Name] = types
		}
		for _, d := range f.Decls {
			if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.TYPE {
				for _, s := range g.Specs {
					if ts := s.(*ast.TypeSpec); ts.Name.IsExported() {
						types[ts.Name.Name] = true
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
