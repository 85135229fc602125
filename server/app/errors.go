package app

import (
	"fmt"

	"github.com/pkg/errors"
)

// Kind classifies a refusal so each door can answer in its own terms (HTTP status,
// ephemeral message) with the same text.
type Kind int

// Kinds of refusal.
const (
	KindInvalid   Kind = iota + 1 // bad input
	KindForbidden                 // known, but not allowed for this user
	KindNotFound                  // unknown, or invisible to this user
	KindConflict                  // the state does not allow it (duplicate, already done)
	KindNotPosted                 // saved, but Mattermost refused the post announcing it
)

// Error is a refusal meant for the user: its message says what is wrong or what is
// required. Anything else is an internal error and is reported generically.
type Error struct {
	Kind    Kind
	Message string
}

func (e *Error) Error() string { return e.Message }

func refuse(kind Kind, format string, args ...any) error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

func invalid(format string, args ...any) error   { return refuse(KindInvalid, format, args...) }
func forbidden(format string, args ...any) error { return refuse(KindForbidden, format, args...) }
func notFound(format string, args ...any) error  { return refuse(KindNotFound, format, args...) }
func conflict(format string, args ...any) error  { return refuse(KindConflict, format, args...) }

// AsError returns the user-facing refusal inside err, if any.
func AsError(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// ErrNotFound is what a Store returns for a missing row.
var ErrNotFound = errors.New("not found")

// ErrDuplicate is what a Store returns when a unique event already exists.
var ErrDuplicate = errors.New("duplicate")

// ErrNotTeamMember is what a Store returns when a list's viewer is not in the team.
var ErrNotTeamMember = errors.New("not a team member")
