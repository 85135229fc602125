package store

import (
	"context"
	"database/sql"
	"encoding/json"

	"github.com/lib/pq"
	"github.com/pkg/errors"

	"github.com/devopschannels/devops-channels/server/app"
)

// TemplateVersion reads a recorded template version.
func (s *Store) TemplateVersion(ctx context.Context, version string) (*app.TemplateVersion, error) {
	var raw []byte
	v := &app.TemplateVersion{Template: &app.Template{}}
	err := s.db.QueryRowContext(ctx, `SELECT template, recorded_at FROM devops_template_versions WHERE version = $1`, version).
		Scan(&raw, &v.RecordedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, app.ErrNotFound
	}
	if err != nil {
		return nil, errors.Wrap(err, "read template version")
	}
	if err := json.Unmarshal(raw, v.Template); err != nil {
		return nil, errors.Wrapf(err, "decode template version %s", version)
	}
	v.Template.Version = version
	return v, nil
}

// PinUnversioned records the templates' versions (those not on record yet) and pins
// each workflow without a version to its type's template among them, in one
// transaction. Workflows of a type not among the templates keep no version.
func (s *Store) PinUnversioned(ctx context.Context, templates []*app.Template, at int64) (int, error) {
	versions := make([]string, len(templates))
	types := make([]string, len(templates))
	bodies := make([]string, len(templates))
	for i, t := range templates {
		raw, err := json.Marshal(t)
		if err != nil {
			return 0, errors.Wrap(err, "encode template")
		}
		versions[i], types[i], bodies[i] = t.Version, t.Type, string(raw)
	}
	var pinned int
	err := s.inTx(ctx, "pin unversioned workflows", func(tx *txn) error {
		if _, err := tx.Tx.ExecContext(ctx, `INSERT INTO devops_template_versions (version, type, template, recorded_at)
			SELECT v.version, v.type, v.template::jsonb, $4 FROM unnest($1::text[], $2::text[], $3::text[]) AS v(version, type, template)
			ON CONFLICT (version) DO NOTHING`, pq.Array(versions), pq.Array(types), pq.Array(bodies), at); err != nil {
			return errors.Wrap(err, "record template versions")
		}
		res, err := tx.Tx.ExecContext(ctx, `UPDATE devops_workflows w SET template_version = v.version
			FROM unnest($1::text[], $2::text[]) AS v(version, type)
			WHERE w.template_version = '' AND w.type = v.type`, pq.Array(versions), pq.Array(types))
		if err != nil {
			return errors.Wrap(err, "pin unversioned workflows")
		}
		n, err := res.RowsAffected()
		pinned = int(n)
		return errors.Wrap(err, "count pinned workflows")
	})
	return pinned, err
}
