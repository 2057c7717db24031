package demo

import (
	"context"
	"fmt"
	"jiefen/internal/assess"
	"jiefen/internal/service/casework"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"jiefen/internal/domain"
	"jiefen/internal/service"
	"jiefen/internal/store"
)

// story is a realistic matter of one category: %s are filled with the
// parties' names and a place.
type story struct {
	category, text string
	amount         float64
	people         int
}

var stories = []story{
	{"land_contract", "%s与%s因承包地边界发生争执，%s称对方在翻地时多占了两垄地，双方多次争吵，请求村委会重新勘界。", 0, 6},
	{"homestead", "%s与邻居%s因宅基地界线及新建院墙位置发生纠纷，%s认为院墙占用了自家通道。", 0, 5},
	{"forest", "%s与%s对村集体分包的山林权属存在争议，双方均持有早年林权证，%s砍伐林木引发冲突。", 30000, 4},
	{"wage_arrears", "%s等务工人员在%s承包的工地干活三个月，被拖欠工资共计%s元，多次讨要未果，情绪激动。", 86000, 12},
	{"labour_contract", "%s在%s经营的砖厂工作两年，未签订劳动合同，被辞退后要求支付经济补偿，%s拒绝。", 24000, 2},
	{"work_injury", "%s在%s的养殖场务工时摔伤，住院花费医疗费，双方就工伤赔偿数额协商不成。", 52000, 2},
	{"marriage", "%s与丈夫%s因家庭琐事长期不和，%s提出离婚并要求分割共同财产和孩子抚养权。", 0, 3},
	{"neighbour", "%s家在房后修建排水沟，雨天积水流入%s家院子，双方多次争吵，%s扬言要堵死水沟。", 0, 4},
	{"medical", "%s在县医院做手术后出现感染，家属%s认为医院存在过错，要求赔偿并多次到医院讨说法。", 120000, 5},
	{"property_mgmt", "%s所在小区物业公司长期未维修电梯，%s等业主拒交物业费，物业公司停水施压。", 0, 30},
	{"traffic", "%s驾驶农用三轮车与%s的摩托车相撞，%s腿部骨折，双方就医疗费和误工费赔偿发生争议。", 45000, 2},
	{"consumer", "%s在镇上农资店购买的玉米种子出苗率不足三成，要求经营者%s赔偿损失，%s拒绝承担责任。", 18000, 8},
	{"loan", "%s三年前借给同村%s现金，约定一年内归还，至今未还，%s称已部分还款，双方各执一词。", 50000, 2},
	{"expropriation", "%s家承包地被征用修建公路，%s对青苗补偿标准有异议，认为与邻村标准不一致，%s组织部分村民上访。", 200000, 23},
	{"campus", "%s的孩子在学校课间与同学打闹受伤，家长%s要求学校和对方家长%s承担医疗费用。", 8000, 4},
	{"environment", "%s所在村附近的洗煤厂粉尘污染严重，%s等村民反映庄稼受损、咳嗽，要求企业%s停产整改并赔偿。", 60000, 40},
	{"village_affairs", "%s对村集体经济合作社分红账目有疑问，%s等股民认为分红迟迟不发放，要求公开账目，村委会主任%s未予答复。", 0, 60},
	{"inheritance", "%s的父亲去世后留下窑洞三孔，%s与兄长%s就遗产分割发生争执，互不相让。", 0, 3},
}

var surnames = []rune("王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
var givens = []string{"建军", "秀兰", "保国", "桂英", "志强", "海燕", "军", "丽", "红梅", "明", "小龙", "玉兰", "国庆", "文华", "春花", "永平", "卫东", "淑珍", "建平", "兰英", "耀祖", "翠萍", "德胜", "爱军", "俊", "思远", "晓东", "芳", "振华", "金凤"}

func name(r *rand.Rand) string {
	return string(surnames[r.IntN(len(surnames))]) + givens[r.IntN(len(givens))]
}

// idNumber makes a checksum-valid synthetic resident ID of Zizhou (test data only).
func idNumber(r *rand.Rand) string {
	birth := time.Date(1950+r.IntN(55), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)
	body := fmt.Sprintf("610831%s%03d", birth.Format("20060102"), r.IntN(1000))
	w := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, c := range body {
		sum += int(c-'0') * w[i]
	}
	return body + string("10X98765432"[sum%11])
}

// seedCases registers n matters across Zizhou and walks each one through the
// workflow to a spread of states, with creation dates over the last months,
// so every page has something true to show. It runs once per database.
func seedCases(ctx context.Context, svc *service.Service, n int) error {
	st := svc.Store()
	var existing int
	if err := st.View(ctx, func(tx *store.Tx) error {
		cs, err := tx.Cases(ctx, domain.CaseFilter{Path: "/", Limit: 1})
		existing = len(cs)
		return err
	}); err != nil || existing > 0 {
		return err
	}
	villages, err := zizhouVillages(ctx, st)
	if err != nil {
		return err
	}
	users := map[string]*domain.User{}
	for _, u := range []string{"jiedai", "zhiban", "chengban", "tiaojie", "shuji", "wangge"} {
		du, err := svc.UserByUsername(ctx, u)
		if err != nil {
			return err
		}
		users[u] = du
	}
	as := func(u string) context.Context {
		return domain.WithActor(ctx, &domain.Actor{User: users[u], IP: "demo", Via: "demo"})
	}
	r := rand.New(rand.NewPCG(610831, 2026))
	realNow := time.Now()
	svc.SetNotifier(nil) // the demo's history is not news: inbox only, no outbound log lines
	defer svc.SetNotifier(casework.LogNotifier{Log: svc.Logger()})
	defer st.SetClock(time.Now)
	// Registration times over the last five months, in order, so numbers
	// rise with time as they would in a real centre.
	starts := make([]time.Time, n)
	for i := range starts {
		starts[i] = realNow.Add(-time.Duration(r.IntN(150*24)) * time.Hour)
	}
	slices.SortFunc(starts, func(a, b time.Time) int { return a.Compare(b) })
	graded := assess.New(assess.Default(), nil)
	for i := range n {
		w := &demoWalk{svc: svc, st: st, as: as, r: r, realNow: realNow, clock: starts[i], township: users["tiaojie"].OrgPath,
			grid: users["wangge"].OrgPath}
		w.st.SetClock(func() time.Time { return w.clock })
		if err := w.register(graded, villages, i); err != nil {
			return err
		}
		if w.c.Status != domain.StatusRegistered {
			continue
		}
		w.handle()
		w.resolve()
		w.finish()
		if w.err != nil {
			return fmt.Errorf("demo matter %s: %w", w.c.Number, w.err)
		}
	}
	return nil
}

// demoWalk walks one demo matter through the workflow under a moving
// clock; it stops at the first error, or where the next step would lie in
// the future.
type demoWalk struct {
	svc      *service.Service
	st       *store.Store
	as       func(string) context.Context
	r        *rand.Rand
	realNow  time.Time
	clock    time.Time
	stopped  bool   // a matter registered lately has not got far yet: no events in the future
	err      error  // the first action that failed
	township string // the township mediator's jurisdiction
	grid     string // the demo grid worker's

	c        *domain.Case
	v        domain.Org
	a, b     string // the applicant's and the respondent's names
	depth    int
	risk     string
	assignee string
}

// step moves the clock on by h hours, unless that reaches the present.
func (w *demoWalk) step(h int) {
	if next := w.clock.Add(time.Duration(h) * time.Hour); next.After(w.realNow.Add(-time.Hour)) {
		w.stopped = true
	} else {
		w.clock = next
		w.st.SetClock(func() time.Time { return w.clock })
	}
}

// do acts on the matter as u, unless the walk has stopped or failed.
func (w *demoWalk) do(u, action string, in casework.ActionInput) bool {
	if w.err == nil && !w.stopped {
		_, w.err = w.svc.Act(w.as(u), w.c.ID, action, in)
	}
	return w.err == nil
}

// register registers demo matter i (every fortieth out of remit), and
// draws how far it will get, its colour and its handler.
func (w *demoWalk) register(graded *assess.Engine, villages []domain.Org, i int) error {
	r := w.r
	s := stories[r.IntN(len(stories))]
	v := villages[r.IntN(len(villages))]
	a, b := name(r), name(r)
	desc := fmt.Sprintf(s.text, a, b, a)
	if strings.Count(s.text, "%s") == 3 && strings.Contains(s.text, "共计%s元") {
		desc = fmt.Sprintf(s.text, a, b, fmt.Sprint(int(s.amount)))
	}
	in := domain.CaseInput{Channel: demoChannels[r.IntN(len(demoChannels))], Category: s.category, Description: desc, OrgCode: v.Code,
		Address: v.Name + fmt.Sprintf("%d组", 1+r.IntN(6)), AmountYuan: s.amount * (0.5 + r.Float64()), PeopleCount: s.people,
		Parties: []domain.Party{
			{Role: "applicant", Name: a, IDNumber: idNumber(r), Phone: fmt.Sprintf("13%d%08d", 5+r.IntN(5), r.IntN(100000000)), Address: v.Name},
			{Role: "respondent", Name: b, IDType: "none", Phone: fmt.Sprintf("15%d%08d", r.IntN(10), r.IntN(100000000))},
		}}
	registrar := "jiedai"
	if in.Channel == "grid" {
		registrar = "zhiban"
	}
	if i%40 == 39 {
		in.ReferredTo = []string{"子洲县人民法院", "子洲县劳动人事争议仲裁委员会", "子洲县市场监督管理局"}[r.IntN(3)]
	}
	c, err := w.svc.RegisterCase(w.as(registrar), in)
	if err != nil {
		return fmt.Errorf("demo matter %d: %w", i, err)
	}
	w.c, w.v, w.a, w.b = c, v, a, b
	if c.Status != domain.StatusRegistered {
		return nil
	}
	// How far this matter has come: most are finished, some in hand, a few new.
	w.depth = []int{0, 1, 2, 3, 4, 4, 5, 5, 6, 6, 6, 7, 7, 7, 7, 8, 8, 8, 8, 8}[r.IntN(20)]
	// The dispatcher mostly follows the rules' colour and now and then
	// grades one step higher on what the rules cannot see.
	w.risk = graded.Risk(assess.RiskInput{Text: desc, PeopleCount: in.PeopleCount, AmountYuan: in.AmountYuan}).Color
	if up := map[string]string{"none": "blue", "blue": "yellow", "yellow": "red"}[w.risk]; up != "" && r.IntN(6) == 0 {
		w.risk = up
	}
	w.assignee = "chengban" // the county justice bureau's handler takes matters anywhere
	if strings.HasPrefix(v.Path, w.township) && r.IntN(2) == 0 {
		w.assignee = "tiaojie" // the township mediator takes those of 何家集镇
	}
	return nil
}

// demoChannels are the channels demo matters come by, as often as they do.
var demoChannels = []string{"visit", "visit", "visit", "phone", "grid", "letter", "online", "hotline", "transfer"}

// handle assesses, dispatches (now and then returned and dispatched
// again), and signs for the matter, with a first progress note.
func (w *demoWalk) handle() {
	r, depth, assignee := w.r, w.depth, w.assignee
	if depth >= 1 {
		w.step(2 + r.IntN(20))
		w.do("zhiban", "assess", casework.ActionInput{Risk: w.risk, Note: "经分析研判，" + map[string]string{"red": "涉及人数多、情绪激烈，存在激化风险。", "yellow": "矛盾较突出，需乡镇牵头化解。", "blue": "需中心跟踪督促。", "none": "属一般性纠纷。"}[w.risk]})
	}
	if depth >= 2 {
		w.step(1 + r.IntN(10))
		w.do("zhiban", "dispatch", casework.ActionInput{Assignee: assignee})
		if r.IntN(8) == 0 {
			w.step(3)
			w.do(assignee, "return", casework.ActionInput{Reason: "该事项涉及行政执法，不属本单位职责，请重新交办。"})
			w.step(2)
			w.do("zhiban", "dispatch", casework.ActionInput{Assignee: assignee})
		}
	}
	if depth >= 3 {
		w.step(1 + r.IntN(20))
		w.do(assignee, "sign", casework.ActionInput{})
		w.step(24 + r.IntN(48))
		w.do(assignee, "progress", casework.ActionInput{Note: "已分别约谈双方当事人，了解诉求，" + []string{"约定现场调解时间。", "组织双方到现场勘查。", "邀请村干部和乡贤参与调解。"}[r.IntN(3)]})
	}
}

// resolve works the matter in hand: joint handling, supervision of a red
// matter, a mediation session, the six-point plan.
func (w *demoWalk) resolve() {
	r, depth, assignee, v := w.r, w.depth, w.assignee, w.v
	if depth >= 3 && assignee == "chengban" && strings.HasPrefix(v.Path, w.township) && r.IntN(3) == 0 {
		// Joint handling: the county bureau leads, the township mediator
		// works the parties on the spot.
		w.step(4)
		w.do(assignee, "cohandle", casework.ActionInput{Assignee: "tiaojie", Note: "协助入户做双方当事人工作，参加现场调解。"})
		w.step(30)
		w.do("tiaojie", "progress", casework.ActionInput{Note: "已入户走访双方当事人，双方同意坐下来协商。"})
	}
	if depth >= 3 && w.risk == "red" {
		// The county secretary supervises red matters and the handler answers.
		w.step(24)
		w.do("shuji", "supervise", casework.ActionInput{Note: "红色风险事项，请每日报告化解进展，防止矛盾激化。", Due: w.clock.Add(72 * time.Hour)})
		if depth >= 4 {
			w.step(20)
			w.do(assignee, "reply", casework.ActionInput{Note: "已会同村委会做双方工作，情绪基本稳定，正在制定调解方案。"})
		}
	}
	if depth >= 3 && depth < 5 && r.IntN(6) == 0 {
		w.step(6)
		w.do(assignee, "session", casework.ActionInput{Date: w.clock, Place: v.Name, Participants: w.a + "、" + w.b + "、村调委会主任", Note: "双方陈述争议事实，调解员释法说理，约定再次协商。"})
	}
	if depth >= 4 {
		w.step(24 + r.IntN(72))
		town := strings.Split(strings.Trim(v.Path, "/"), "/")[1]
		w.do(assignee, "six", casework.ActionInput{Six: &domain.Six{LeadLeader: map[string]string{"red": "杨立新（政法委书记）", "yellow": "乡镇党委书记", "blue": "中心主任"}[w.risk] + map[bool]string{true: "调解员刘芳", false: ""}[w.risk == "none"],
			MediationOrg: "子洲县" + town + "人民调解委员会", DockingUnit: "县司法局", Plan: "查明事实，依法依规提出调解方案，分头做双方工作。",
			Schedule: "第1周：走访核实；第2周：组织调解；第3周：协议履行回访。", GuidanceAdviser: "县法律援助中心律师",
			GuidanceText: "释明相关法律规定及诉讼风险，引导当事人理性维权。"}})
	}
}

// finish closes the matter, informs the parties, visits and archives.
func (w *demoWalk) finish() {
	r, depth, assignee := w.r, w.depth, w.assignee
	if depth >= 5 {
		w.step(48 + r.IntN(200))
		if r.IntN(12) == 0 {
			w.do(assignee, "close", casework.ActionInput{Outcome: "unresolved", Guidance: "litigation", Note: "双方分歧较大，已引导当事人依法向人民法院起诉。"})
		} else {
			w.do(assignee, "close", casework.ActionInput{Outcome: "resolved", Note: "经调解，双方自愿达成调解协议，当场履行。"})
		}
	}
	if depth >= 6 {
		w.step(4 + r.IntN(48))
		w.do(assignee, "inform", casework.ActionInput{Method: demoInformMethods[r.IntN(len(demoInformMethods))]})
	}
	if depth >= 7 {
		w.step(24 + r.IntN(120))
		sat := []string{"satisfied", "satisfied", "satisfied", "basically_satisfied", "unsatisfied"}[r.IntN(5)]
		note := ""
		if sat == "unsatisfied" {
			note = "当事人反映对方未按协议履行。"
		}
		w.do("jiedai", "visit", casework.ActionInput{Satisfaction: sat, Note: note})
		if depth >= 8 && sat != "unsatisfied" {
			w.step(24)
			w.do("zhiban", "archive", casework.ActionInput{})
		}
	}
	if depth >= 5 && strings.HasPrefix(w.grid, w.v.Path) {
		// The closed matters of the demo grid worker's village go under
		// their watch (网格管控) with a visit every two weeks, so their
		// home has work to show: the visits done, the next ones to come.
		w.step(24)
		w.do("zhiban", "watch", casework.ActionInput{Assignee: "wangge", Days: 14})
		for w.err == nil && !w.stopped {
			w.step(13 * 24)
			w.do("wangge", "checkin", casework.ActionInput{Note: "走访双方当事人，情绪稳定，未发现新的矛盾。"})
		}
	}
}

// demoInformMethods are how demo parties are told the result, as often as
// they are (domain.InformMethods).
var demoInformMethods = []string{"phone", "phone", "phone", "in_person", "in_person", "written", "sms", "wechat"}
