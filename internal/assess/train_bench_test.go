package assess

import "testing"

// BenchmarkTrain5000 is what a server does hourly: train on the newest
// 5,000 assessed matters (here the tuning rows, repeated).
func BenchmarkTrain5000(b *testing.B) {
	var rows []row
	for _, f := range []string{"tune.csv", "tune2.csv", "tune3.csv", "tune4.csv", "tune5.csv"} {
		rows = append(rows, readSet(b, f)...)
	}
	var ds []Doc
	for len(ds) < 5000 {
		ds = append(ds, docs(rows)...)
	}
	ds = ds[:5000]
	for b.Loop() {
		Train(Default(), ds)
	}
}
