package store

import (
	"context"
	"database/sql"
	"strings"

	"github.com/pkg/errors"

	"github.com/devopschannels/devops-channels/server/app"
)

// The service catalog (migration 11). Owners are kept as a comma-separated list of
// user ids: a handful per service, always read with it.

const serviceColumns = `id, team_id, name, owner_ids, owner_discipline, rotation, repository, tier, created_by, created_at, updated_at`

func scanService(row scanner) (*app.CatalogService, error) {
	svc := &app.CatalogService{}
	var owners, discipline string
	err := row.Scan(&svc.ID, &svc.TeamID, &svc.Name, &owners, &discipline, &svc.Rotation, &svc.Repository, &svc.Tier,
		&svc.CreatedBy, &svc.CreatedAt, &svc.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, app.ErrNotFound
	}
	if err != nil {
		return nil, errors.Wrap(err, "read service")
	}
	svc.OwnerDiscipline = app.Discipline(discipline)
	svc.OwnerIDs = []string{}
	if owners != "" {
		svc.OwnerIDs = strings.Split(owners, ",")
	}
	return svc, nil
}

// AddService records a service; a name the team already has (in any case) is
// app.ErrDuplicate, found with ON CONFLICT, as the server's RPC driver hides error codes.
func (s *Store) AddService(ctx context.Context, svc *app.CatalogService) error {
	res, err := s.db.ExecContext(ctx, `INSERT INTO devops_services (`+serviceColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING`,
		svc.ID, svc.TeamID, svc.Name, strings.Join(svc.OwnerIDs, ","), string(svc.OwnerDiscipline), svc.Rotation, svc.Repository, svc.Tier,
		svc.CreatedBy, svc.CreatedAt, svc.UpdatedAt)
	if err != nil {
		return errors.Wrap(err, "add service")
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return app.ErrDuplicate
	}
	return nil
}

// UpdateService saves a service's changeable fields.
func (s *Store) UpdateService(ctx context.Context, svc *app.CatalogService) error {
	_, err := s.db.ExecContext(ctx, `UPDATE devops_services SET owner_ids = $2, owner_discipline = $3, rotation = $4,
		repository = $5, tier = $6, updated_at = $7 WHERE id = $1`,
		svc.ID, strings.Join(svc.OwnerIDs, ","), string(svc.OwnerDiscipline), svc.Rotation, svc.Repository, svc.Tier, svc.UpdatedAt)
	return errors.Wrap(err, "update service")
}

// DeleteService removes a service.
func (s *Store) DeleteService(ctx context.Context, id string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM devops_services WHERE id = $1`, id)
	return errors.Wrap(err, "delete service")
}

// GetService reads a service by id.
func (s *Store) GetService(ctx context.Context, id string) (*app.CatalogService, error) {
	return scanService(s.db.QueryRowContext(ctx, `SELECT `+serviceColumns+` FROM devops_services WHERE id = $1`, id))
}

// ServiceByName reads a team's service by name, in any case.
func (s *Store) ServiceByName(ctx context.Context, teamID, name string) (*app.CatalogService, error) {
	return scanService(s.db.QueryRowContext(ctx, `SELECT `+serviceColumns+` FROM devops_services
		WHERE team_id = $1 AND lower(name) = lower($2)`, teamID, name))
}

// ListServices lists a team's catalog by name.
func (s *Store) ListServices(ctx context.Context, teamID string) ([]*app.CatalogService, error) {
	return s.queryServices(ctx, `SELECT `+serviceColumns+` FROM devops_services WHERE team_id = $1 ORDER BY lower(name)`, teamID)
}

// ServicesNamed finds a service's entries across teams, newest first.
func (s *Store) ServicesNamed(ctx context.Context, name string) ([]*app.CatalogService, error) {
	return s.queryServices(ctx, `SELECT `+serviceColumns+` FROM devops_services WHERE lower(name) = lower($1)
		ORDER BY created_at DESC, id DESC LIMIT 20`, name)
}

func (s *Store) queryServices(ctx context.Context, query string, arg string) ([]*app.CatalogService, error) {
	rows, err := s.db.QueryContext(ctx, query, arg)
	if err != nil {
		return nil, errors.Wrap(err, "list services")
	}
	defer rows.Close()
	out := []*app.CatalogService{}
	for rows.Next() {
		svc, err := scanService(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, svc)
	}
	return out, errors.Wrap(rows.Err(), "list services")
}
