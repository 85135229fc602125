package app

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
)

// Person is a workflow channel member as a teammate in another time zone sees them.
type Person struct {
	UserID         string     `json:"user_id"`
	Username       string     `json:"username"`
	DisplayName    string     `json:"display_name"`
	Discipline     Discipline `json:"discipline"`
	Role           string     `json:"role"`
	Timezone       string     `json:"timezone"`
	LocalTime      string     `json:"local_time"`
	InWorkingHours bool       `json:"in_working_hours"`
	// DisciplineSource and GrantedBy say how the discipline is known (see UserDiscipline).
	DisciplineSource DisciplineSource `json:"discipline_source"`
	GrantedBy        string           `json:"granted_by,omitempty"`
}

// localTime returns a user's time zone name and the time there.
func localTime(u *model.User, now time.Time) (string, time.Time) {
	loc := userLocation(u)
	return loc.String(), now.In(loc)
}

// inWorkingHours reports whether a local time falls in the configured working hours
// on a weekday; hours that wrap past midnight (22:00-06:00) are supported.
func (s *Service) inWorkingHours(t time.Time) bool {
	if t.Weekday() == time.Saturday || t.Weekday() == time.Sunday {
		return false
	}
	m := t.Hour()*60 + t.Minute()
	start, end := s.settings().WorkStart, s.settings().WorkEnd
	if start < end {
		return m >= start && m < end
	}
	return m >= start || m < end
}

func (s *Service) person(u *model.User, ud UserDiscipline, w *Workflow, now time.Time) Person {
	tz, local := localTime(u, now)
	var roles []string
	for role, id := range w.Roles {
		if id == u.Id {
			roles = append(roles, role)
		}
	}
	sort.Strings(roles)
	return Person{
		UserID: u.Id, Username: u.Username, DisplayName: u.GetDisplayName(model.ShowNicknameFullName),
		Discipline: ud.Discipline, DisciplineSource: ud.Source, GrantedBy: ud.GrantedBy, Role: strings.Join(roles, ", "), Timezone: tz,
		LocalTime: local.Format("15:04 Mon"), InWorkingHours: s.inWorkingHours(local),
	}
}

// Who lists a visible workflow's members: discipline, role, local time and whether
// they are in working hours — who can pick this up right now.
func (s *Service) Who(ctx context.Context, actorID, id string) (*Workflow, []Person, error) {
	w, err := s.Get(ctx, actorID, id)
	if err != nil {
		return nil, nil, err
	}
	// The members, their names, zones and disciplines come in one read: a server call
	// per member, then one per 200, made a channel of 500 answer in a tenth of a
	// second (make bench-large).
	members, err := s.store.ChannelPeople(ctx, w.ChannelID)
	if err != nil {
		return nil, nil, err
	}
	now := time.Now()
	out := make([]Person, 0, len(members))
	for _, m := range members {
		out = append(out, s.person(m.User, m.Discipline, w, now))
	}
	// Role holders first, then people at work, then by name.
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if (a.Role != "") != (b.Role != "") {
			return a.Role != ""
		}
		if a.InWorkingHours != b.InWorkingHours {
			return a.InWorkingHours
		}
		return a.Username < b.Username
	})
	return w, out, nil
}

// Handoff moves the lead to another person with a summary for them: the follow-the-sun
// handover between time zones. The lead or an admin may.
func (s *Service) Handoff(ctx context.Context, actorID, id, username, note string) (*Workflow, error) {
	note = cleanNote(note)
	if err := checkLength("handoff note", note, MaxNoteRunes); err != nil {
		return nil, err
	}
	username = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(username), "@"))
	to, err := s.mm.GetUserByUsername(username)
	if err != nil || to.DeleteAt != 0 || to.IsBot {
		return nil, invalid("No user @%s.", username)
	}
	var from string
	w, tmpl, err := s.mutate(ctx, actorID, id, func(w *Workflow, tmpl *Template) ([]TimelineEvent, error) {
		if err := requireActive(w); err != nil {
			return nil, err
		}
		if err := s.requireLead(w, tmpl, actorID, "hand off the lead"); err != nil {
			return nil, err
		}
		if w.LeadID == to.Id {
			return nil, conflict("@%s already leads this workflow.", to.Username)
		}
		if !s.mm.IsTeamMember(w.TeamID, to.Id) {
			return nil, invalid("@%s is not a member of this team.", to.Username)
		}
		from = w.LeadID
		w.LeadID = to.Id
		w.Roles[tmpl.LeadRole] = to.Id
		return []TimelineEvent{{Type: EventHandoff, ActorID: actorID, Data: map[string]string{"from": from, "to": to.Id},
			Summary: fmt.Sprintf("%s handed the %s role to @%s", s.mention(from), tmpl.LeadRole, to.Username)}}, nil
	})
	if err != nil {
		return nil, err
	}
	if !s.mm.IsChannelMember(w.ChannelID, to.Id) {
		if err := s.mm.AddChannelMember(w.ChannelID, to.Id, actorID); err != nil {
			s.mm.LogError("Could not add the new lead to the channel", "user_id", to.Id, "err", err.Error())
		}
	}
	posted := s.post(w, s.handoffMessage(ctx, w, tmpl, from, to, note))
	s.publish(w, ChangeRole)
	return w, posted
}

func (s *Service) handoffMessage(ctx context.Context, w *Workflow, tmpl *Template, fromID string, to *model.User, note string) string {
	now := time.Now()
	var b strings.Builder
	fromName, fromTime := s.mention(fromID), ""
	if u, err := s.mm.GetUser(fromID); err == nil {
		tz, t := localTime(u, now)
		fromTime = fmt.Sprintf(" (%s %s)", t.Format("15:04"), tz)
	}
	tz, t := localTime(to, now)
	fmt.Fprintf(&b, "🤝 **Handoff:** %s%s → @%s (%s %s) is now **%s**.\n", fromName, fromTime, to.Username, t.Format("15:04"), tz, tmpl.LeadRole)
	fmt.Fprintf(&b, "**State:** stage **%s**", w.Stage)
	if w.Severity != "" {
		fmt.Fprintf(&b, " · severity **%s**", w.Severity)
	}
	b.WriteString("\n")
	if w.LastStatus != nil {
		fmt.Fprintf(&b, "**Last status** (%s ago, %s):\n%s\n", humanDuration(now.Sub(time.UnixMilli(w.LastStatus.At))), s.mention(w.LastStatus.UserID), Quoted(w.LastStatus.Text))
	}
	if tasks, err := s.store.ListTasks(ctx, w.ID); err == nil {
		var open []string
		for _, t := range tasks {
			if !t.Done {
				open = append(open, fmt.Sprintf("#%d %s", t.Number, Inline(t.Text)))
			}
		}
		if len(open) > 0 {
			fmt.Fprintf(&b, "**Open tasks (%d):** %s\n", len(open), strings.Join(firstN(open, 10), " · "))
		}
	}
	if note != "" {
		fmt.Fprintf(&b, "**Note:**\n%s\n", Quoted(note))
	}
	return b.String()
}

func firstN(items []string, n int) []string {
	if len(items) <= n {
		return items
	}
	return append(items[:n:n], fmt.Sprintf("and %d more", len(items)-n))
}
