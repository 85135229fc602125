package app

import (
	"context"
	"time"
)

// CloseTimesFilter selects the workflows the close-times chart is computed over.
type CloseTimesFilter struct {
	TeamID   string
	ViewerID string
	// ReadsPublic as in ListFilter.
	ReadsPublic bool
	// From is the first week's start (ms); Weeks how many weeks follow it.
	From  int64
	Weeks int
}

// CloseTimeBucket is one type's workflows closed in one week: how many, and the
// median time from their start to their close.
type CloseTimeBucket struct {
	Type     string
	Week     int // 0 is the oldest week
	Closed   int
	MedianMs int64
}

// CloseTimes is the chart of the team view: the median time to close per week, per
// type. Weeks start on Monday 00:00 UTC, oldest first, the current week last.
type CloseTimes struct {
	Weeks  []int64            `json:"weeks"`
	Series []CloseTimesSeries `json:"series"`
}

// CloseTimesSeries is one type's line: for each week, how many closed and their
// median time to close in milliseconds (null for a week when none closed).
type CloseTimesSeries struct {
	Type     string   `json:"type"`
	Name     string   `json:"name"`
	Closed   []int    `json:"closed"`
	MedianMs []*int64 `json:"median_ms"`
}

// CloseTimeWeeks is how many weeks the chart shows.
const CloseTimeWeeks = 12

const week = 7 * 24 * time.Hour

// weekStart is the Monday 00:00 UTC that begins t's week.
func weekStart(t time.Time) time.Time {
	t = t.UTC()
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
}

// CloseTimes computes the team's median time to close per week for the last
// CloseTimeWeeks weeks (the current one included), per type that closed any, for a
// team member; workflows count only for those who may read them.
func (s *Service) CloseTimes(ctx context.Context, actorID, teamID string, now time.Time) (*CloseTimes, error) {
	if err := checkID("team_id", teamID); err != nil {
		return nil, err
	}
	if !s.mm.IsTeamMember(teamID, actorID) {
		return nil, forbidden("You are not a member of that team.")
	}
	first := weekStart(now).Add(-(CloseTimeWeeks - 1) * week)
	f := CloseTimesFilter{TeamID: teamID, ViewerID: actorID, From: first.UnixMilli(), Weeks: CloseTimeWeeks}
	buckets, err := readAsTeamReader(s, actorID, teamID, func(readsPublic bool) ([]CloseTimeBucket, error) {
		f.ReadsPublic = readsPublic
		return s.store.CloseTimes(ctx, f)
	})
	if err != nil {
		return nil, err
	}
	out := &CloseTimes{Weeks: make([]int64, CloseTimeWeeks), Series: []CloseTimesSeries{}}
	for i := range out.Weeks {
		out.Weeks[i] = first.Add(time.Duration(i) * week).UnixMilli()
	}
	byType := map[string]int{}
	for _, b := range buckets {
		if b.Week < 0 || b.Week >= CloseTimeWeeks {
			continue
		}
		i, ok := byType[b.Type]
		if !ok {
			name := b.Type
			if t, defined := s.settings().Templates.Defined(b.Type); defined {
				name = t.Name
			}
			i = len(out.Series)
			byType[b.Type] = i
			out.Series = append(out.Series, CloseTimesSeries{Type: b.Type, Name: name,
				Closed: make([]int, CloseTimeWeeks), MedianMs: make([]*int64, CloseTimeWeeks)})
		}
		median := b.MedianMs
		out.Series[i].Closed[b.Week] = b.Closed
		out.Series[i].MedianMs[b.Week] = &median
	}
	return out, nil
}
