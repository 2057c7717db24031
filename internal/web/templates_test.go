package web

import (
	"bufio"
	"bytes"
	"html/template"
	"io/fs"
	"strings"
	"testing"
	"text/template/parse"

	"jiefen/internal/domain"
	"jiefen/internal/ui"
)

func parsedTemplates(t *testing.T) *templates {
	t.Helper()
	sf, err := loadStatic(false)
	if err != nil {
		t.Fatal(err)
	}
	tp, err := parseTemplates(false, sf)
	if err != nil {
		t.Fatal(err)
	}
	return tp
}

// templateFiles returns every template file's path and text.
func templateFiles(t *testing.T) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := fs.WalkDir(ui.Files, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(ui.Files, p)
		files[p] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// Issue 12: no template line over 200 bytes.
func TestTemplateLinesShort(t *testing.T) {
	for p, text := range templateFiles(t) {
		sc := bufio.NewScanner(strings.NewReader(text))
		sc.Buffer(nil, 1<<20)
		for n := 1; sc.Scan(); n++ {
			if l := len(sc.Bytes()); l > 200 {
				t.Errorf("%s:%d: %d bytes (at most 200)", p, n, l)
			}
		}
	}
}

// Every action of the workflow has its form on the matter page, and every
// form is an action's.
func TestEveryActionHasAForm(t *testing.T) {
	tp := parsedTemplates(t).pages["case"]
	actions := map[string]bool{}
	for _, tr := range domain.Workflow {
		actions[tr.Action] = true
		if tp.Lookup("action/"+tr.Action) == nil {
			t.Errorf("action %s has no form: define \"action/%s\" in partials/case/action/%s.html", tr.Action, tr.Action, tr.Action)
		}
	}
	for _, x := range tp.Templates() {
		if a, ok := strings.CutPrefix(x.Name(), "action/"); ok && !actions[a] {
			t.Errorf("template %s: no action %s in domain.Workflow", x.Name(), a)
		}
	}
	if tp.Lookup("timeline/default") == nil {
		t.Error("no timeline/default")
	}
}

// Every template a page names ({{template "x"}}, partial "x", partialOr "x"
// "y") exists in its set.
func TestTemplateReferencesExist(t *testing.T) {
	for name, tp := range parsedTemplates(t).pages {
		for _, x := range tp.Templates() {
			if x.Tree == nil {
				continue
			}
			walkNames(x.Tree.Root, func(ref string) {
				if tp.Lookup(ref) == nil {
					t.Errorf("page %s, template %s: no template %q", name, x.Name(), ref)
				}
			})
		}
	}
}

// walkNames calls f with every template name node n refers to by a literal.
func walkNames(n parse.Node, f func(string)) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n != nil {
			for _, c := range n.Nodes {
				walkNames(c, f)
			}
		}
	case *parse.ActionNode:
		walkNames(n.Pipe, f)
	case *parse.IfNode:
		walkBranch(&n.BranchNode, f)
	case *parse.RangeNode:
		walkBranch(&n.BranchNode, f)
	case *parse.WithNode:
		walkBranch(&n.BranchNode, f)
	case *parse.TemplateNode:
		f(n.Name)
		walkNames(n.Pipe, f)
	case *parse.PipeNode:
		if n == nil {
			return
		}
		for _, c := range n.Cmds {
			walkNames(c, f)
		}
	case *parse.CommandNode:
		if id, ok := n.Args[0].(*parse.IdentifierNode); ok && (id.Ident == "partial" || id.Ident == "partialOr") {
			last := 2
			if id.Ident == "partialOr" {
				last = 3
			}
			for _, a := range n.Args[1:min(last, len(n.Args))] {
				if s, ok := a.(*parse.StringNode); ok {
					f(s.Text)
				}
			}
		}
		for _, a := range n.Args {
			walkNames(a, f)
		}
	}
}

func walkBranch(b *parse.BranchNode, f func(string)) {
	walkNames(b.Pipe, f)
	walkNames(b.List, f)
	walkNames(b.ElseList, f)
}

// A name is defined once among layout and partials, and a page does not
// redefine one of them (the later definition would win silently).
func TestTemplatesDefinedOnce(t *testing.T) {
	shared := map[string]string{} // name → file
	pages := map[string][]string{}
	for p, text := range templateFiles(t) {
		trees := map[string]*parse.Tree{}
		tr := parse.New(p)
		tr.Mode = parse.SkipFuncCheck
		if _, err := tr.Parse(text, "{{", "}}", trees); err != nil {
			t.Fatal(err)
		}
		for name := range trees {
			if name == p {
				continue
			}
			if strings.HasPrefix(p, "templates/pages/") {
				pages[name] = append(pages[name], p)
				continue
			}
			if other, ok := shared[name]; ok {
				t.Errorf("template %s defined in %s and %s", name, other, p)
			}
			shared[name] = p
		}
	}
	for name, files := range pages {
		if other, ok := shared[name]; ok {
			t.Errorf("template %s of %s shadows the one in %s", name, files, other)
		}
	}
}

// partial fails on a name it does not know; partialOr falls back.
func TestPartialByName(t *testing.T) {
	page := parsedTemplates(t).pages["case"]
	run := func(text string, data any) (string, error) {
		tp, err := page.Clone()
		if err != nil {
			t.Fatal(err)
		}
		tp.Funcs(partialFuncs(tp))
		x, err := tp.New("probe").Parse(text)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		err = x.Execute(&b, data)
		return b.String(), err
	}
	if _, err := run(`{{partial "action/no_such_action" .}}`, nil); err == nil || !strings.Contains(err.Error(), "no partial") {
		t.Errorf("partial of an unknown action: err %v, want no partial", err)
	}
	got, err := run(`{{partialOr "timeline/no_such_action" "timeline/default" .}}`, map[string]string{"outcome": "resolved", "place": "<b>"})
	if err != nil {
		t.Fatal(err)
	}
	if want := "case.outcome：outcome.resolved &lt;b&gt; "; got != want {
		t.Errorf("fallback line %q, want %q", got, want)
	}
	got, err = run(`{{partialOr "timeline/close" "timeline/default" .}}`, map[string]string{"outcome": "resolved", "referred_to": "x"})
	if err != nil {
		t.Fatal(err)
	}
	if want := template.HTML("case.outcome：outcome.resolved → x "); template.HTML(got) != want {
		t.Errorf("close line %q, want %q", got, want)
	}
}
