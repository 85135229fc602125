package app

import (
	"context"
)

// Timeline pages through a visible workflow's events.
func (s *Service) Timeline(ctx context.Context, actorID, id, cursor string, perPage int, newestFirst bool) ([]TimelineEvent, string, error) {
	w, err := s.Get(ctx, actorID, id)
	if err != nil {
		return nil, "", err
	}
	if perPage <= 0 || perPage > 200 {
		perPage = 100
	}
	return s.store.ListTimeline(ctx, w.ID, cursor, perPage, newestFirst)
}
