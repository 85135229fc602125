package main

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"math/rand"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/pkg/errors"
)

// seedColumns are the devops_workflows columns the seed writes, in the order of
// server/store/migrations/000001_workflows.sql (later migrations add columns with
// defaults). Keep them in step with the migrations; checkColumns names any
// required column one adds.
var seedColumns = []string{
	"id", "team_id", "channel_id", "channel_name", "type", "seq", "title", "severity",
	"stage", "status", "private", "lead_id", "created_by", "created_at", "updated_at",
	"closed_at", "stage_entered_at", "summary",
}

// seedTypes are the built-in types with their first stage and a severity, so seeded
// rows look like ones the plugin made.
var seedTypes = []struct{ typ, prefix, stage, severity string }{
	{"incident", "inc", "triage", "sev2"},
	{"release", "rel", "planning", ""},
	{"qa", "qa", "planning", ""},
	{"support", "sup", "triage", "p3"},
	{"security", "sec", "triage", "high"},
	{"change", "chg", "proposed", "normal"},
	{"sprint", "sprint", "planning", ""},
}

const (
	// otherTeams share the rows the measured team does not hold. The measured team
	// is the busiest of them, with one row in teamShare: even the 1k store then fills
	// a page of 50 active workflows, so every store size serves a full page.
	otherTeams = 19
	teamShare  = 5
	// One workflow in activeShare is active; the rest are closed, as on a server that
	// has run for a while.
	activeShare = 3
	// seqBase keeps seeded sequence numbers clear of the ones /devops start allocates.
	seqBase = 1_000_000
)

// seeder bulk-loads workflows straight into the server's database with COPY, far
// faster than the API and independent of it.
type seeder struct {
	db      *sql.DB
	team    string
	others  []string
	userIDs []string
	next    int // seeded rows so far; also the next row's number
	// teamEvery and activeEvery override teamShare and activeShare when set (the
	// large-team profile seeds only the measured team's active workflows).
	teamEvery, activeEvery int
	rng                    *rand.Rand
	now                    int64
}

func newSeeder(db *sql.DB, team string, userIDs []string) *seeder {
	s := &seeder{db: db, team: team, userIDs: userIDs, rng: rand.New(rand.NewSource(7)), now: model.GetMillis()}
	for i := 0; i < otherTeams; i++ {
		s.others = append(s.others, model.NewId())
	}
	return s
}

// fill tops the store up to total workflows (all teams) and refreshes the planner's
// statistics, as autovacuum would soon after such a load on a live server.
func (s *seeder) fill(ctx context.Context, total int) error {
	if err := s.checkColumns(ctx); err != nil {
		return err
	}
	var have int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM devops_workflows`).Scan(&have); err != nil {
		return errors.Wrap(err, "count workflows")
	}
	if have >= total {
		return nil
	}
	began := time.Now()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return errors.Wrap(err, "begin seed")
	}
	defer func() { _ = tx.Rollback() }()
	stmt, err := tx.PrepareContext(ctx, "COPY devops_workflows ("+strings.Join(seedColumns, ", ")+") FROM STDIN")
	if err != nil {
		return errors.Wrap(err, "start COPY")
	}
	for n := total - have; n > 0; n-- {
		if _, err := stmt.ExecContext(ctx, s.row()...); err != nil {
			return errors.Wrap(err, "copy workflow row")
		}
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		return errors.Wrap(err, "finish COPY")
	}
	if err := stmt.Close(); err != nil {
		return errors.Wrap(err, "close COPY")
	}
	if err := tx.Commit(); err != nil {
		return errors.Wrap(err, "commit seed")
	}
	if _, err := s.db.ExecContext(ctx, `ANALYZE devops_workflows`); err != nil {
		return errors.Wrap(err, "analyze workflows")
	}
	logf("seeded %d workflows (store now %d) in %s", total-have, total, time.Since(began).Round(time.Millisecond))
	return nil
}

// row is the next seeded workflow, as values for seedColumns.
func (s *seeder) row() []any {
	i := s.next
	s.next++
	t := seedTypes[i%len(seedTypes)]
	team, lead := s.others[i%otherTeams], model.NewId()
	if i%cmp.Or(s.teamEvery, teamShare) == 0 {
		team, lead = s.team, s.userIDs[i%len(s.userIDs)]
	}
	seq := seqBase + i
	created := s.now - s.rng.Int63n(int64(2*365*24*time.Hour/time.Millisecond))
	status, closed := "active", int64(0)
	if i%cmp.Or(s.activeEvery, activeShare) != 0 {
		status, closed = "closed", created+s.rng.Int63n(int64(14*24*time.Hour/time.Millisecond))
	}
	return []any{
		model.NewId(), team, model.NewId(), fmt.Sprintf("%s-%d-seeded", t.prefix, seq), t.typ, seq,
		fmt.Sprintf("Seeded %s %d: checkout latency in eu-west after the %d deploy", t.typ, seq, i), t.severity,
		t.stage, status, t.typ == "security", lead, lead, created, max(created, closed),
		closed, created, "",
	}
}

// checkColumns fails, naming the column, when the table has a required column
// (NOT NULL without a default) that seedColumns does not write.
func (s *seeder) checkColumns(ctx context.Context) error {
	rows, err := s.db.QueryContext(ctx, `SELECT column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = 'devops_workflows' AND is_nullable = 'NO' AND column_default IS NULL`)
	if err != nil {
		return errors.Wrap(err, "read workflow columns")
	}
	defer func() { _ = rows.Close() }()
	known := map[string]bool{}
	for _, c := range seedColumns {
		known[c] = true
	}
	var missing []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return errors.Wrap(err, "scan workflow column")
		}
		if !known[c] {
			missing = append(missing, c)
		}
	}
	if err := rows.Err(); err != nil {
		return errors.Wrap(err, "read workflow columns")
	}
	if len(missing) > 0 {
		return errors.Errorf("devops_workflows requires %s: add to seedColumns in %s", strings.Join(missing, ", "), "build/harness/cmd/devops-bench/seed.go")
	}
	return nil
}

// channelOf is the channel of the measured team's workflow with this title.
func (s *seeder) channelOf(ctx context.Context, title string) (string, error) {
	var ch string
	err := s.db.QueryRowContext(ctx, `SELECT channel_id FROM devops_workflows WHERE team_id = $1 AND title = $2`,
		s.team, title).Scan(&ch)
	return ch, errors.Wrapf(err, "find the workflow %q", title)
}

// countTitled counts the measured team's workflows whose title starts with prefix.
func (s *seeder) countTitled(ctx context.Context, prefix string) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM devops_workflows WHERE team_id = $1 AND title LIKE $2`,
		s.team, prefix+"%").Scan(&n)
	return n, errors.Wrap(err, "count started workflows")
}
