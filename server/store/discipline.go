package store

import (
	"context"
	"database/sql"
	"encoding/json"

	"github.com/lib/pq"
	"github.com/mattermost/mattermost/server/public/model"
	"github.com/pkg/errors"

	"github.com/devopschannels/devops-channels/server/app"
)

// SetDiscipline records a user's self-declared discipline.
func (s *Store) SetDiscipline(ctx context.Context, userID string, d app.Discipline) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO devops_disciplines (user_id, discipline, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (user_id) DO UPDATE SET discipline = EXCLUDED.discipline, updated_at = EXCLUDED.updated_at`,
		userID, d, nowMillis())
	return errors.Wrap(err, "save discipline")
}

// disciplineFacts are the discipline and its source of the user joined by
// disciplineJoin, for a JSON object of facts (empty when none).
const disciplineFacts = `'discipline', COALESCE(d.discipline, ''), 'discipline_source', COALESCE(d.source, '')`

// disciplineJoin joins the discipline in force (devops_user_disciplines, which holds
// the precedence) of the user the SQL expression names, as d.
func disciplineJoin(user string) string {
	return `
	LEFT JOIN devops_user_disciplines d ON d.user_id = ` + user
}

// DisciplineOf returns a user's discipline in force and its source.
func (s *Store) DisciplineOf(ctx context.Context, userID string) (app.UserDiscipline, error) {
	all, err := s.DisciplinesOf(ctx, []string{userID})
	if err != nil {
		return app.UserDiscipline{}, err
	}
	if ud, ok := all[userID]; ok {
		return ud, nil
	}
	return app.NewUserDiscipline("", "", "", 0), nil
}

// DisciplinesOf returns the disciplines in force of the users who have one.
func (s *Store) DisciplinesOf(ctx context.Context, userIDs []string) (map[string]app.UserDiscipline, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT user_id, discipline, source, granted_by, at
		FROM devops_user_disciplines WHERE user_id = ANY($1::text[])`, pq.Array(userIDs))
	if err != nil {
		return nil, errors.Wrap(err, "get disciplines")
	}
	defer func() { _ = rows.Close() }()
	out := make(map[string]app.UserDiscipline, len(userIDs))
	for rows.Next() {
		var id, d, source, by string
		var at int64
		if err := rows.Scan(&id, &d, &source, &by, &at); err != nil {
			return nil, errors.Wrap(err, "scan discipline")
		}
		out[id] = app.NewUserDiscipline(app.Discipline(d), app.DisciplineSource(source), by, at)
	}
	return out, errors.Wrap(rows.Err(), "get disciplines")
}

// ChannelPeople reads a channel's active members who are not bots, with the names and
// time zone `who` shows and their discipline in force, in one round trip: the
// discipline is looked up per member (LATERAL), so the view's precedence is
// computed for the channel's people only.
func (s *Store) ChannelPeople(ctx context.Context, channelID string) ([]app.Member, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT u.id, u.username, COALESCE(u.firstname, ''), COALESCE(u.lastname, ''),
		COALESCE(u.nickname, ''), COALESCE(u.timezone::text, '{}'),
		COALESCE(d.discipline, ''), COALESCE(d.source, ''), COALESCE(d.granted_by, ''), COALESCE(d.at, 0)
		FROM channelmembers cm
		JOIN users u ON u.id = cm.userid AND u.deleteat = 0
		LEFT JOIN LATERAL (SELECT discipline, source, granted_by, at FROM devops_user_disciplines x
			WHERE x.user_id = u.id) d ON true
		WHERE cm.channelid = $1 AND NOT EXISTS (SELECT 1 FROM bots b WHERE b.userid = u.id)`, channelID)
	if err != nil {
		return nil, errors.Wrap(err, "read channel people")
	}
	defer func() { _ = rows.Close() }()
	var out []app.Member
	for rows.Next() {
		u := &model.User{}
		var tz, d, source, by string
		var at int64
		if err := rows.Scan(&u.Id, &u.Username, &u.FirstName, &u.LastName, &u.Nickname, &tz, &d, &source, &by, &at); err != nil {
			return nil, errors.Wrap(err, "scan channel person")
		}
		if err := json.Unmarshal([]byte(tz), &u.Timezone); err != nil {
			u.Timezone = nil // a zone that is not JSON is no zone: UTC
		}
		out = append(out, app.Member{User: u, Discipline: app.NewUserDiscipline(app.Discipline(d), app.DisciplineSource(source), by, at)})
	}
	return out, errors.Wrap(rows.Err(), "read channel people")
}

// VerifiedHolders lists up to limit usernames of the team's active members, other
// than except, whose discipline d is verified: the channel's members first.
func (s *Store) VerifiedHolders(ctx context.Context, d app.Discipline, teamID, channelID, except string, limit int) ([]string, error) {
	return s.strings(ctx, "list verified holders", `SELECT u.username FROM devops_user_disciplines d
		JOIN users u ON u.id = d.user_id AND u.deleteat = 0
		JOIN teammembers tm ON tm.teamid = $2 AND tm.userid = d.user_id AND tm.deleteat = 0
		LEFT JOIN channelmembers cm ON cm.channelid = $3 AND cm.userid = d.user_id
		WHERE d.discipline = $1 AND d.source IN ('mapped', 'granted') AND d.user_id <> $4
		ORDER BY cm.userid IS NULL, u.username LIMIT $5`, d, teamID, channelID, except, limit)
}

// GrantDiscipline records that grantedBy granted d to a user and returns the grant,
// unless the user holds one already: then it reports false with that grant. One statement, so two
// grants at once cannot both win.
func (s *Store) GrantDiscipline(ctx context.Context, userID string, d app.Discipline, grantedBy string, at int64) (app.UserDiscipline, bool, error) {
	var inserted bool
	var held, by string
	var heldAt int64
	err := s.db.QueryRowContext(ctx, `WITH ins AS (
			INSERT INTO devops_discipline_grants (user_id, discipline, granted_by, granted_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (user_id) DO NOTHING RETURNING user_id)
		SELECT EXISTS (SELECT 1 FROM ins), COALESCE(g.discipline, ''), COALESCE(g.granted_by, ''), COALESCE(g.granted_at, 0)
		FROM (SELECT 1) one LEFT JOIN devops_discipline_grants g ON g.user_id = $1`,
		userID, d, grantedBy, at).Scan(&inserted, &held, &by, &heldAt)
	if err != nil {
		return app.UserDiscipline{}, false, errors.Wrap(err, "grant discipline")
	}
	if inserted { // the statement's snapshot does not show its own insert
		return app.NewUserDiscipline(d, app.SourceGranted, grantedBy, at), true, nil
	}
	return app.NewUserDiscipline(app.Discipline(held), app.SourceGranted, by, heldAt), false, nil
}

// GetGrant returns a user's grant, or a discipline of source none.
func (s *Store) GetGrant(ctx context.Context, userID string) (app.UserDiscipline, error) {
	var d, by string
	var at int64
	err := s.db.QueryRowContext(ctx, `SELECT discipline, granted_by, granted_at FROM devops_discipline_grants WHERE user_id = $1`,
		userID).Scan(&d, &by, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return app.NewUserDiscipline("", "", "", 0), nil
	}
	return app.NewUserDiscipline(app.Discipline(d), app.SourceGranted, by, at), errors.Wrap(err, "get grant")
}

// RevokeGrant removes a user's grant of d; false when they hold no grant of d (it
// was revoked or changed meanwhile).
func (s *Store) RevokeGrant(ctx context.Context, userID string, d app.Discipline) (bool, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM devops_discipline_grants WHERE user_id = $1 AND discipline = $2`, userID, d)
	if err != nil {
		return false, errors.Wrap(err, "revoke grant")
	}
	n, err := res.RowsAffected()
	return n == 1, errors.Wrap(err, "revoke grant")
}

// SyncDisciplineBindings brings the bindings in step with a mapping (username →
// discipline) in one statement: a name already bound keeps its person (a rename
// moves nothing) and takes the mapping's discipline; a new name is bound to the
// active user who holds it now; a name no longer mapped is unbound. Idempotent, and
// safe when every node of a cluster runs it at once: the statements touch disjoint
// rows, and a name two nodes bind together is bound once (ON CONFLICT).
func (s *Store) SyncDisciplineBindings(ctx context.Context, mapping map[string]app.Discipline, at int64) error {
	raw, err := json.Marshal(mapping)
	if err != nil {
		return errors.Wrap(err, "encode mapping")
	}
	_, err = s.db.ExecContext(ctx, `WITH wanted AS (SELECT key AS username, value AS discipline FROM json_each_text($1::json)),
		unbound AS (DELETE FROM devops_discipline_bindings b
			WHERE NOT EXISTS (SELECT 1 FROM wanted w WHERE w.username = b.username)),
		changed AS (UPDATE devops_discipline_bindings b SET discipline = w.discipline
			FROM wanted w WHERE w.username = b.username AND b.discipline <> w.discipline)
		INSERT INTO devops_discipline_bindings (username, user_id, discipline, bound_at)
		SELECT w.username, u.id, w.discipline, $2 FROM wanted w JOIN users u ON u.username = w.username AND u.deleteat = 0
		WHERE NOT EXISTS (SELECT 1 FROM devops_discipline_bindings b WHERE b.username = w.username)
		ON CONFLICT (username) DO NOTHING`, string(raw), at)
	return errors.Wrap(err, "bind mapped disciplines")
}

// UnknownUsernames lists, in order, the names that are neither bound nor held by an
// active user.
func (s *Store) UnknownUsernames(ctx context.Context, names []string) ([]string, error) {
	return s.strings(ctx, "look up mapped names", `SELECT n FROM unnest($1::text[]) n
		WHERE NOT EXISTS (SELECT 1 FROM devops_discipline_bindings b WHERE b.username = n)
		AND NOT EXISTS (SELECT 1 FROM users u WHERE u.username = n AND u.deleteat = 0)
		ORDER BY n`, pq.Array(names))
}

// strings runs a query of one text column and returns its values.
func (s *Store) strings(ctx context.Context, what, query string, args ...any) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, errors.Wrap(err, what)
	}
	defer func() { _ = rows.Close() }()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, errors.Wrap(err, what)
		}
		out = append(out, v)
	}
	return out, errors.Wrap(rows.Err(), what)
}
