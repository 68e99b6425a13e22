// Package consttest reads a package's constants of a type from its
// source, so that a test can check something of every one of them,
// including those added after the test was written: that each has its
// Indonesian word, say.
package consttest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Strings returns the values of the string constants that the package in
// the current directory (a test's package) declares with the type named
// typeName, in source order. It fails t when there are none, or when one
// is not a plain string literal, which it could not read.
func Strings(t testing.TB, typeName string) []string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, s := range gd.Specs {
				vs := s.(*ast.ValueSpec)
				if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != typeName {
					continue
				}
				for i, n := range vs.Names {
					lit, ok := literal(vs, i)
					if !ok {
						t.Fatalf("%s: constant %s of type %s is not a string literal", fset.Position(n.Pos()), n.Name, typeName)
					}
					out = append(out, lit)
				}
			}
		}
	}
	if len(out) == 0 {
		t.Fatalf("no constant of type %s in %v", typeName, files)
	}
	return out
}

func literal(vs *ast.ValueSpec, i int) (string, bool) {
	if i >= len(vs.Values) {
		return "", false
	}
	lit, ok := vs.Values[i].(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}

// Words checks that words names every constant of the type named
// typeName in the package under test (see Strings), each with a word of
// its own.
func Words[K ~string](t testing.TB, typeName string, words map[K]string) {
	t.Helper()
	var keys []K
	for _, s := range Strings(t, typeName) {
		keys = append(keys, K(s))
	}
	Distinct(t, keys, words)
}

// Distinct checks that words has a non-empty word for every key, and
// that no two keys share a word.
func Distinct[K ~string](t testing.TB, keys []K, words map[K]string) {
	t.Helper()
	named := map[string]K{}
	for _, k := range keys {
		w := words[k]
		if strings.TrimSpace(w) == "" {
			t.Errorf("%q has no word", k)
			continue
		}
		if other, ok := named[w]; ok && other != k {
			t.Errorf("%q and %q are both %q", other, k, w)
		}
		named[w] = k
	}
}
