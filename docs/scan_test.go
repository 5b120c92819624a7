package docs

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// ruleUse is one place where the Go code cites a rule ID.
type ruleUse struct {
	// Pos is file:line, the file relative to the module root.
	Pos string
	// How names the construct that makes the string a rule ID.
	How string
}

func (u ruleUse) String() string { return u.Pos + " (" + u.How + ")" }

// parseModule parses every non-test Go file under root, skipping hidden
// directories, testdata, vendor and build output.
func parseModule(root string) (*token.FileSet, []*ast.File, error) {
	fset := token.NewFileSet()
	var files []*ast.File
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") ||
				name == "testdata" || name == "vendor" || filepath.Dir(path) == root && (name == "bin" || name == "data")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		f, err := parser.ParseFile(fset, filepath.ToSlash(rel), src, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		files = append(files, f)
		return nil
	})
	return fset, files, err
}

// isRuleName reports whether an identifier names a rule ID: rule, Rule,
// ruleID, countryRule and the like.
func isRuleName(name string) bool {
	return strings.Contains(strings.ToLower(name), "rule")
}

// nameOf returns the name an expression ends in: x for x, Sel for a.Sel,
// the element's name for []T, *T, map[K]T; "" otherwise.
func nameOf(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		return e.Sel.Name
	case *ast.StarExpr:
		return nameOf(e.X)
	case *ast.ArrayType:
		return nameOf(e.Elt)
	case *ast.MapType:
		return nameOf(e.Value)
	case *ast.IndexExpr:
		return nameOf(e.X)
	}
	return ""
}

// idLiteral returns the value of e when it is a string literal shaped like
// a rule ID.
func idLiteral(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	if err != nil || !idShape.MatchString(s) {
		return "", false
	}
	return s, true
}

// citations collects rule IDs found in Go files.
type citations struct {
	fset *token.FileSet
	// params maps a function name to the positions of its parameters
	// named like a rule (lifecycle(rule, ...), add(category, rule, ...)).
	params map[string]map[int]string
	// found maps an ID to the literal positions citing it, with how.
	found map[string]map[token.Pos]string
}

// citedRuleIDs returns every rule ID that files cite, with where and how.
// A string literal shaped like a rule ID is a citation when it is
//   - an argument of a call to Rule or RuleField (apperr.Rule), or of a
//     function whose parameter at that position is named like a rule;
//   - the value of a field, variable or assignment named like a rule
//     (Rule: "X", rule := "X"), or compared with one (act.Rule == "X");
//   - inside a function, or a composite literal of a type, named like a
//     rule (RuleIDs, []RuleDoc{...});
//   - or anywhere, when its first word is one of prefixes (LIFE, BUD, ...)
//     or the first word of a rule ID cited in the ways above.
func citedRuleIDs(fset *token.FileSet, files []*ast.File, prefixes map[string]bool) map[string][]ruleUse {
	c := &citations{fset: fset, params: map[string]map[int]string{}, found: map[string]map[token.Pos]string{}}
	for _, f := range files {
		c.collectParams(f)
	}
	for _, f := range files {
		c.scanContexts(f)
	}
	known := map[string]bool{}
	for p := range prefixes {
		known[p] = true
	}
	for id := range c.found {
		if p := prefixOf(id); p != "" {
			known[p] = true
		}
	}
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			if e, ok := n.(ast.Expr); ok {
				if id, ok := idLiteral(e); ok && known[prefixOf(id)] {
					c.add(e, id, "string literal with the rule prefix "+prefixOf(id))
				}
			}
			return true
		})
	}
	out := map[string][]ruleUse{}
	for id, at := range c.found {
		for pos, how := range at {
			p := fset.Position(pos)
			out[id] = append(out[id], ruleUse{Pos: fmt.Sprintf("%s:%d", p.Filename, p.Line), How: how})
		}
		sort.Slice(out[id], func(i, j int) bool { return out[id][i].Pos < out[id][j].Pos })
	}
	return out
}

// add records that literal e cites id, unless it is recorded already.
func (c *citations) add(e ast.Expr, id, how string) {
	at := c.found[id]
	if at == nil {
		at = map[token.Pos]string{}
		c.found[id] = at
	}
	if _, ok := at[e.Pos()]; !ok {
		at[e.Pos()] = how
	}
}

// collectParams records the parameters named like a rule of every
// function declared in f.
func (c *citations) collectParams(f *ast.File) {
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok {
			continue
		}
		i := 0
		for _, field := range fn.Type.Params.List {
			if len(field.Names) == 0 {
				i++
				continue
			}
			for _, name := range field.Names {
				if isRuleName(name.Name) {
					if c.params[fn.Name.Name] == nil {
						c.params[fn.Name.Name] = map[int]string{}
					}
					c.params[fn.Name.Name][i] = name.Name
				}
				i++
			}
		}
	}
}

// scanContexts records the literals of f that sit where a rule ID belongs.
func (c *citations) scanContexts(f *ast.File) {
	for _, d := range f.Decls {
		if fn, ok := d.(*ast.FuncDecl); ok && isRuleName(fn.Name.Name) && fn.Body != nil {
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				if e, ok := n.(ast.Expr); ok {
					if id, ok := idLiteral(e); ok {
						c.add(e, id, "in function "+fn.Name.Name)
					}
				}
				return true
			})
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			c.call(n)
		case *ast.KeyValueExpr:
			if name := nameOf(n.Key); isRuleName(name) {
				c.literal(n.Value, "field "+name)
			}
		case *ast.AssignStmt:
			if len(n.Lhs) == len(n.Rhs) {
				for i, l := range n.Lhs {
					if name := nameOf(l); isRuleName(name) {
						c.literal(n.Rhs[i], "assigned to "+name)
					}
				}
			}
		case *ast.ValueSpec:
			for i, name := range n.Names {
				if i < len(n.Values) && isRuleName(name.Name) {
					c.literal(n.Values[i], "value of "+name.Name)
				}
			}
		case *ast.BinaryExpr:
			if n.Op == token.EQL || n.Op == token.NEQ {
				if name := nameOf(n.X); isRuleName(name) {
					c.literal(n.Y, "compared with "+name)
				}
				if name := nameOf(n.Y); isRuleName(name) {
					c.literal(n.X, "compared with "+name)
				}
			}
		case *ast.CompositeLit:
			if name := nameOf(n.Type); isRuleName(name) {
				c.composite(n, name)
			}
		}
		return true
	})
}

// call records the rule arguments of a call.
func (c *citations) call(n *ast.CallExpr) {
	name := nameOf(n.Fun)
	if name == "Rule" || name == "RuleField" {
		if len(n.Args) > 0 {
			c.literal(n.Args[0], "first argument of "+name)
		}
	}
	for i, param := range c.params[name] {
		if i < len(n.Args) {
			c.literal(n.Args[i], fmt.Sprintf("argument %s of %s", param, name))
		}
	}
}

// composite records the string elements of a literal of a rule type,
// and of the elided literals inside it ([]RuleDoc{{"ID", "text"}}).
func (c *citations) composite(n *ast.CompositeLit, typ string) {
	for _, e := range n.Elts {
		if kv, ok := e.(*ast.KeyValueExpr); ok {
			e = kv.Value
		}
		if inner, ok := e.(*ast.CompositeLit); ok && inner.Type == nil {
			c.composite(inner, typ)
			continue
		}
		c.literal(e, "element of a "+typ+" literal")
	}
}

// literal records e when it is a string literal shaped like a rule ID.
func (c *citations) literal(e ast.Expr, how string) {
	if id, ok := idLiteral(e); ok {
		c.add(e, id, how)
	}
}
