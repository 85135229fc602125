package app

import (
	"context"
	"fmt"
	"strings"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/pkg/errors"
)

// mappedDiscipline is the discipline a system admin mapped a username to, if any.
func (s *Service) mappedDiscipline(username string) (Discipline, bool) {
	d, ok := s.settings().DisciplineMapping[strings.ToLower(username)]
	return d, ok
}

// disciplineOf is a user's discipline: the admin mapping wins over self-declaration.
func (s *Service) disciplineOf(ctx context.Context, u *model.User) (Discipline, error) {
	if d, ok := s.mappedDiscipline(u.Username); ok {
		return d, nil
	}
	d, err := s.store.GetDiscipline(ctx, u.Id)
	return d, errors.Wrap(err, "get discipline")
}

// viewerDiscipline is the discipline of a user read with their facts: the admin
// mapping of their username wins over what they declared.
func (s *Service) viewerDiscipline(v *Viewer) Discipline {
	if d, ok := s.mappedDiscipline(v.Username); ok {
		return d
	}
	return v.Discipline
}

// actorDiscipline reads the acting user and their discipline.
func (s *Service) actorDiscipline(ctx context.Context, actorID string) (*model.User, Discipline, error) {
	actor, err := s.mm.GetUser(actorID)
	if err != nil {
		return nil, "", errors.Wrap(err, "get actor")
	}
	d, err := s.disciplineOf(ctx, actor)
	return actor, d, err
}

// DisciplineOf returns a user's discipline and where it comes from ("admin", "self" or "").
func (s *Service) DisciplineOf(ctx context.Context, userID string) (Discipline, string, error) {
	u, err := s.mm.GetUser(userID)
	if err != nil {
		return "", "", errors.Wrap(err, "get user")
	}
	if d, ok := s.mappedDiscipline(u.Username); ok {
		return d, "admin", nil
	}
	d, err := s.store.GetDiscipline(ctx, userID)
	if err != nil || d == "" {
		return "", "", errors.Wrap(err, "get discipline")
	}
	return d, "self", nil
}

// SetDiscipline records the actor's self-declared discipline, when the settings
// allow it and no admin mapping fixes it.
func (s *Service) SetDiscipline(ctx context.Context, actorID, name string) (Discipline, error) {
	d, ok := ParseDiscipline(name)
	if !ok {
		return "", invalid("Unknown discipline %q. Disciplines: %s.", name, strings.Join(DisciplineNames(), ", "))
	}
	if !s.settings().AllowSelfDeclaredDiscipline {
		return "", forbidden("Self-declared disciplines are turned off; ask a system admin to map yours in the System Console.")
	}
	u, err := s.mm.GetUser(actorID)
	if err != nil {
		return "", errors.Wrap(err, "get user")
	}
	if mapped, ok := s.mappedDiscipline(u.Username); ok {
		return "", forbidden("A system admin mapped your discipline to %s; ask them to change it.", mapped)
	}
	return d, s.store.SetDiscipline(ctx, actorID, d)
}

// usersWithDiscipline lists the user ids of a discipline, mapped or self-declared.
func (s *Service) usersWithDiscipline(ctx context.Context, d Discipline) ([]string, error) {
	ids, err := s.store.UsersWithDiscipline(ctx, d)
	if err != nil {
		return nil, err
	}
	mapping := s.settings().DisciplineMapping
	var out []string
	for _, id := range ids {
		// A self-declaration is overridden by an admin mapping to another discipline.
		if u, err := s.mm.GetUser(id); err == nil {
			if m, ok := mapping[strings.ToLower(u.Username)]; ok && m != d {
				continue
			}
		}
		out = append(out, id)
	}
	for username, md := range mapping {
		if md != d {
			continue
		}
		if u, err := s.mm.GetUserByUsername(username); err == nil {
			out = append(out, u.Id)
		}
	}
	return out, nil
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
