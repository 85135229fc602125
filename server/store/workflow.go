package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/lib/pq"
	"github.com/mattermost/mattermost/server/public/model"
	"github.com/pkg/errors"

	"github.com/devopschannels/devops-channels/server/app"
)

var _ app.Store = (*Store)(nil)

// workflowJSON renders a workflow row as the JSON of app.Workflow, roles and
// sign-offs folded in, so that a workflow, or a page of them aggregated into one row
// (see queryWorkflows), costs one round trip and one decode. Through the server's
// connection (DatabasePoolSize 0) every row fetched is a round trip between
// processes, so this matters even more there.
const workflowJSON = `json_build_object(
	'id', w.id, 'team_id', w.team_id, 'channel_id', w.channel_id, 'channel_name', w.channel_name,
	'type', w.type, 'seq', w.seq, 'title', w.title, 'severity', w.severity, 'stage', w.stage,
	'status', w.status, 'private', ` + privateSQL + `, 'lead_id', w.lead_id, 'created_by', w.created_by,
	'created_at', w.created_at, 'updated_at', w.updated_at, 'closed_at', w.closed_at,
	'stage_entered_at', w.stage_entered_at, 'summary', w.summary, 'template_version', w.template_version,
	'next_reminder_at', w.next_reminder_at, 'first_status_at', w.first_status_at, 'fields', w.fields,
	'last_status', CASE WHEN w.last_status_at > 0 THEN json_build_object(
		'text', w.last_status_text, 'user_id', w.last_status_user_id, 'at', w.last_status_at) END,
	'roles', COALESCE((SELECT json_object_agg(r.role, r.user_id) FROM devops_roles r WHERE r.workflow_id = w.id), '{}'),
	'signoffs', COALESCE((SELECT json_agg(json_build_object('stage', s.stage, 'discipline', s.discipline,
		'user_id', s.user_id, 'note', s.note, 'at', s.at, 'source', s.source) ORDER BY s.at) FROM devops_signoffs s WHERE s.workflow_id = w.id), '[]'))`

// privateSQL is whether a workflow is private now: its channel's current type. A
// system admin may convert a workflow's channel in Mattermost, and who may read the
// workflow follows at once; the stored flag stands in only where the channel row is
// missing.
const privateSQL = `COALESCE((SELECT ch.type = 'P' FROM channels ch WHERE ch.id = w.channel_id), w.private)`

// visibleTo is whether the viewer (a SQL parameter) may read a workflow as Mattermost
// lets them read its channel: its members may; a public channel is read by whoever
// may read the team's public channels, which readsPublic (a boolean SQL parameter)
// says, as the service asked Mattermost. Guests may not, nor may anyone a permission
// scheme denies.
func visibleTo(viewer, readsPublic string) string {
	// The channel's type first: one primary-key lookup settles a public workflow, and
	// only a private one (or a reader of no public channels) needs the membership.
	return `(` + readsPublic + ` AND NOT ` + privateSQL + ` OR ` + channelMember(viewer) + `)`
}

// channelMember is whether the viewer (a SQL parameter) is a member of w's channel.
func channelMember(viewer string) string {
	return `EXISTS (SELECT 1 FROM channelmembers cm WHERE cm.channelid = w.channel_id AND cm.userid = ` + viewer + `)`
}

type scanner interface {
	Scan(dest ...any) error
}

func scanWorkflow(row scanner) (*app.Workflow, error) {
	var raw []byte
	if err := row.Scan(&raw); err != nil {
		return nil, err
	}
	var w app.Workflow
	return &w, errors.Wrap(json.Unmarshal(raw, &w), "decode workflow")
}

// queryWorkflows runs `SELECT ... FROM devops_workflows w <rest>` and returns the rows
// in order, fetched as one aggregated row. rest holds WHERE, ORDER BY and LIMIT; order
// repeats the ORDER BY for the aggregate.
func queryWorkflows(ctx context.Context, q querier, rest, order string, args ...any) ([]*app.Workflow, error) {
	var raw []byte
	err := q.QueryRowContext(ctx, `SELECT COALESCE(json_agg(p.j ORDER BY `+order+`), '[]') FROM (
		SELECT `+workflowJSON+` AS j, w.created_at, w.id, w.next_reminder_at, w.closed_at
		FROM devops_workflows w `+rest+`) p`, args...).Scan(&raw)
	if err != nil {
		return nil, errors.Wrap(err, "query workflows")
	}
	var out []*app.Workflow
	return out, errors.Wrap(json.Unmarshal(raw, &out), "decode workflows")
}

// NextSeq allocates the next sequence number of a type in a team. The upsert is
// atomic, so concurrent starts never share a number; a failed start leaves a gap.
func (s *Store) NextSeq(ctx context.Context, teamID, typ string) (int, error) {
	return nextSeq(ctx, s.db, teamID, typ)
}

const nextSeqQuery = `INSERT INTO devops_sequences (team_id, type, last_seq) VALUES ($1, $2, 1)
	ON CONFLICT (team_id, type) DO UPDATE SET last_seq = devops_sequences.last_seq + 1
	RETURNING last_seq`

func nextSeq(ctx context.Context, q querier, teamID, typ string) (int, error) {
	var seq int
	err := q.QueryRowContext(ctx, nextSeqQuery, teamID, typ).Scan(&seq)
	return seq, errors.Wrap(err, "allocate sequence number")
}

// ReserveWorkflow allocates w's sequence number and records w as a start in status
// "starting", before its channel exists, after the duplicate guard has seen every
// start of the type reserved before it. If the node dies before ActivateWorkflow,
// the reservation tells the scheduler which channel to clean up (see
// StaleReservations); no reader sees it.
//
// Starts of one type in one team are serialised by the lock the sequence upsert
// takes on its row, held to the end of the transaction: the reservation's statement
// begins after every earlier start of the type has committed, so it reads them all
// (a statement's snapshot is taken when it begins, which is why the lock is taken by
// the statement before it). The lock is held for these two statements and the guard,
// which only compares titles; nothing here waits on Mattermost.
func (s *Store) ReserveWorkflow(ctx context.Context, w *app.Workflow, r app.Reservation) error {
	// Prepared before the lock: preparing inside the transaction would wait for a free
	// connection of the pool while the starts waiting on the lock hold them all.
	s.db.prepareAll(ctx, []string{nextSeqQuery, reserveQuery(r.Candidates)})
	return s.inTx(ctx, "reserve workflow", func(tx *txn) error {
		seq, err := nextSeq(ctx, tx, w.TeamID, w.Type)
		if err != nil {
			return err
		}
		w.Seq = seq
		var alternative string
		w.ChannelName, alternative = r.Name(seq)
		active, err := reserve(ctx, tx, w, r.Template, alternative, r.Candidates)
		if err != nil {
			return err
		}
		return r.Guard(active)
	})
}

// reserve inserts the reservation and settles the channel's name in the same round
// trip: w.ChannelName, or alternative when a channel of the team (archived ones too)
// already has that name. It returns the newest active or starting workflows of the
// type that the starter can see (at most candidates, with only id, channel name and
// title), reserved before this one.
// reserveQuery inserts a reservation and reads the guard's candidates (see reserve).
func reserveQuery(candidates int) string {
	// The template version is recorded in the same statement (a data-modifying CTE
	// runs whether or not it is read): no round trip more for a start.
	return `WITH version AS (INSERT INTO devops_template_versions (version, type, template, recorded_at)
		SELECT $14::text, $4::text, $15::jsonb, $12::bigint WHERE $15::jsonb IS NOT NULL
		ON CONFLICT (version) DO NOTHING),
		reserved AS (INSERT INTO devops_workflows (id, team_id, channel_id, channel_name, type, seq,
		title, severity, stage, status, private, lead_id, created_by, created_at, updated_at, closed_at,
		stage_entered_at, summary, next_reminder_at, template_version)
		SELECT $1::text, $2::text, $1::text, CASE WHEN EXISTS (SELECT 1 FROM channels c WHERE c.teamid = $2::text AND c.name = $3::text) THEN $13::text ELSE $3::text END,
		$4,$5,$6,$7,$8,'starting',$9,$10,$11,$12,$12,0,$12,'',0,$14
		RETURNING channel_name)
		SELECT reserved.channel_name, (SELECT COALESCE(json_agg(json_build_object('id', p.id, 'channel_name', p.channel_name, 'title', p.title)
			ORDER BY p.created_at DESC, p.id DESC), '[]') FROM (
			` + candidatesIn("active", candidates) + ` UNION ALL ` + candidatesIn("starting", candidates) + `
			ORDER BY created_at DESC, id DESC` + limitAtLeast(candidates) + `) p)
		FROM reserved`
}

// candidatesIn reads the newest workflows in a status that the guard compares, for
// reserveQuery. One status at a time, each an ordered scan of the team, type and
// status index that stops after n rows; an IN over both statuses cannot come out of
// that index in order, so every active workflow of the type would be read and sorted.
func candidatesIn(status string, n int) string {
	return `(SELECT o.id, o.channel_name, o.title, o.created_at FROM devops_workflows o
		WHERE o.team_id = $2 AND o.type = $4 AND o.status = '` + status + `'
		AND (NOT o.private OR o.created_by = $11 OR EXISTS (SELECT 1 FROM channelmembers cm WHERE cm.channelid = o.channel_id AND cm.userid = $11))
		ORDER BY o.created_at DESC, o.id DESC` + limitAtLeast(n) + `)`
}

// tmpl, when not nil, is the template w starts from, recorded under w.TemplateVersion
// unless that version is on record already.
func reserve(ctx context.Context, q querier, w *app.Workflow, tmpl *app.Template, alternative string, candidates int) ([]*app.Workflow, error) {
	var template any // NULL: nothing to record
	if tmpl != nil {
		raw, err := json.Marshal(tmpl)
		if err != nil {
			return nil, errors.Wrap(err, "encode template")
		}
		template = string(raw)
	}
	var raw []byte
	err := q.QueryRowContext(ctx, reserveQuery(candidates),
		w.ID, w.TeamID, w.ChannelName, w.Type, w.Seq, w.Title, w.Severity, w.Stage, w.Private, w.LeadID, w.CreatedBy, w.CreatedAt,
		alternative, w.TemplateVersion, template).Scan(&w.ChannelName, &raw)
	if err != nil {
		return nil, errors.Wrap(err, "reserve workflow")
	}
	var active []*app.Workflow
	return active, errors.Wrap(json.Unmarshal(raw, &active), "decode active titles")
}

// ActivateWorkflow completes a reservation once its channel exists: the channel, the
// status, roles, first tasks, events and the people the start invites, atomically.
func (s *Store) ActivateWorkflow(ctx context.Context, w *app.Workflow, events []app.TimelineEvent, plan app.InvitePlan) (app.Invitation, error) {
	var inv app.Invitation
	err := s.inTx(ctx, "activate workflow", func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `UPDATE devops_workflows SET channel_id = $2, channel_name = $3, status = $4,
			next_reminder_at = $5, updated_at = $6 WHERE id = $1 AND status = 'starting'`,
			w.ID, w.ChannelID, w.ChannelName, w.Status, w.NextReminderAt, w.UpdatedAt)
		if err != nil {
			return errors.Wrap(err, "activate workflow")
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return errors.Errorf("activate workflow: reservation %s is gone", w.ID)
		}
		if err := saveRoles(ctx, tx, w); err != nil {
			return err
		}
		if err := insertTasks(ctx, tx, w.ID, w.NewTasks); err != nil {
			return err
		}
		w.NewTasks = nil
		if err := insertEvents(ctx, tx, w.ID, events); err != nil {
			return err
		}
		inv, err = queueInvites(ctx, tx, w, plan)
		return err
	})
	return inv, err
}

// CreateWorkflow reserves and activates in one go (the workflow's channel exists).
func (s *Store) CreateWorkflow(ctx context.Context, w *app.Workflow, events []app.TimelineEvent) error {
	if _, err := reserve(ctx, s.db, w, nil, w.ChannelName, 1); err != nil {
		return err
	}
	_, err := s.ActivateWorkflow(ctx, w, events, app.InvitePlan{})
	return err
}

// DropReservation removes a reservation that will not be activated.
func (s *Store) DropReservation(ctx context.Context, id string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM devops_workflows WHERE id = $1 AND status = 'starting'`, id)
	return errors.Wrap(err, "drop reservation")
}

// DeleteWorkflow removes a workflow; its roles, sign-offs, tasks and timeline go
// with it (ON DELETE CASCADE).
func (s *Store) DeleteWorkflow(ctx context.Context, id string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM devops_workflows WHERE id = $1`, id)
	return errors.Wrap(err, "delete workflow")
}

// StaleReservations lists reservations older than before: starts whose node died
// between creating the channel and recording the workflow.
func (s *Store) StaleReservations(ctx context.Context, before int64) ([]*app.Workflow, error) {
	out, err := queryWorkflows(ctx, s.db, `WHERE w.status = 'starting' AND w.created_at < $1 ORDER BY w.created_at LIMIT 100`,
		`p.created_at`, before)
	return out, errors.Wrap(err, "list stale reservations")
}

// StartersNeverJoined returns active workflows created in [from, to) whose starter
// never joined their channel, by Mattermost's own membership history (one who joined
// and left has a row there), while the channel is live and the starter can still be
// added (an active user in the team). Only the id, channel and creator matter.
func (s *Store) StartersNeverJoined(ctx context.Context, from, to int64) ([]*app.Workflow, error) {
	out, err := queryWorkflows(ctx, s.db, `
		JOIN channels ch ON ch.id = w.channel_id AND ch.deleteat = 0
		JOIN users u ON u.id = w.created_by AND u.deleteat = 0
		JOIN teammembers tm ON tm.teamid = w.team_id AND tm.userid = w.created_by AND tm.deleteat = 0
		WHERE w.status = 'active' AND w.created_at >= $1 AND w.created_at < $2
			AND NOT EXISTS (SELECT 1 FROM channelmemberhistory h WHERE h.channelid = w.channel_id AND h.userid = w.created_by)
		ORDER BY w.created_at LIMIT 100`, `p.created_at`, from, to)
	return out, errors.Wrap(err, "list starters who never joined")
}

// viewerJSON states what the server knows of a viewer, read in the same query as the
// workflow so a read costs one round trip. It reads memberships from Mattermost's own
// tables, the truth the plugin API would report; what a member may do is never read
// from role columns but asked of Mattermost (permissions.go), so permission schemes
// and guests count.
const viewerJSON = `json_build_object('channel_member', cm.userid IS NOT NULL, ` + userFacts + `)`

// userFacts are a user's facts in a team, from the joins of userJoins.
const userFacts = `'team_member', tm.userid IS NOT NULL,
	'username', COALESCE(u.username, ''), 'timezone', u.timezone, ` + disciplineFacts

// userJoins joins what userFacts reads for the user and team the two SQL
// expressions name.
func userJoins(team, user string) string {
	return `
	LEFT JOIN teammembers tm ON tm.teamid = ` + team + ` AND tm.userid = ` + user + ` AND tm.deleteat = 0
	LEFT JOIN users u ON u.id = ` + user + disciplineJoin(user)
}

var viewerJoins = `
	LEFT JOIN channelmembers cm ON cm.channelid = w.channel_id AND cm.userid = $2` + userJoins("w.team_id", "$2")

// GetWorkflowFor reads a workflow by id or channel (by is "id" or "channel") together
// with what the viewer is to it, in one round trip.
func (s *Store) GetWorkflowFor(ctx context.Context, by, key, viewerID string) (*app.Workflow, error) {
	col := "w.id"
	if by == "channel" {
		col = "w.channel_id"
	}
	var raw, viewer []byte
	err := s.db.QueryRowContext(ctx, `SELECT `+workflowJSON+`, `+viewerJSON+` FROM devops_workflows w`+viewerJoins+`
		WHERE `+col+` = $1 AND w.status <> 'starting'`, key, viewerID).Scan(&raw, &viewer)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, app.ErrNotFound
	}
	if err != nil {
		return nil, errors.Wrap(err, "get workflow")
	}
	var w app.Workflow
	if err := json.Unmarshal(raw, &w); err != nil {
		return nil, errors.Wrap(err, "decode workflow")
	}
	w.Viewer = &app.Viewer{ID: viewerID}
	return &w, errors.Wrap(json.Unmarshal(viewer, w.Viewer), "decode viewer")
}

// GetWorkflow reads one workflow.
func (s *Store) GetWorkflow(ctx context.Context, id string) (*app.Workflow, error) {
	return s.getWorkflow(ctx, `w.id = $1 AND w.status <> 'starting'`, id)
}

// GetWorkflowByChannel reads the workflow of a channel.
func (s *Store) GetWorkflowByChannel(ctx context.Context, channelID string) (*app.Workflow, error) {
	return s.getWorkflow(ctx, `w.channel_id = $1 AND w.status <> 'starting'`, channelID)
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) scanner
}

func (s *Store) getWorkflow(ctx context.Context, where, arg string) (*app.Workflow, error) {
	w, err := scanWorkflow(s.db.QueryRowContext(ctx, `SELECT `+workflowJSON+` FROM devops_workflows w WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, app.ErrNotFound
	}
	return w, errors.Wrap(err, "get workflow")
}

// ListWorkflows returns one page, newest first, paged by a keyset cursor on
// (created_at, id) so that page 1,000 costs what page 1 costs.
func (s *Store) ListWorkflows(ctx context.Context, f app.ListFilter) ([]*app.Workflow, string, error) {
	where := []string{"w.team_id = $1", "w.status <> 'starting'"}
	args := []any{f.TeamID}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if f.Type != "" {
		where = append(where, "w.type = "+arg(f.Type))
	}
	if f.Status != "" {
		where = append(where, "w.status = "+arg(f.Status))
	}
	if f.ChannelID != "" {
		where = append(where, "w.channel_id = "+arg(f.ChannelID))
	}
	if f.Query != "" {
		where = append(where, "w.title ILIKE "+arg("%"+escapeLike(f.Query)+"%"))
	}
	if len(f.Fields) > 0 {
		// Containment, which the GIN index on fields answers.
		want, err := json.Marshal(f.Fields)
		if err != nil {
			return nil, "", errors.Wrap(err, "encode field filter")
		}
		where = append(where, "w.fields @> "+arg(string(want))+"::jsonb")
	}
	if f.Outdated {
		current := append([]string{}, f.CurrentVersions...) // never NULL, which <> ALL would make NULL
		where = append(where, "w.template_version <> ALL("+arg(pq.Array(current))+"::text[])")
	}
	viewer := arg(f.ViewerID)
	member := channelMember(viewer)
	if f.Mine {
		where = append(where, member)
	} else {
		where = append(where, visibleTo(viewer, arg(f.ReadsPublic)))
	}
	if f.Cursor != "" {
		at, id, err := decodeCursor(f.Cursor)
		if err != nil {
			return nil, "", err
		}
		where = append(where, "(w.created_at, w.id) < ("+arg(at)+", "+arg(id)+")")
	}
	limit := f.PerPage
	// The viewer's team membership comes back with the page: one round trip for both.
	teamMember := `EXISTS (SELECT 1 FROM teammembers tm WHERE tm.teamid = $1 AND tm.userid = ` + viewer + ` AND tm.deleteat = 0)`
	page := `FROM devops_workflows w WHERE ` + strings.Join(where, " AND ") +
		` ORDER BY w.created_at DESC, w.id DESC` + limitAtLeast(limit+1)
	var out []*app.Workflow
	var isMember bool
	var err error
	if f.Brief {
		out, isMember, err = s.listBrief(ctx, member, teamMember, page, args)
	} else {
		var raw []byte
		err = s.db.QueryRowContext(ctx, `SELECT `+teamMember+`, COALESCE(json_agg(p.j ORDER BY p.created_at DESC, p.id DESC), '[]')
			FROM (SELECT `+workflowJSON+` AS j, w.created_at, w.id `+page+`) p`, args...).Scan(&isMember, &raw)
		if err == nil && isMember {
			err = errors.Wrap(json.Unmarshal(raw, &out), "decode workflows")
		}
	}
	if err != nil {
		return nil, "", errors.Wrap(err, "list workflows")
	}
	if !isMember {
		return nil, "", app.ErrNotTeamMember
	}
	out, next := pageOf(out, limit, func(w *app.Workflow) (int64, string) { return w.CreatedAt, w.ID })
	return out, next, nil
}

// listBrief reads a page of what a one-line listing shows (ListFilter.Brief) as plain
// rows, beside the viewer's team membership (teamMember, a boolean SQL expression),
// with the lead's username, the channel's display name and whether the viewer is in
// it (inChannel, a boolean SQL expression on w): no user or channel lookups to render
// the list.
// Plain rows because building JSON is PostgreSQL's dearest part of a page: 0.30 ms
// with json_build_object against 0.10 ms for the same 26 rows as columns (psql,
// 100k workflows). The lateral join returns one row of NULLs when the page is empty
// or the viewer is not in the team, so membership is known either way.
func (s *Store) listBrief(ctx context.Context, inChannel, teamMember, page string, args []any) ([]*app.Workflow, bool, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT v.member, COALESCE(w.id, ''), COALESCE(w.team_id, ''),
		COALESCE(w.channel_id, ''), COALESCE(w.channel_name, ''), COALESCE(w.type, ''), COALESCE(w.seq, 0),
		COALESCE(w.title, ''), COALESCE(w.severity, ''), COALESCE(w.stage, ''), COALESCE(w.status, ''),
		COALESCE(w.private, false), COALESCE(w.lead_id, ''), COALESCE(w.created_at, 0), COALESCE(lead.username, ''),
		COALESCE(ch.displayname, ''), `+inChannel+`
		FROM (SELECT `+teamMember+` AS member) v
		LEFT JOIN LATERAL (SELECT w.id, w.team_id, w.channel_id, w.channel_name, w.type, w.seq, w.title, w.severity,
			w.stage, w.status, `+privateSQL+` AS private, w.lead_id, w.created_at `+page+`) w ON v.member
		LEFT JOIN users lead ON lead.id = w.lead_id
		LEFT JOIN channels ch ON ch.id = w.channel_id
		ORDER BY w.created_at DESC, w.id DESC`, args...)
	if err != nil {
		return nil, false, err
	}
	defer func() { _ = rows.Close() }()
	var out []*app.Workflow
	member := false
	for rows.Next() {
		w := &app.Workflow{}
		if err := rows.Scan(&member, &w.ID, &w.TeamID, &w.ChannelID, &w.ChannelName, &w.Type, &w.Seq, &w.Title,
			&w.Severity, &w.Stage, &w.Status, &w.Private, &w.LeadID, &w.CreatedAt, &w.LeadUsername,
			&w.ChannelDisplayName, &w.ViewerInChannel); err != nil {
			return nil, false, err
		}
		if w.ID != "" {
			out = append(out, w)
		}
	}
	return out, member, rows.Err()
}

// StartFacts reads in one round trip what a start checks: the starter's facts in
// the team (membership, username, discipline and its source) and, for the duplicate
// guard, the newest active workflows of the type that the starter can see
// (readsPublic as in ListFilter), with only id, channel name and title filled in (at
// most titles of them).
func (s *Store) StartFacts(ctx context.Context, teamID, typ, actorID string, readsPublic bool, titles int) (*app.Viewer, []*app.Workflow, error) {
	var facts, raw []byte
	err := s.db.QueryRowContext(ctx, `SELECT json_build_object(`+userFacts+`), (
		SELECT COALESCE(json_agg(json_build_object('id', p.id, 'channel_name', p.channel_name, 'title', p.title)
		ORDER BY p.created_at DESC, p.id DESC), '[]') FROM (
			SELECT w.id, w.channel_name, w.title, w.created_at FROM devops_workflows w
			WHERE w.team_id = $1 AND w.type = $2 AND w.status = 'active'
			AND `+visibleTo("$3", "$4")+`
			ORDER BY w.created_at DESC, w.id DESC`+limitAtLeast(titles)+`) p)
		FROM (SELECT 1) one`+userJoins("$1", "$3"), teamID, typ, actorID, readsPublic).Scan(&facts, &raw)
	if err != nil {
		return nil, nil, errors.Wrap(err, "read start facts")
	}
	viewer := &app.Viewer{ID: actorID}
	if err := json.Unmarshal(facts, viewer); err != nil {
		return nil, nil, errors.Wrap(err, "decode start facts")
	}
	var similar []*app.Workflow
	if err := json.Unmarshal(raw, &similar); err != nil {
		return nil, nil, errors.Wrap(err, "decode active titles")
	}
	return viewer, similar[:min(len(similar), titles)], nil
}

// UpdateWorkflow applies fn's change to one workflow (see changeWorkflowAs), so
// concurrent commands see each other's effects and none is lost.
func (s *Store) UpdateWorkflow(ctx context.Context, id string, fn func(w *app.Workflow) ([]app.TimelineEvent, error)) (*app.Workflow, error) {
	return s.UpdateWorkflowAs(ctx, id, "", fn)
}

// UpdateWorkflowAs is UpdateWorkflow with the workflow fn sees read together with
// what viewerID is to it (its Viewer, as GetWorkflowFor reads it), so a change checks
// who may make it without a read of its own.
func (s *Store) UpdateWorkflowAs(ctx context.Context, id, viewerID string, fn func(w *app.Workflow) ([]app.TimelineEvent, error)) (*app.Workflow, error) {
	var out *app.Workflow
	err := s.changeWorkflowAs(ctx, id, viewerID, "update workflow", func(w *app.Workflow) (func(tx *txn) error, error) {
		events, err := fn(w)
		if err != nil {
			return nil, err
		}
		return func(tx *txn) error {
			if err := saveWorkflow(ctx, tx, w, events); err != nil {
				return err
			}
			out = w
			return nil
		}, nil
	})
	return out, err
}

// maxChangeAttempts bounds how often a change is decided again because the workflow
// changed before it could be saved. Every failed attempt means another change was
// saved, so only a crowd changing one workflow at once comes near it.
const maxChangeAttempts = 25

// errChangedMeanwhile: the workflow's row version moved between the read a change
// was decided on and the write.
var errChangedMeanwhile = errors.New("workflow changed meanwhile")

// changeWorkflowAs saves a change to a workflow without holding a connection while the
// change is decided. decide sees the workflow as read, outside any transaction, and
// may take its time (the service asks Mattermost who may do what); it returns the
// save. The save then runs in a short transaction that locks the row and checks that
// its version (PostgreSQL's xmin, new on every update of the row) is the one decide
// saw; if another change landed in between, decide runs again on the new state. A
// transaction that waited on Mattermost, or on a second connection, would hold one
// of the pool's few connections meanwhile, and a burst of them exhausted the pool.
//
// Every write that changes what decide sees (roles, sign-offs, tasks) updates the
// workflow's row in the same transaction, so the row's version covers them all.
//
// The read also fills in the Viewer of viewerID when it is not empty (UpdateWorkflowAs).
func (s *Store) changeWorkflowAs(ctx context.Context, id, viewerID, what string, decide func(w *app.Workflow) (save func(tx *txn) error, err error)) error {
	for attempt := 1; ; attempt++ {
		var raw, viewer []byte
		var version string
		var err error
		if viewerID == "" {
			err = s.db.QueryRowContext(ctx, `SELECT `+workflowJSON+`, w.xmin::text FROM devops_workflows w
				WHERE w.id = $1 AND w.status <> 'starting'`, id).Scan(&raw, &version)
		} else {
			err = s.db.QueryRowContext(ctx, `SELECT `+workflowJSON+`, w.xmin::text, `+viewerJSON+` FROM devops_workflows w`+viewerJoins+`
				WHERE w.id = $1 AND w.status <> 'starting'`, id, viewerID).Scan(&raw, &version, &viewer)
		}
		if errors.Is(err, sql.ErrNoRows) {
			return app.ErrNotFound
		}
		if err != nil {
			return errors.Wrapf(err, "%s: read workflow", what)
		}
		var w app.Workflow
		if err := json.Unmarshal(raw, &w); err != nil {
			return errors.Wrapf(err, "%s: decode workflow", what)
		}
		if viewerID != "" {
			w.Viewer = &app.Viewer{ID: viewerID}
			if err := json.Unmarshal(viewer, w.Viewer); err != nil {
				return errors.Wrapf(err, "%s: decode viewer", what)
			}
		}
		save, err := decide(&w)
		if err != nil {
			return err
		}
		err = s.inTx(ctx, what, func(tx *txn) error {
			var current string
			err := tx.QueryRowContext(ctx, `SELECT xmin::text FROM devops_workflows WHERE id = $1 FOR UPDATE`, id).Scan(&current)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				return app.ErrNotFound
			case err != nil:
				return errors.Wrap(err, "lock workflow")
			case current != version:
				return errChangedMeanwhile
			}
			return save(tx)
		})
		if !errors.Is(err, errChangedMeanwhile) {
			return err
		}
		if attempt == maxChangeAttempts {
			return &app.Error{Kind: app.KindConflict, Message: "The workflow kept changing while this change was being saved. Try again."}
		}
	}
}

// saveWorkflow writes a changed workflow, its new roles, sign-offs and tasks, and the
// events that record the change.
func saveWorkflow(ctx context.Context, tx *txn, w *app.Workflow, events []app.TimelineEvent) error {
	w.UpdatedAt = nowMillis()
	var last app.StatusUpdate
	if w.LastStatus != nil {
		last = *w.LastStatus
	}
	_, err := tx.ExecContext(ctx, `UPDATE devops_workflows SET title = $2, severity = $3, stage = $4, status = $5,
		private = $6, lead_id = $7, updated_at = $8, closed_at = $9, stage_entered_at = $10, summary = $11,
		last_status_text = $12, last_status_user_id = $13, last_status_at = $14,
		next_reminder_at = $15, first_status_at = $16, team_id = $17
		WHERE id = $1`, w.ID, w.Title, w.Severity, w.Stage, w.Status, w.Private, w.LeadID, w.UpdatedAt,
		w.ClosedAt, w.StageEnteredAt, w.Summary, last.Text, last.UserID, last.At, w.NextReminderAt, w.FirstStatusAt, w.TeamID)
	if err != nil {
		return errors.Wrap(err, "save workflow")
	}
	// Roles are upserted (a role changes hands, none is ever removed).
	if err := saveRoles(ctx, tx, w); err != nil {
		return err
	}
	if err := saveSignoffs(ctx, tx, w); err != nil {
		return err
	}
	if err := saveFields(ctx, tx, w); err != nil {
		return err
	}
	if err := insertTasks(ctx, tx, w.ID, w.NewTasks); err != nil {
		return err
	}
	w.NewTasks = nil
	return insertEvents(ctx, tx, w.ID, events)
}

// saveFields stores the custom fields when the change set them (FieldsChanged):
// most changes leave them be, and cost no more for their existence.
func saveFields(ctx context.Context, tx *txn, w *app.Workflow) error {
	if !w.FieldsChanged {
		return nil
	}
	fields := w.Fields
	if fields == nil {
		fields = map[string]string{}
	}
	raw, err := json.Marshal(fields)
	if err != nil {
		return errors.Wrap(err, "encode fields")
	}
	_, err = tx.ExecContext(ctx, `UPDATE devops_workflows SET fields = $2::jsonb WHERE id = $1`, w.ID, string(raw))
	w.FieldsChanged = false
	return errors.Wrap(err, "save fields")
}

// saveRoles stores the workflow roles in one statement; the service keeps the lead
// role's holder equal to lead_id in the same transaction. A role keeps its
// assigned_at until it changes hands.
func saveRoles(ctx context.Context, tx *txn, w *app.Workflow) error {
	roles, err := json.Marshal(w.Roles)
	if err != nil {
		return errors.Wrap(err, "encode roles")
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO devops_roles (workflow_id, role, user_id, assigned_at)
		SELECT $1, r.key, r.value, $3 FROM json_each_text($2::json) r WHERE r.value <> ''
		ON CONFLICT (workflow_id, role) DO UPDATE SET user_id = EXCLUDED.user_id, assigned_at = EXCLUDED.assigned_at
		WHERE devops_roles.user_id <> EXCLUDED.user_id`, w.ID, string(roles), nowMillis())
	return errors.Wrap(err, "save roles")
}

// saveSignoffs deletes the voided sign-offs and records new ones, a statement each;
// existing ones stay as they were.
func saveSignoffs(ctx context.Context, tx *txn, w *app.Workflow) error {
	if len(w.VoidedSignoffs) > 0 {
		voided, err := json.Marshal(w.VoidedSignoffs)
		if err != nil {
			return errors.Wrap(err, "encode voided sign-offs")
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM devops_signoffs s USING json_to_recordset($2::json) AS v(stage text, discipline text)
			WHERE s.workflow_id = $1 AND s.stage = v.stage AND s.discipline = v.discipline`, w.ID, string(voided)); err != nil {
			return errors.Wrap(err, "void sign-offs")
		}
		w.VoidedSignoffs = nil
	}
	if len(w.Signoffs) == 0 {
		return nil
	}
	signoffs, err := json.Marshal(w.Signoffs)
	if err != nil {
		return errors.Wrap(err, "encode sign-offs")
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO devops_signoffs (workflow_id, stage, discipline, user_id, note, at, source)
		SELECT $1, s.stage, s.discipline, s.user_id, s.note, s.at, COALESCE(s.source, '')
		FROM json_to_recordset($2::json) AS s(stage text, discipline text, user_id text, note text, at bigint, source text)
		ON CONFLICT DO NOTHING`, w.ID, string(signoffs))
	return errors.Wrap(err, "save sign-offs")
}

// completeEvent fills in an event's id and time when the caller left them out and
// encodes its data for the jsonb column.
func completeEvent(ev app.TimelineEvent) (app.TimelineEvent, []byte) {
	if ev.ID == "" {
		ev.ID = model.NewId()
	}
	if ev.At == 0 {
		ev.At = nowMillis()
	}
	data, err := json.Marshal(ev.Data)
	if err != nil || ev.Data == nil {
		data = []byte("{}")
	}
	return ev, data
}

func insertEvents(ctx context.Context, tx *txn, workflowID string, events []app.TimelineEvent) error {
	if len(events) == 0 {
		return nil
	}
	type row struct {
		app.TimelineEvent
		Data json.RawMessage `json:"data"`
	}
	rows := make([]row, len(events))
	for i, ev := range events {
		ev, data := completeEvent(ev)
		rows[i] = row{TimelineEvent: ev, Data: data}
	}
	payload, err := json.Marshal(rows)
	if err != nil {
		return errors.Wrap(err, "encode events")
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO devops_timeline (id, workflow_id, type, at, actor_id, summary, post_id, data)
		SELECT e.id, $1, e.type, e.at, e.actor_id, e.summary, e.post_id, COALESCE(e.data, '{}')::jsonb
		FROM json_to_recordset($2::json) AS e(id text, type text, at bigint, actor_id text, summary text, post_id text, data json)`,
		workflowID, string(payload))
	return errors.Wrap(err, "record events")
}

// pageOf cuts a page read with one row beyond limit back to limit and returns the
// keyset cursor after its last row, or "" when nothing follows.
func pageOf[T any](items []T, limit int, key func(T) (at int64, id string)) ([]T, string) {
	if len(items) <= limit {
		return items, ""
	}
	items = items[:limit]
	return items, encodeCursor(key(items[limit-1]))
}

func encodeCursor(at int64, id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(at, 10) + ":" + id))
}

func decodeCursor(c string) (int64, string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, "", &app.Error{Kind: app.KindInvalid, Message: "the cursor is malformed: pass back next_cursor as given"}
	}
	atStr, id, ok := strings.Cut(string(raw), ":")
	at, err := strconv.ParseInt(atStr, 10, 64)
	if !ok || err != nil || !model.IsValidId(id) {
		return 0, "", &app.Error{Kind: app.KindInvalid, Message: "the cursor is malformed: pass back next_cursor as given"}
	}
	return at, id, nil
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// DueReminders returns active workflows whose reminder time has come, oldest first:
// one indexed query per scheduler tick, whatever the number of workflows.
func (s *Store) DueReminders(ctx context.Context, now int64, limit int) ([]*app.Workflow, error) {
	out, err := queryWorkflows(ctx, s.db, dueReminders, `p.next_reminder_at`, now, limit)
	return out, errors.Wrap(err, "list due reminders")
}

// dueReminders selects the workflows whose reminder is due, on the partial index
// devops_workflows_reminder_idx.
const dueReminders = `WHERE w.status = 'active' AND w.next_reminder_at > 0 AND w.next_reminder_at <= $1
	ORDER BY w.next_reminder_at LIMIT $2`

// ExplainDueReminders returns PostgreSQL's executed plan for the reminder tick's query,
// so the benchmark can show it is an index scan whatever the number of workflows.
func (s *Store) ExplainDueReminders(ctx context.Context, now int64, limit int) (string, error) {
	rows, err := s.db.QueryContext(ctx, `EXPLAIN ANALYZE SELECT w.id FROM devops_workflows w `+dueReminders, now, limit)
	if err != nil {
		return "", errors.Wrap(err, "explain due reminders")
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return "", errors.Wrap(err, "read plan")
		}
		plan = append(plan, line)
	}
	return strings.Join(plan, "\n"), errors.Wrap(rows.Err(), "read plan")
}

// ClaimReminder moves a workflow's reminder from expected to next and, in the same
// transaction, records the reminder r to post and its timeline event. It reports
// false, recording nothing, when someone else moved the reminder first (a status
// update, a snooze, another tick), so a reminder is claimed once.
func (s *Store) ClaimReminder(ctx context.Context, expected, next int64, r app.Reminder, ev app.TimelineEvent) (bool, error) {
	claimed := false
	err := s.inTx(ctx, "claim reminder", func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `UPDATE devops_workflows SET next_reminder_at = $3
			WHERE id = $1 AND next_reminder_at = $2 AND status = 'active'`, r.WorkflowID, expected, next)
		if err != nil {
			return errors.Wrap(err, "advance reminder")
		}
		n, err := res.RowsAffected()
		if err != nil {
			return errors.Wrap(err, "advance reminder")
		}
		if n != 1 {
			return nil // moved by someone else: nothing to record
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO devops_reminders (id, workflow_id, channel_id, message, claimed_at)
			VALUES ($1, $2, $3, $4, $5)`, r.ID, r.WorkflowID, r.ChannelID, r.Message, r.ClaimedAt); err != nil {
			return errors.Wrap(err, "record reminder")
		}
		claimed = true
		return insertEvents(ctx, tx, r.WorkflowID, []app.TimelineEvent{ev})
	})
	return claimed && err == nil, err
}

// PendingReminders lists reminders claimed before before and not known to be posted,
// oldest first.
func (s *Store) PendingReminders(ctx context.Context, before int64, limit int) ([]app.Reminder, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, workflow_id, channel_id, message, claimed_at FROM devops_reminders
		WHERE claimed_at < $1 ORDER BY claimed_at`+limitAtLeast(limit), before)
	if err != nil {
		return nil, errors.Wrap(err, "list pending reminders")
	}
	defer func() { _ = rows.Close() }()
	var out []app.Reminder
	for len(out) < limit && rows.Next() {
		var r app.Reminder
		if err := rows.Scan(&r.ID, &r.WorkflowID, &r.ChannelID, &r.Message, &r.ClaimedAt); err != nil {
			return nil, errors.Wrap(err, "read pending reminder")
		}
		out = append(out, r)
	}
	return out, errors.Wrap(rows.Err(), "list pending reminders")
}

// ReminderPosted forgets a reminder once its post exists.
func (s *Store) ReminderPosted(ctx context.Context, id string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM devops_reminders WHERE id = $1`, id)
	return errors.Wrap(err, "forget posted reminder")
}

// ClosedBefore lists closed workflows whose channel is not archived yet.
func (s *Store) ClosedBefore(ctx context.Context, before int64, limit int) ([]*app.Workflow, error) {
	out, err := queryWorkflows(ctx, s.db, `WHERE w.status = 'closed' AND w.archived_at = 0 AND w.closed_at < $1
		ORDER BY w.closed_at LIMIT $2`, `p.closed_at`, before, limit)
	return out, errors.Wrap(err, "list closed workflows")
}

// MarkArchived records that a closed workflow's channel was archived; false when it
// was reopened or archived meanwhile.
func (s *Store) MarkArchived(ctx context.Context, id string, at int64) (bool, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE devops_workflows SET archived_at = $2 WHERE id = $1 AND status = 'closed' AND archived_at = 0`, id, at)
	if err != nil {
		return false, errors.Wrap(err, "mark archived")
	}
	n, err := res.RowsAffected()
	return n == 1, errors.Wrap(err, "mark archived")
}
