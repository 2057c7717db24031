package jftest

import (
	"encoding/json"
	"testing"

	"jiefen/internal/demo"
	"jiefen/internal/service"
	"jiefen/internal/service/registry"
)

// DemoCentre imports Zizhou's real centre set-up (units, roster for the
// given weeks, zones, windows, mediation organisations, mediators), as the
// demo does.
func DemoCentre(t testing.TB, svc *service.Service, weeks int) {
	t.Helper()
	var setup registry.CentreSetup
	if err := json.Unmarshal(demo.CentreJSON, &setup); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ImportCentre(CLI(), setup, weeks); err != nil {
		t.Fatal(err)
	}
}
