package app

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/pkg/errors"
)

// userDiscipline is a person's discipline in force, with its source.
func (s *Service) userDiscipline(ctx context.Context, userID string) (UserDiscipline, error) {
	ud, err := s.store.DisciplineOf(ctx, userID)
	return ud, errors.Wrap(err, "get discipline")
}

// disciplineOf is a user's discipline in force, whatever its source: what starting,
// auto-invites and briefings go by.
func (s *Service) disciplineOf(ctx context.Context, u *model.User) (Discipline, error) {
	ud, err := s.userDiscipline(ctx, u.Id)
	return ud.Discipline, err
}

// viewerDiscipline is the discipline of a user read with their facts.
func (s *Service) viewerDiscipline(v *Viewer) UserDiscipline {
	return NewUserDiscipline(v.Discipline, v.DisciplineSource, "", 0)
}

// actorDiscipline reads the acting user and their discipline.
func (s *Service) actorDiscipline(ctx context.Context, actorID string) (*model.User, UserDiscipline, error) {
	actor, err := s.mm.GetUser(actorID)
	if err != nil {
		return nil, UserDiscipline{}, errors.Wrap(err, "get actor")
	}
	ud, err := s.userDiscipline(ctx, actorID)
	return actor, ud, err
}

// DisciplineOf returns a user's discipline with its source.
func (s *Service) DisciplineOf(ctx context.Context, userID string) (UserDiscipline, error) {
	return s.userDiscipline(ctx, userID)
}

// SetDiscipline records the actor's self-declared discipline, when the settings
// allow it and no verified discipline (mapped or granted) stands above it.
func (s *Service) SetDiscipline(ctx context.Context, actorID, name string) (Discipline, error) {
	d, ok := ParseDiscipline(name)
	if !ok {
		return "", invalid("Unknown discipline %q. Disciplines: %s.", name, strings.Join(DisciplineNames(), ", "))
	}
	if !s.settings().AllowSelfDeclaredDiscipline {
		return "", forbidden("Self-declared disciplines are turned off; ask a system admin to map yours in the System Console.")
	}
	ud, err := s.userDiscipline(ctx, actorID)
	if err != nil {
		return "", err
	}
	switch ud.Source {
	case SourceMapped:
		return "", forbidden("A system admin mapped your discipline to %s; ask them to change it.", ud.Discipline)
	case SourceGranted:
		return "", forbidden("Your discipline %s was granted by %s; it stands over a declared one. A system admin or a verified %s can revoke it.",
			ud.Discipline, s.mention(ud.GrantedBy), ud.Discipline)
	}
	return d, s.store.SetDiscipline(ctx, actorID, d)
}

// GrantDiscipline gives a person a verified discipline. A system admin may grant
// any; anyone else only the discipline they hold verified themselves, so nobody
// vouches for what they are not.
func (s *Service) GrantDiscipline(ctx context.Context, actorID, username, name string) (*model.User, UserDiscipline, error) {
	d, ok := ParseDiscipline(name)
	if !ok {
		return nil, UserDiscipline{}, invalid("Unknown discipline %q. Disciplines: %s.", name, strings.Join(DisciplineNames(), ", "))
	}
	target, err := s.disciplineTarget(username)
	if err != nil {
		return nil, UserDiscipline{}, err
	}
	if err := s.mayVouchFor(ctx, actorID, d, "Granting"); err != nil {
		return nil, UserDiscipline{}, err
	}
	current, err := s.userDiscipline(ctx, target.Id)
	if err != nil {
		return nil, UserDiscipline{}, err
	}
	if current.Source == SourceMapped {
		return nil, UserDiscipline{}, conflict("A system admin mapped @%s's discipline to %s in the System Console; a grant would not change it.",
			target.Username, current.Discipline)
	}
	existing, granted, err := s.store.GrantDiscipline(ctx, target.Id, d, actorID, time.Now().UnixMilli())
	if err != nil {
		return nil, UserDiscipline{}, err
	}
	if !granted {
		if existing.Discipline == d {
			return nil, UserDiscipline{}, conflict("@%s already holds %s, granted by %s.", target.Username, d, s.mention(existing.GrantedBy))
		}
		return nil, UserDiscipline{}, conflict("@%s holds %s, granted by %s. A system admin or a verified %s revokes it first: `/%s discipline revoke @%s`.",
			target.Username, disciplineLabel(existing.Discipline), s.mention(existing.GrantedBy), disciplineLabel(existing.Discipline),
			s.settings().CommandTrigger, target.Username)
	}
	ud, err := s.userDiscipline(ctx, target.Id)
	return target, ud, err
}

// RevokeDiscipline withdraws a person's granted discipline: a system admin, or a
// verified holder of the granted discipline, may.
func (s *Service) RevokeDiscipline(ctx context.Context, actorID, username string) (*model.User, Discipline, UserDiscipline, error) {
	target, err := s.disciplineTarget(username)
	if err != nil {
		return nil, "", UserDiscipline{}, err
	}
	grant, err := s.store.GetGrant(ctx, target.Id)
	if err != nil {
		return nil, "", UserDiscipline{}, err
	}
	if grant.Source != SourceGranted {
		return nil, "", UserDiscipline{}, notFound("@%s holds no granted discipline.", target.Username)
	}
	if err := s.mayVouchFor(ctx, actorID, grant.Discipline, "Revoking"); err != nil {
		return nil, "", UserDiscipline{}, err
	}
	revoked, err := s.store.RevokeGrant(ctx, target.Id, grant.Discipline)
	if err != nil {
		return nil, "", UserDiscipline{}, err
	}
	if !revoked {
		return nil, "", UserDiscipline{}, conflict("@%s's grant changed meanwhile; look again with `/%s who`.", target.Username, s.settings().CommandTrigger)
	}
	ud, err := s.userDiscipline(ctx, target.Id)
	return target, grant.Discipline, ud, err
}

// disciplineTarget is the active person a grant or revocation names.
func (s *Service) disciplineTarget(username string) (*model.User, error) {
	username = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(username), "@"))
	if username == "" {
		return nil, invalid("Name the person, e.g. `@alex`.")
	}
	u, err := s.mm.GetUserByUsername(username)
	if err != nil || u.DeleteAt != 0 || u.IsBot {
		return nil, invalid("No user @%s.", username)
	}
	return u, nil
}

// mayVouchFor allows a system admin (Mattermost decides), or someone whose own
// discipline is d and verified.
func (s *Service) mayVouchFor(ctx context.Context, actorID string, d Discipline, what string) error {
	if s.mm.IsSystemAdmin(actorID) {
		return nil
	}
	mine, err := s.userDiscipline(ctx, actorID)
	if err != nil {
		return err
	}
	if mine.Discipline == d && mine.Verified {
		return nil
	}
	return forbidden("%s %s needs a system admin or someone whose own %s is verified (mapped or granted); yours is %s.",
		what, d, d, sourcedLabel(mine))
}

// sourcedLabel renders a discipline with its source: "qa (declared)".
func sourcedLabel(ud UserDiscipline) string {
	if ud.Discipline == "" {
		return "not set"
	}
	return fmt.Sprintf("%s (%s)", ud.Discipline, ud.Source)
}

// maySignOff reports whether a discipline of this source may open a gate.
func (s *Service) maySignOff(ud UserDiscipline) bool {
	return ud.Verified || ud.Source == SourceDeclared && s.settings().SelfDeclaredMaySignOff
}

// unverifiedSignoff is the refusal for a self-declared discipline at a gate: why,
// and up to three verified people of the discipline (those in the channel first)
// who could sign off or grant it.
func (s *Service) unverifiedSignoff(ctx context.Context, w *Workflow, stage string, ud UserDiscipline, actorID string) error {
	holders, err := s.store.VerifiedHolders(ctx, ud.Discipline, w.TeamID, w.ChannelID, actorID, 3)
	if err != nil {
		return err
	}
	who := fmt.Sprintf("No one in the team holds a verified %s yet: a system admin can map or grant it.", ud.Discipline)
	if len(holders) > 0 {
		for i, h := range holders {
			holders[i] = "@" + h
		}
		who = fmt.Sprintf("%s can sign off or grant it (`/%s discipline grant @you %s`); so can a system admin.",
			joinWords(holders, "or"), s.settings().CommandTrigger, ud.Discipline)
	}
	return forbidden("Signing off %s needs a verified %s (mapped by a system admin or granted); yours is self-declared. %s",
		stage, ud.Discipline, who)
}

// usersWithDiscipline lists the user ids whose discipline in force is d.
func (s *Service) usersWithDiscipline(ctx context.Context, d Discipline) ([]string, error) {
	return s.store.UsersWithDiscipline(ctx, d)
}

// SyncDisciplineMapping keeps the bindings of mapped names to people in step with
// the setting: names already bound keep their person, new names are bound to whoever
// holds them now, names removed are unbound. Every node runs it on every change; it
// is idempotent. It returns the names it could not bind.
func (s *Service) SyncDisciplineMapping(ctx context.Context) ([]string, error) {
	mapping := s.settings().DisciplineMapping
	if err := s.store.SyncDisciplineBindings(ctx, mapping, time.Now().UnixMilli()); err != nil {
		return nil, err
	}
	return s.store.UnknownUsernames(ctx, mappedNames(mapping))
}

func mappedNames(mapping map[string]Discipline) []string {
	names := make([]string, 0, len(mapping))
	for name := range mapping {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

func disciplineLabel(d Discipline) string {
	if d == "" {
		return "not set"
	}
	return string(d)
}

func (s *Service) disciplineHint() string {
	if s.settings().AllowSelfDeclaredDiscipline {
		return fmt.Sprintf("Set yours with `/%s discipline <name>`.", s.settings().CommandTrigger)
	}
	return "Ask a system admin to map your discipline."
}

// UsernameOf returns "@name" for a user id, or "someone" when unknown.
func (s *Service) UsernameOf(userID string) string {
	return s.mention(userID)
}
