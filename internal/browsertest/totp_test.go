package browsertest_test

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
	"jiefen/internal/service"
	"jiefen/internal/service/identity"
)

// A mediator (whose role sees personal data) signs in on a phone and is
// taken to the enrolment of a second factor; the QR code shows, the seed
// is read off the page as a person types it into the app, a code computed
// from it confirms, ten recovery codes show; the next sign-in asks for a
// code on its second step, refuses a wrong one and accepts a current one,
// and "don't ask again" lets the browser straight in the time after.
func TestTwoFactorEnrolAndSignIn(t *testing.T) {
	t.Parallel()
	p := jftest.FastPolicy()
	p.SecondFactor, p.DeviceTrust = identity.SecondFactorRoles, 7*24*time.Hour
	e := newEnvPolicy(t, p, func(svc *service.Service) { jftest.SeedTree(t, svc) })
	var skew atomic.Int64 // the server's clock runs ahead by this, so a later code is current
	e.svc.Store().SetClock(func() time.Time { return time.Now().Add(time.Duration(skew.Load())) })
	jftest.MakeUser(t, e.svc, "med1", "610831101", domain.RoleMediator)
	tb := e.newTab(t, phone)

	tb.login("med1", jftest.Password)
	tb.wantPath("/account/2fa")
	tb.wantText(".flash", "请先启用双因素认证")
	tb.wantText(".notice", "须先启用双因素认证")
	tb.wantText("main aside", "身份验证器", "TOTP")
	tb.shot("2fa-forced")
	tb.open("/cases")
	tb.wantPath("/account/2fa") // nothing else opens

	tb.submit(`form[action="/account/2fa/start"] button[type=submit]`)
	tb.wantPath("/account/2fa")
	tb.wantText(".enrol", "扫描下面的二维码", "输入密钥", "6 位动态验证码")
	if w := eval[int](tb, `document.querySelector(".qr img").naturalWidth`); w < 200 {
		t.Fatalf("the QR code did not load (%d px wide)", w)
	}
	if got := eval[string](tb, `document.getElementById("code").getAttribute("autocomplete")+" "+document.getElementById("code").inputMode`); got != "one-time-code numeric" {
		t.Errorf("the code field: %q", got)
	}
	tb.fits()
	tb.shot("2fa-enrol")
	secret := strings.ReplaceAll(tb.text(".totp-secret"), " ", "")
	tb.fill("#code", jftest.TOTPCode(t, secret, e.svc.Store().Now()))
	tb.submit(`form[action="/account/2fa/confirm"] button[type=submit]`)
	tb.wantText("#recovery-codes", "恢复码", "只显示这一次")
	if n := eval[int](tb, `document.querySelectorAll("#recovery-codes ol li").length`); n != 10 {
		t.Fatalf("%d recovery codes shown, want 10", n)
	}
	tb.fits()
	tb.shot("2fa-codes")
	tb.submit(`#recovery-codes a.btn-primary`)
	tb.wantPath("/")
	tb.wantText("main h1", "测试med1，您好")
	tb.open("/account/2fa")
	tb.wantText("main", "已启用", "剩余恢复码", "更换手机或身份验证器")
	tb.noText("main", "关闭双因素认证") // required of a mediator: it cannot be turned off
	tb.shot("2fa-enrolled")
	tb.logout()

	skew.Store(int64(time.Minute)) // the confirming code is used up; a minute on, another is current
	tb.login("med1", jftest.Password)
	tb.wantPath("/login/2fa")
	tb.wantText(".login-card", "双因素认证", "med1", "动态验证码", "7 天内不再询问", "使用恢复码")
	if got := eval[string](tb, `document.activeElement.id`); got != "code" {
		t.Errorf("the focus is on %q, want the code field", got)
	}
	tb.fits()
	tb.shot("2fa-login")
	tb.fill("#code", "000000")
	tb.submit(`form[action="/login/2fa"] button.btn-primary`)
	tb.wantPath("/login/2fa")
	tb.wantText("#err-code", "验证码不正确")
	tb.shot("2fa-login-wrong")
	tb.fill("#code", jftest.TOTPCode(t, secret, e.svc.Store().Now()))
	tb.do("tick trust", chromedp.Click(chromedp.CSS(`input[name=trust]`)))
	tb.submit(`form[action="/login/2fa"] button.btn-primary`)
	tb.wantPath("/")
	tb.wantText("main h1", "测试med1，您好")

	tb.logout()
	tb.login("med1", jftest.Password)
	tb.wantPath("/") // a trusted browser is not asked again within the period
}

// The second factor's pages pass axe-core at both widths: the forced
// enrolment, its QR code and seed, the recovery codes, and the sign-in's
// second step, also with a wrong code's message.
func TestTwoFactorAccessibility(t *testing.T) {
	t.Parallel()
	src := axeSource(t)
	p := jftest.FastPolicy()
	p.SecondFactor, p.DeviceTrust = identity.SecondFactorRoles, 7*24*time.Hour
	e := newEnvPolicy(t, p, func(svc *service.Service) { jftest.SeedTree(t, svc) })
	var skew atomic.Int64
	e.svc.Store().SetClock(func() time.Time { return time.Now().Add(time.Duration(skew.Load())) })
	log := &axeLog{impacts: axeImpacts()}
	tb := axeTab(t, e, src)
	for i, vp := range []viewport{desktop, phone} {
		tb.vp = vp
		tb.do("viewport", vp.action())
		name := "med" + vp.name
		jftest.MakeUser(t, e.svc, name, "610831101", domain.RoleMediator)
		tb.login(name, jftest.Password)
		tb.wantPath("/account/2fa")
		log.check(tb, "/account/2fa (forced)")
		tb.submit(`form[action="/account/2fa/start"] button[type=submit]`)
		log.check(tb, "/account/2fa (enrol)")
		secret := strings.ReplaceAll(tb.text(".totp-secret"), " ", "")
		tb.fill("#code", jftest.TOTPCode(t, secret, e.svc.Store().Now()))
		tb.submit(`form[action="/account/2fa/confirm"] button[type=submit]`)
		tb.wantText("#recovery-codes", "恢复码")
		log.check(tb, "/account/2fa (recovery codes)")
		tb.open("/account/2fa")
		log.check(tb, "/account/2fa (enrolled)")
		tb.logout()
		skew.Store(int64(time.Duration(i+1) * time.Minute))
		tb.login(name, jftest.Password)
		tb.wantPath("/login/2fa")
		log.check(tb, "/login/2fa")
		tb.fill("#code", "000000")
		tb.submit(`form[action="/login/2fa"] button.btn-primary`)
		tb.wantText("#err-code", "验证码不正确")
		log.check(tb, "/login/2fa (wrong code)")
		tb.clearCookies()
	}
	if len(log.findings) > 0 {
		t.Errorf("axe-core found %d %s problems over %d page checks:\n%s", len(log.findings), strings.Join(log.impacts, " or "), log.checks, log.report())
	}
}
