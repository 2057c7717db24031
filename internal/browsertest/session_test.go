package browsertest_test

import (
	"testing"

	"jiefen/internal/domain"
	"jiefen/internal/jftest"
)

// loopback is where both windows sign in from.
const loopback = "127.0.0.1"

// Issue 13, point 9: two windows on one account. Signing in on the second
// ends the first (one session per account, SS-5), and the first window's
// next page says why, once; in English too.
func TestSignedInElsewhere(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	first, second := e.newTab(t, desktop), e.newTab(t, desktop)
	jftest.MakeUser(t, e.svc, "disp1", "610831101", domain.RoleDispatcher)

	first.login("disp1", jftest.Password)
	first.wantPath("/")
	second.login("disp1", jftest.Password)
	second.wantPath("/")

	first.open("/cases")
	first.wantPath("/login")
	first.wantText("#session-ended", "您已在其他地方登录，本处已退出。", "在 "+loopback+" 登录", "若不是您本人操作，请立即修改密码并联系管理员。")
	first.noText("body", "测试disp1")
	first.shot("login-signed-in-elsewhere")
	first.open("/login") // said once
	first.noText("body", "本处已退出")

	// The second window, in English, is replaced in its turn.
	second.open("/?lang=en")
	first.login("disp1", jftest.Password)
	first.wantPath("/")
	second.open("/")
	second.wantPath("/login")
	second.wantText("#session-ended", "You signed in somewhere else, so you were signed out here.", "from "+loopback)
}
