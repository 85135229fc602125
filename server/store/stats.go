package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"strconv"

	"github.com/pkg/errors"

	"github.com/devopschannels/devops-channels/server/app"
)

// Stats aggregates a team's workflows per type in one query: counts, and mean and
// median times to first status update and to close. A workflow counts only for those
// who may read it, as everywhere else.
func (s *Store) Stats(ctx context.Context, f app.StatsFilter) ([]app.TypeStats, error) {
	args := []any{f.TeamID, f.Since, f.ViewerID, f.ReadsPublic}
	where := `w.team_id = $1 AND w.status <> 'starting' AND w.created_at >= $2 AND ` + visibleTo("$3", "$4")
	if f.Type != "" {
		args = append(args, f.Type)
		where += " AND w.type = $" + strconv.Itoa(len(args))
	}
	group := "NULL::text" // one row per type
	switch {
	case f.GroupBy == app.GroupBySeverity:
		group = "w.severity"
	case f.GroupBy != "":
		args = append(args, f.GroupBy)
		group = "COALESCE(w.fields->>$" + strconv.Itoa(len(args)) + ", '')"
	}
	rows, err := s.db.QueryContext(ctx, `SELECT w.type, `+group+` AS g, count(*),
		count(*) FILTER (WHERE w.status = 'active'),
		count(*) FILTER (WHERE w.status = 'closed'),
		avg(w.first_status_at - w.created_at) FILTER (WHERE w.first_status_at > 0),
		percentile_cont(0.5) WITHIN GROUP (ORDER BY w.first_status_at - w.created_at) FILTER (WHERE w.first_status_at > 0),
		avg(w.closed_at - w.created_at) FILTER (WHERE w.status = 'closed'),
		percentile_cont(0.5) WITHIN GROUP (ORDER BY w.closed_at - w.created_at) FILTER (WHERE w.status = 'closed')
		FROM devops_workflows w WHERE `+where+` GROUP BY w.type, g ORDER BY w.type, g`, args...)
	if err != nil {
		return nil, errors.Wrap(err, "compute stats")
	}
	defer rows.Close()
	out := []app.TypeStats{}
	for rows.Next() {
		var st app.TypeStats
		var meanAck, medAck, meanClose, medClose sql.NullFloat64
		var group sql.NullString
		if err := rows.Scan(&st.Type, &group, &st.Started, &st.Active, &st.Closed, &meanAck, &medAck, &meanClose, &medClose); err != nil {
			return nil, errors.Wrap(err, "scan stats")
		}
		st.MeanToFirstStatusMs, st.MedianToFirstStatusMs = int64(meanAck.Float64), int64(medAck.Float64)
		st.MeanToCloseMs, st.MedianToCloseMs = int64(meanClose.Float64), int64(medClose.Float64)
		if group.Valid {
			st.Group = &group.String
		}
		out = append(out, st)
	}
	return out, errors.Wrap(rows.Err(), "compute stats")
}

// ActiveCounts counts a member's active workflows per type, in one round trip.
func (s *Store) ActiveCounts(ctx context.Context, teamID, userID string) (map[string]int, error) {
	var raw []byte
	err := s.db.QueryRowContext(ctx, `SELECT COALESCE(json_object_agg(c.type, c.n), '{}') FROM (
		SELECT w.type, count(*) AS n FROM devops_workflows w
		WHERE w.team_id = $1 AND w.status = 'active'
		AND EXISTS (SELECT 1 FROM channelmembers cm WHERE cm.channelid = w.channel_id AND cm.userid = $2)
		GROUP BY w.type) c`, teamID, userID).Scan(&raw)
	if err != nil {
		return nil, errors.Wrap(err, "count active workflows")
	}
	out := map[string]int{}
	return out, errors.Wrap(json.Unmarshal(raw, &out), "decode counts")
}

// CloseTimes computes, per type and week, how many of a team's workflows closed and
// their median time from start to close (PostgreSQL's percentile_cont), for the weeks
// of f.Weeks from f.From; only the workflows the viewer may read count.
func (s *Store) CloseTimes(ctx context.Context, f app.CloseTimesFilter) ([]app.CloseTimeBucket, error) {
	const week = int64(7 * 24 * 60 * 60 * 1000)
	rows, err := s.db.QueryContext(ctx, `SELECT w.type, ((w.closed_at - $2) / $5)::int AS wk, count(*),
		percentile_cont(0.5) WITHIN GROUP (ORDER BY w.closed_at - w.created_at)
		FROM devops_workflows w
		WHERE w.team_id = $1 AND w.status = 'closed' AND w.closed_at >= $2 AND w.closed_at < $2 + $5 * $6
		AND `+visibleTo("$3", "$4")+`
		GROUP BY w.type, wk ORDER BY w.type, wk`, f.TeamID, f.From, f.ViewerID, f.ReadsPublic, week, f.Weeks)
	if err != nil {
		return nil, errors.Wrap(err, "compute close times")
	}
	defer rows.Close()
	out := []app.CloseTimeBucket{}
	for rows.Next() {
		var b app.CloseTimeBucket
		var median float64
		if err := rows.Scan(&b.Type, &b.Week, &b.Closed, &median); err != nil {
			return nil, errors.Wrap(err, "scan close times")
		}
		b.MedianMs = int64(median)
		out = append(out, b)
	}
	return out, errors.Wrap(rows.Err(), "compute close times")
}
