package casework

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"jiefen/internal/app"
	"jiefen/internal/domain"
	"jiefen/internal/service/identity"
	"jiefen/internal/store"
)

// MaxAttachment is the largest file a matter accepts.
const MaxAttachment = 10 << 20

// AttachmentKinds are what a file on a matter is.
var AttachmentKinds = []string{"agreement", "evidence", "other"}

// SetFilesDir sets where attachments are stored (beside the database by default).
func (s *Service) SetFilesDir(dir string) { s.filesDir = dir }

// sniff accepts PDF, JPEG and PNG by their first bytes (not the file name).
func sniff(head []byte) (mime, ext string, ok bool) {
	switch {
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return "application/pdf", ".pdf", true
	case bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF}):
		return "image/jpeg", ".jpg", true
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png", ".png", true
	}
	return "", "", false
}

// Attach stores a file on a matter (the assignee, the dispatcher and the
// receptionist of its jurisdiction). The file is written under a generated
// name, then recorded; if recording fails the file is removed, so nothing is
// left half-saved. Type is checked by content (PDF, JPEG, PNG), size ≤ 10 MiB.
func (s *Service) Attach(ctx context.Context, caseID int64, kind, name string, r io.Reader) (*domain.Attachment, error) {
	a := domain.ActorFrom(ctx).User
	if !slices.Contains(AttachmentKinds, kind) {
		return nil, app.Required("kind", "attachment.kind")
	}
	name = strings.TrimSpace(filepath.Base(strings.ReplaceAll(name, "\\", "/")))
	if name == "" || name == "." || !utf8.ValidString(name) || utf8.RuneCountInString(name) > 120 {
		name = "file"
	}
	c, err := s.Case(ctx, caseID)
	if err != nil {
		return nil, err
	}
	if err := s.mayAct(ctx, a, c, specs["note"]); err != nil {
		return nil, s.Denied(ctx, err)
	}
	if s.filesDir == "" {
		return nil, fmt.Errorf("service: no attachment directory configured")
	}
	head := make([]byte, 8)
	n, _ := io.ReadFull(r, head)
	mime, ext, ok := sniff(head[:n])
	if !ok {
		return nil, app.Required("file", "attachment.type")
	}
	if err := os.MkdirAll(s.filesDir, 0o750); err != nil {
		return nil, &domain.Error{Code: domain.Unavailable, Key: "attachment.storage", Err: err}
	}
	stored := identity.RandomToken(18) + ext
	path := filepath.Join(s.filesDir, stored)
	f, err := os.OpenFile(path+".part", os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, &domain.Error{Code: domain.Unavailable, Key: "attachment.storage", Err: err}
	}
	h := sha256.New()
	size, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(io.MultiReader(bytes.NewReader(head[:n]), r), MaxAttachment+1))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	cleanup := func() { os.Remove(path + ".part"); os.Remove(path) }
	if err != nil {
		cleanup()
		if strings.Contains(err.Error(), "request body too large") {
			return nil, app.Required("file", "attachment.too_large")
		}
		return nil, &domain.Error{Code: domain.Unavailable, Key: "attachment.storage", Err: err}
	}
	if size > MaxAttachment {
		cleanup()
		return nil, app.Required("file", "attachment.too_large")
	}
	if err := os.Rename(path+".part", path); err != nil {
		cleanup()
		return nil, &domain.Error{Code: domain.Unavailable, Key: "attachment.storage", Err: err}
	}
	att := &domain.Attachment{CaseID: c.ID, Kind: kind, Name: name, StoredName: stored, MIME: mime, Size: size,
		SHA256: hex.EncodeToString(h.Sum(nil)), UploadedBy: a.ID}
	err = s.Update(ctx, func(tx *store.Tx) error {
		if err := tx.AddAttachment(ctx, att); err != nil {
			return err
		}
		ev := &domain.TimelineEntry{ActorID: a.ID, ActorName: a.Name, Action: "attach", FromStatus: c.Status, ToStatus: c.Status,
			Data: map[string]string{"kind": kind, "name": name, "sha256": att.SHA256[:16]}}
		if err := tx.AddEvent(ctx, c.ID, ev); err != nil {
			return err
		}
		return s.Kernel.Audit(ctx, tx, "case.attach", "case", c.Number, c.OrgPath, domain.ResultOK, fmt.Sprintf("%s %s %d bytes sha256=%s", kind, name, size, att.SHA256))
	})
	if err != nil {
		cleanup()
		return nil, err
	}
	return att, nil
}

// Attachments lists a matter's files (anyone who may see the matter).
func (s *Service) Attachments(ctx context.Context, caseID int64) ([]domain.Attachment, error) {
	if _, err := s.Case(ctx, caseID); err != nil {
		return nil, err
	}
	var out []domain.Attachment
	err := s.View(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.Attachments(ctx, caseID)
		return err
	})
	return out, err
}

// OpenAttachment opens a file for download; the download is audited (scans
// carry personal data) and its checksum verified.
func (s *Service) OpenAttachment(ctx context.Context, caseID, attID int64) (*domain.Attachment, []byte, error) {
	c, err := s.Case(ctx, caseID)
	if err != nil {
		return nil, nil, err
	}
	atts, err := s.Attachments(ctx, caseID)
	if err != nil {
		return nil, nil, err
	}
	i := slices.IndexFunc(atts, func(a domain.Attachment) bool { return a.ID == attID })
	if i < 0 {
		return nil, nil, domain.ErrNotFound
	}
	a := atts[i]
	b, err := os.ReadFile(filepath.Join(s.filesDir, a.StoredName))
	if err != nil {
		return nil, nil, &domain.Error{Code: domain.Unavailable, Key: "attachment.storage", Err: err}
	}
	if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != a.SHA256 {
		s.Logger().Error("attachment checksum mismatch", "case", c.Number, "attachment", a.ID)
		return nil, nil, &domain.Error{Code: domain.Conflict, Key: "attachment.corrupt"}
	}
	if err := s.id.Audit(ctx, "case.attachment.download", "case", fmt.Sprintf("%s/%d", c.Number, a.ID), c.OrgPath, a.Name); err != nil {
		return nil, nil, err
	}
	return &a, b, nil
}

// MayAttach reports whether the actor may add files to c.
func (s *Service) MayAttach(ctx context.Context, c *domain.Case) bool {
	return s.mayAct(ctx, domain.ActorFrom(ctx).User, c, specs["note"]) == nil
}
