package store_test

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"jiefen/internal/domain"
	"jiefen/internal/store"
)

// Issue 14, point 9: the SQLite file and the -wal and -shm that SQLite
// makes beside it are for the server's account only (0600), whatever the
// umask; a database left readable by others is closed to them when it is
// opened.
func TestSQLiteFilesPrivate(t *testing.T) {
	old := syscall.Umask(0o022) // the usual default, under which SQLite made 0644
	defer syscall.Umask(old)
	dir := filepath.Join(t.TempDir(), "data")
	path := filepath.Join(dir, "jiefen.db")
	st, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := st.Update(context.Background(), func(tx *store.Tx) error {
		_, err := tx.UpsertOrg(context.Background(), domain.Org{Code: "610831", Name: "子洲县", Path: "/610831/"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, %v; want 0600", filepath.Base(p), modeOf(fi), err)
		}
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm()&0o007 != 0 {
		t.Errorf("the database's folder: %v, %v; want no access for others", modeOf(fi), err)
	}
	st.Close()

	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	st, err = store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("a 0644 database reopened: %v, %v; want 0600", modeOf(fi), err)
	}
}

func modeOf(fi os.FileInfo) any {
	if fi == nil {
		return nil
	}
	return fi.Mode().Perm()
}
