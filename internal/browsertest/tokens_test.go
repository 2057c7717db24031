package browsertest_test

import (
	"strings"
	"testing"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"

	"github.com/chromedp/chromedp"
)

// The API-token pages in a browser (issue 14): on /account a token is made
// with its scopes and life and its secret shown once; a life past the
// maximum is out of the field's range, and no scope is refused beside the
// scopes, the form kept; at 375 px the form
// and the lists of /account and /admin/tokens fit the screen.
func TestTokenPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	jftest.MakeUser(t, e.svc, "recep", "610831", domain.RoleReceptionist)
	jftest.MakeUser(t, e.svc, "admin", "610831", domain.RoleAdmin)
	jftest.Token(t, e.svc, "recep", domain.ScopeRead)

	for _, vp := range []viewport{desktop, phone} {
		tb := e.newTab(t, vp)
		tb.login("recep", jftest.Password)
		tb.open("/account")
		tb.wantText("#tokens", "API 令牌", "全部只读", "尚未使用")
		tb.fill("#token-name", "县平台"+vp.name)
		tb.set(map[string]string{"#token-days": "400"})
		if !eval[bool](tb, `document.querySelector("#token-days").validity.rangeOverflow`) {
			t.Errorf("%s: 400 days is not out of the field's range", vp.name)
		}
		tb.set(map[string]string{"#token-days": "30"})
		tb.do("untick read", chromedp.Click(chromedp.CSS(`input[name=scopes][value="read"]`)))
		tb.submit(`#tokens button[type=submit]`)
		tb.wantText("#err-token-scopes", "请至少选择一个权限范围")
		if v := eval[string](tb, `document.querySelector("#token-days").value + "/" + document.querySelector("#token-name").value`); v != "30/县平台"+vp.name {
			t.Errorf("%s: the refused form kept %q", vp.name, v)
		}
		tb.do("tick cases:write", chromedp.Click(chromedp.CSS(`input[name=scopes][value="cases:write"]`)))
		tb.submit(`#tokens button[type=submit]`)
		secret := tb.text("#tokens [data-copy]")
		if !strings.HasPrefix(secret, "jf_") {
			t.Fatalf("%s: the new secret is %q", vp.name, secret)
		}
		tb.wantText("#tokens table", "县平台"+vp.name, "事项：办理")
		if vp == phone {
			tb.fits()
			tb.shot("account-tokens") // both widths
		}

		adm := e.newTab(t, vp)
		adm.login("admin", jftest.Password)
		adm.open("/admin/tokens")
		adm.wantText("main", "recep", "县平台"+vp.name, "撤销")
		if vp == phone {
			adm.fits()
			adm.shot("admin-tokens")
		}
	}
}
