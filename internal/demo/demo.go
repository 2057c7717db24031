// Package demo fills a database with Zizhou County's real administrative
// tree, grid cells and one account per role, so a new user sees a working
// centre on first run.
package demo

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"

	"jiefen/internal/division"
	"jiefen/internal/domain"
	"jiefen/internal/service"
	"jiefen/internal/service/identity"
	"jiefen/internal/service/registry"
	"jiefen/internal/store"
)

// ZizhouCSV is the official division list of Zizhou County (13 townships,
// 280 villages and communities), from ../shared/data.
//
//go:embed data/zizhou-divisions.csv
var ZizhouCSV []byte

// HolidaysCSV is the State Council's holiday arrangement for 2025–2026.
//
//go:embed data/cn-holidays.csv
var HolidaysCSV []byte

// CentreJSON is Zizhou's centre: its 6 resident, 8 rotating and 3
// on-demand units with their two lists, the roster, 10 zones and 14
// windows, the mediation organisations and the pool of mediators (from the
// source report, completed where it is silent; see the data README).
//
//go:embed data/zizhou-centre.json
var CentreJSON []byte

// DemoCases is how many matters the demo database holds by default.
const DemoCases = 320

// County is Zizhou's GB/T 2260 code.
const County = "610831"

// Account is a demo login printed for the user.
type Account struct {
	Role, Username, Password, Who string
}

type demoUser struct {
	username, name string
	roles          []domain.Role
	org, who       string
}

var users = []demoUser{
	{"admin", "系统管理员", []domain.Role{domain.RoleAdmin}, County, "系统管理员 · 子洲县"},
	{"anquan", "周安", []domain.Role{domain.RoleSecurityAdmin}, County, "安全管理员 · 子洲县"},
	{"shenji", "吴审", []domain.Role{domain.RoleAuditAdmin}, County, "审计管理员 · 子洲县"},
	{"jiedai", "李秀兰", []domain.Role{domain.RoleReceptionist}, County, "接待员 · 县综治中心"},
	{"zhiban", "王建国", []domain.Role{domain.RoleDispatcher}, County, "指挥中心值班员 · 县综治中心"},
	{"chengban", "张伟", []domain.Role{domain.RoleHandler}, County, "部门承办人 · 县司法局"},
	{"tiaojie", "刘芳", []domain.Role{domain.RoleMediator}, "610831101", "人民调解员 · 何家集镇"},
	{"wangge", "陈志强", []domain.Role{domain.RoleGridWorker}, "610831101200001", "网格员 · 何家集村第一网格"},
	{"shuji", "杨立新", []domain.Role{domain.RoleLeader}, County, "政法委书记 · 子洲县"},
	{"zhenshuji", "赵军", []domain.Role{domain.RoleLeader}, "610831001", "街道书记 · 双湖峪街道"},
	{"zhuren", "孙海燕", []domain.Role{domain.RoleLeader}, County, "综治中心主任 · 子洲县"},
	{"shenhe", "黄敏", []domain.Role{domain.RoleReviewer}, County, "数据审核员 · 县综治中心"},
}

var gridNames = []string{"第一网格", "第二网格", "第三网格"}

// Prepare makes sure the demo data exists (creating it on first run) and
// gives every demo account a fresh random password, returned for printing;
// progress is told each step as it starts.
func Prepare(ctx context.Context, svc *service.Service, cases int, progress func(step string)) ([]Account, error) {
	ctx = domain.WithActor(ctx, domain.OperatorActor())
	progress("行政区划与网格 (the tree and its grid cells)")
	if err := ensureTree(ctx, svc); err != nil {
		return nil, err
	}
	progress("演示账号 (one account per role)")
	var out []Account
	for _, du := range users {
		pw := identity.GeneratePassword()
		u, err := svc.UserByUsername(ctx, du.username)
		switch {
		case domain.ErrorCode(err) == domain.NotFound:
			if _, err = svc.CreateUser(ctx, identity.NewUser{Username: du.username, Name: du.name, Roles: du.roles,
				OrgCode: du.org, Lang: "", Password: pw, NoForcedChange: true}); err != nil {
				return nil, fmt.Errorf("demo user %s: %w", du.username, err)
			}
		case err != nil:
			return nil, err
		default:
			if err := svc.SetDemoPassword(ctx, u.ID, pw); err != nil {
				return nil, err
			}
		}
		out = append(out, Account{Role: domain.JoinRoles(du.roles), Username: du.username, Password: pw, Who: du.who})
	}
	progress("中心与调解力量 (the centre's units, roster and mediators)")
	if err := ensureCentre(ctx, svc); err != nil {
		return nil, err
	}
	progress(fmt.Sprintf("演示事项 (up to %d matters in every state)", cases))
	if err := seedCases(ctx, svc, cases); err != nil {
		return nil, err
	}
	return out, nil
}

// ensureCentre records Zizhou's units, roster, windows and mediators when
// there are none, makes the demo handler one of the justice bureau's
// handlers and puts the demo mediator into the pool.
func ensureCentre(ctx context.Context, svc *service.Service) error {
	// Who leads red, yellow and blue matters (三色分级牵头).
	for _, p := range [][3]string{{"plc_secretary", County, "shuji"}, {"centre_director", County, "zhuren"}, {"township_secretary", "610831001", "zhenshuji"}} {
		if err := svc.SetPost(ctx, p[0], p[1], p[2]); err != nil {
			return fmt.Errorf("demo post %s: %w", p[0], err)
		}
	}
	reg, err := svc.Centre(ctx)
	if err != nil {
		return err
	}
	if len(reg.Units) > 0 {
		return nil
	}
	var setup registry.CentreSetup
	if err := json.Unmarshal(CentreJSON, &setup); err != nil {
		return fmt.Errorf("demo centre: %w", err)
	}
	if _, err := svc.ImportCentre(ctx, setup, 8); err != nil {
		return fmt.Errorf("demo centre: %w", err)
	}
	if err := svc.AssignToUnit(ctx, "chengban", "justice"); err != nil {
		return err
	}
	return svc.LinkMediator(ctx, &domain.Mediator{Name: "刘芳", Kind: "people_mediator", OrgCode: "pc_hejiaji", Title: "何家集镇人民调解委员会调解员",
		Specialties: []string{"neighbour", "land", "marriage", "damage"}, Townships: []string{"610831101"}, Active: true}, "tiaojie")
}

// ensureTree imports Zizhou's divisions and creates three grid cells per
// village when the tree is empty.
func ensureTree(ctx context.Context, svc *service.Service) error {
	counts, err := svc.OrgCounts(ctx, "/"+County+"/")
	if err != nil {
		return err
	}
	if counts[domain.LevelVillage] == 0 {
		nodes, err := division.ReadCSV(bytes.NewReader(ZizhouCSV), "zizhou-divisions.csv", County)
		if err != nil {
			return err
		}
		if _, err := svc.ImportDivisions(ctx, nodes, County, "子洲县"); err != nil {
			return err
		}
	}
	if counts[domain.LevelGrid] > 0 {
		return nil
	}
	st := svc.Store()
	villages, err := zizhouVillages(ctx, st)
	if err != nil {
		return err
	}
	for _, v := range villages {
		for _, g := range gridNames {
			if _, err := svc.CreateGridCell(ctx, v.Code, g); err != nil {
				return fmt.Errorf("demo grid under %s: %w", v.Code, err)
			}
		}
	}
	return nil
}

// zizhouVillages lists the county's villages and communities.
func zizhouVillages(ctx context.Context, st *store.Store) ([]domain.Org, error) {
	var villages []domain.Org
	err := st.View(ctx, func(tx *store.Tx) error {
		all, err := tx.OrgsByPrefix(ctx, "/"+County+"/", 10000)
		for _, o := range all {
			if o.Level == domain.LevelVillage {
				villages = append(villages, o)
			}
		}
		return err
	})
	return villages, err
}
