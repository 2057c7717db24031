// Package archtest holds the tests that keep docs/ARCHITECTURE.md true:
// the dependency direction between packages, the size limits, where engine
// differences may live, and which types may cross from the store into the
// use-cases' and surfaces' signatures. It has no code of its own.
package archtest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// goFile is one parsed non-test Go file of the module.
type goFile struct {
	path string // relative to the module root, e.g. internal/store/case.go
	pkg  string // its directory, e.g. internal/store
	fset *token.FileSet
	ast  *ast.File
}

func moduleFiles(t *testing.T) []goFile {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	var out []goFile
	err = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, p, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		out = append(out, goFile{path: rel, pkg: filepath.ToSlash(filepath.Dir(rel)), fset: fset, ast: f})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 50 {
		t.Fatalf("found only %d Go files: wrong root?", len(out))
	}
	return out
}

func imports(f goFile) []string {
	var out []string
	for _, im := range f.ast.Imports {
		p, _ := strconv.Unquote(im.Path.Value)
		out = append(out, p)
	}
	return out
}

// The dependency direction (docs/ARCHITECTURE.md): the use-case contexts
// depend one way (identity ← registry ← casework ← report), the kernel and
// the domain on no use-case, the store on no use-case or surface, and the
// use-cases on no surface.
func TestDependencyDirection(t *testing.T) {
	forbidden := map[string][]string{
		"internal/domain":           {"jiefen/internal/"},
		"internal/store":            {"jiefen/internal/service", "jiefen/internal/app", "jiefen/internal/web", "jiefen/internal/api", "jiefen/internal/server", "jiefen/internal/cli"},
		"internal/app":              {"jiefen/internal/service", "jiefen/internal/web", "jiefen/internal/api", "jiefen/internal/server", "jiefen/internal/cli"},
		"internal/assess":           {"jiefen/internal/store", "jiefen/internal/service", "jiefen/internal/app"},
		"internal/service/identity": {"jiefen/internal/service/registry", "jiefen/internal/service/casework", "jiefen/internal/service/report"},
		"internal/service/registry": {"jiefen/internal/service/casework", "jiefen/internal/service/report"},
		"internal/service/casework": {"jiefen/internal/service/report"},
		"internal/service/report":   {},
		"internal/service":          {},
		"internal/authz":            {"jiefen/internal/store", "jiefen/internal/service", "jiefen/internal/app"},
		"internal/division":         {"jiefen/internal/store", "jiefen/internal/service"},
		"internal/chart":            {"jiefen/internal/store", "jiefen/internal/service"},
		"internal/i18n":             {"jiefen/internal/store", "jiefen/internal/service"},
		"internal/httpx":            {"jiefen/internal/store", "jiefen/internal/service"},
		"internal/crypto":           {"jiefen/internal/store", "jiefen/internal/service"},
		"internal/metrics":          {"jiefen/internal/store", "jiefen/internal/service"},
		"internal/ui":               {"jiefen/internal/"},
		// The people's rights over their data stand on the kernel alone,
		// and no other context knows them.
		"internal/service/privacy": {"jiefen/internal/service/identity", "jiefen/internal/service/registry", "jiefen/internal/service/casework", "jiefen/internal/service/report"},
	}
	surfaces := []string{"jiefen/internal/web", "jiefen/internal/api", "jiefen/internal/server", "jiefen/internal/cli"}
	for _, f := range moduleFiles(t) {
		bad := forbidden[f.pkg]
		if strings.HasPrefix(f.pkg, "internal/service/") && f.pkg != "internal/service/privacy" {
			bad = append(slices.Clone(bad), "jiefen/internal/service/privacy")
		}
		if strings.HasPrefix(f.pkg, "internal/service") {
			bad = append(slices.Clone(bad), surfaces...)
		}
		for _, im := range imports(f) {
			for _, b := range bad {
				if strings.HasPrefix(im, b) {
					t.Errorf("%s imports %s: against the dependency direction", f.path, im)
				}
			}
		}
	}
}

// Size limits: no non-test Go file over 500 lines, no function over 80.
func TestSizeLimits(t *testing.T) {
	for _, f := range moduleFiles(t) {
		if n := f.fset.File(f.ast.Pos()).LineCount(); n > 500 {
			t.Errorf("%s has %d lines (at most 500: split it by concern)", f.path, n)
		}
		for _, d := range f.ast.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			start, end := f.fset.Position(fd.Pos()).Line, f.fset.Position(fd.End()).Line
			if n := end - start + 1; n > 80 {
				t.Errorf("%s:%d %s has %d lines (at most 80: cut it into named steps)", f.path, start, fd.Name.Name, n)
			}
		}
	}
}

// Engine differences live in the store's dialect files: nothing else
// compares an engine's name.
func TestEngineChecksOnlyInDialect(t *testing.T) {
	for _, f := range moduleFiles(t) {
		if strings.HasPrefix(f.path, "internal/store/dialect") {
			continue
		}
		ast.Inspect(f.ast, func(n ast.Node) bool {
			be, ok := n.(*ast.BinaryExpr)
			if !ok || (be.Op != token.EQL && be.Op != token.NEQ) {
				return true
			}
			for _, side := range []ast.Expr{be.X, be.Y} {
				if lit, ok := side.(*ast.BasicLit); ok && (lit.Value == `"postgres"` || lit.Value == `"sqlite"`) {
					t.Errorf("%s:%d compares an engine name: say what differs in a dialect method", f.path, f.fset.Position(be.Pos()).Line)
				}
			}
			return true
		})
	}
}

// No use-case branches on the command line: the operator is a principal
// that authz understands (domain.OperatorActor).
func TestNoSurfaceBranchesInUseCases(t *testing.T) {
	for _, f := range moduleFiles(t) {
		if !strings.HasPrefix(f.pkg, "internal/service") && f.pkg != "internal/app" {
			continue
		}
		ast.Inspect(f.ast, func(n ast.Node) bool {
			if se, ok := n.(*ast.SelectorExpr); ok && se.Sel.Name == "Via" {
				t.Errorf("%s:%d reads the actor's surface (Via): ask authz about the principal instead", f.path, f.fset.Position(se.Pos()).Line)
			}
			if id, ok := n.(*ast.Ident); ok && id.Name == "isCLI" {
				t.Errorf("%s:%d branches on the command line", f.path, f.fset.Position(id.Pos()).Line)
			}
			return true
		})
	}
}

// No store type in a use-case's or a surface's exported signature, but the
// transaction handle that lets one transaction span contexts
// (store.Tx, in the contexts' in-transaction helpers) and the wiring of
// the root service.
func TestNoStoreTypesInSignatures(t *testing.T) {
	wiring := map[string]bool{"internal/service.New": true, "internal/service.Store": true}
	for _, f := range moduleFiles(t) {
		inScope := strings.HasPrefix(f.pkg, "internal/service") || slices.Contains([]string{"internal/web", "internal/api", "internal/server", "internal/cli"}, f.pkg)
		if !inScope {
			continue
		}
		for _, d := range f.ast.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || !fd.Name.IsExported() || wiring[f.pkg+"."+fd.Name.Name] {
				continue
			}
			ast.Inspect(fd.Type, func(n ast.Node) bool {
				se, ok := n.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				if id, ok := se.X.(*ast.Ident); ok && id.Name == "store" {
					if se.Sel.Name == "Tx" && strings.HasPrefix(f.pkg, "internal/service/") {
						return true
					}
					t.Errorf("%s: %s has store.%s in its signature: use a domain type", f.path, fd.Name.Name, se.Sel.Name)
				}
				return true
			})
		}
	}
}
