package app

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/pkg/errors"
)

// The service catalog: the services a team runs, who owns them, their on-call
// rotation (by name: its on-call person leads the service's alert incidents),
// repository and tier. Deploys, gate checks and alerts that name a catalogued
// service find its team's active workflow by it, and the incidents the alert
// intake opens for it invite its owners.

// CatalogService is one service of a team's catalog.
type CatalogService struct {
	ID       string   `json:"id"`
	TeamID   string   `json:"team_id"`
	Name     string   `json:"name"`
	OwnerIDs []string `json:"owner_ids"`
	// Owners are the owners' usernames, filled in when read for a person.
	Owners          []string   `json:"owners"`
	OwnerDiscipline Discipline `json:"owner_discipline"`
	Rotation        string     `json:"rotation"`
	Repository      string     `json:"repository"`
	Tier            string     `json:"tier"`
	CreatedBy       string     `json:"created_by"`
	CreatedAt       int64      `json:"created_at"`
	UpdatedAt       int64      `json:"updated_at"`
}

// ServiceRequest adds a service, or changes the fields it sets (nil: unchanged).
type ServiceRequest struct {
	TeamID          string    `json:"team_id"`
	Name            string    `json:"name"`
	Owners          *[]string `json:"owners"` // usernames, with or without @
	OwnerDiscipline *string   `json:"owner_discipline"`
	Rotation        *string   `json:"rotation"`
	Repository      *string   `json:"repository"`
	Tier            *string   `json:"tier"`
}

var (
	serviceNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
	tierRE        = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9 ._-]{0,15}$`)
)

const maxServiceOwners = 20

// checkServiceName refuses a name that is not one word of at most 64 characters: the
// name is matched as a word in titles and the `service` field of events.
func checkServiceName(name string) error {
	if !serviceNameRE.MatchString(name) {
		return invalid("name must be one word of letters, digits, '.', '_' or '-' (at most 64), such as checkout-api.")
	}
	return nil
}

// AddService adds a service to a team's catalog. Adding one needs what starting an
// incident needs (Mattermost's permission to create public channels in the team:
// every member but guests by default), as the catalog decides who incidents invite.
func (s *Service) AddService(ctx context.Context, actorID string, req ServiceRequest) (*CatalogService, error) {
	name := strings.TrimSpace(req.Name)
	if err := checkServiceName(name); err != nil {
		return nil, err
	}
	if err := s.mayEditCatalog(actorID, req.TeamID); err != nil {
		return nil, err
	}
	now := time.Now().UnixMilli()
	svc := &CatalogService{ID: model.NewId(), TeamID: req.TeamID, Name: name, OwnerIDs: []string{}, CreatedBy: actorID, CreatedAt: now, UpdatedAt: now}
	if err := s.applyServiceRequest(svc, req); err != nil {
		return nil, err
	}
	err := s.store.AddService(ctx, svc)
	if errors.Is(err, ErrDuplicate) {
		return nil, conflict("The team already has a service named %s. Change it through PATCH /services/{id}, or `/%s service remove %s` and add it again.",
			name, s.settings().CommandTrigger, name)
	}
	if err != nil {
		return nil, errors.Wrap(err, "add service")
	}
	return s.withOwnerNames(svc), nil
}

// UpdateService changes the fields a request sets; the owners, their creator and
// whoever may manage the team may.
func (s *Service) UpdateService(ctx context.Context, actorID, id string, req ServiceRequest) (*CatalogService, error) {
	svc, err := s.serviceFor(ctx, actorID, id)
	if err != nil {
		return nil, err
	}
	if err := s.mayChangeService(actorID, svc); err != nil {
		return nil, err
	}
	if name := strings.TrimSpace(req.Name); name != "" && name != svc.Name {
		return nil, invalid("A service keeps its name: remove it and add it under the new one.")
	}
	if err := s.applyServiceRequest(svc, req); err != nil {
		return nil, err
	}
	svc.UpdatedAt = time.Now().UnixMilli()
	if err := s.store.UpdateService(ctx, svc); err != nil {
		return nil, errors.Wrap(err, "update service")
	}
	return s.withOwnerNames(svc), nil
}

// RemoveService removes a service from the catalog, on the terms of UpdateService.
func (s *Service) RemoveService(ctx context.Context, actorID, id string) (*CatalogService, error) {
	svc, err := s.serviceFor(ctx, actorID, id)
	if err != nil {
		return nil, err
	}
	if err := s.mayChangeService(actorID, svc); err != nil {
		return nil, err
	}
	if err := s.store.DeleteService(ctx, svc.ID); err != nil {
		return nil, errors.Wrap(err, "remove service")
	}
	return svc, nil
}

// GetService returns a service of a team the actor belongs to.
func (s *Service) GetService(ctx context.Context, actorID, id string) (*CatalogService, error) {
	svc, err := s.serviceFor(ctx, actorID, id)
	if err != nil {
		return nil, err
	}
	return s.withOwnerNames(svc), nil
}

// ServiceByName returns a team's service by name, for a team member.
func (s *Service) ServiceByName(ctx context.Context, actorID, teamID, name string) (*CatalogService, error) {
	if !model.IsValidId(teamID) || !s.mm.IsTeamMember(teamID, actorID) {
		return nil, forbidden("You are not a member of that team.")
	}
	svc, err := s.store.ServiceByName(ctx, teamID, strings.TrimSpace(name))
	if errors.Is(err, ErrNotFound) {
		return nil, notFound("No service %s in this team's catalog. `/%s service list` shows them.", Inline(truncateRunes(cleanText(name), 64)), s.settings().CommandTrigger)
	}
	if err != nil {
		return nil, errors.Wrap(err, "get service")
	}
	return s.withOwnerNames(svc), nil
}

// ListServices returns a team's catalog, by name, to its members.
func (s *Service) ListServices(ctx context.Context, actorID, teamID string) ([]*CatalogService, error) {
	if !model.IsValidId(teamID) || !s.mm.IsTeamMember(teamID, actorID) {
		return nil, forbidden("You are not a member of that team.")
	}
	items, err := s.store.ListServices(ctx, teamID)
	if err != nil {
		return nil, errors.Wrap(err, "list services")
	}
	for _, svc := range items {
		s.withOwnerNames(svc)
	}
	return items, nil
}

func (s *Service) serviceFor(ctx context.Context, actorID, id string) (*CatalogService, error) {
	if !model.IsValidId(id) {
		return nil, notFound("No such service.")
	}
	svc, err := s.store.GetService(ctx, id)
	if errors.Is(err, ErrNotFound) || err == nil && !s.mm.IsTeamMember(svc.TeamID, actorID) {
		return nil, notFound("No such service.")
	}
	return svc, errors.Wrap(err, "get service")
}

func (s *Service) mayEditCatalog(actorID, teamID string) error {
	if !model.IsValidId(teamID) || !s.mm.IsTeamMember(teamID, actorID) {
		return forbidden("You can change the catalog only of a team you belong to.")
	}
	if !s.mm.HasPermissionToTeam(actorID, teamID, model.PermissionCreatePublicChannel) {
		return forbidden("Changing the service catalog needs Mattermost's permission to create public channels in the team (guests do not have it).")
	}
	return nil
}

func (s *Service) mayChangeService(actorID string, svc *CatalogService) error {
	if err := s.mayEditCatalog(actorID, svc.TeamID); err != nil {
		return err
	}
	if svc.CreatedBy == actorID || slices.Contains(svc.OwnerIDs, actorID) || s.mm.HasPermissionToTeam(actorID, svc.TeamID, model.PermissionManageTeam) {
		return nil
	}
	return forbidden("Only the owners of %s, who added it, or a team admin can change or remove it.", svc.Name)
}

// applyServiceRequest checks and sets the fields a request names.
func (s *Service) applyServiceRequest(svc *CatalogService, req ServiceRequest) error {
	if req.Owners != nil {
		if len(*req.Owners) > maxServiceOwners {
			return invalid("owners: at most %d people.", maxServiceOwners)
		}
		ids := []string{}
		for _, name := range *req.Owners {
			name = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(name), "@"))
			if name == "" {
				continue
			}
			u, err := s.mm.GetUserByUsername(name)
			if err != nil || u.DeleteAt != 0 || u.IsBot {
				return invalid("owners: no user @%s.", Inline(truncateRunes(name, 64)))
			}
			if !s.mm.IsTeamMember(svc.TeamID, u.Id) {
				return invalid("owners: @%s is not a member of this team.", u.Username)
			}
			if !slices.Contains(ids, u.Id) {
				ids = append(ids, u.Id)
			}
		}
		svc.OwnerIDs = ids
	}
	if req.OwnerDiscipline != nil {
		svc.OwnerDiscipline = ""
		if text := strings.TrimSpace(*req.OwnerDiscipline); text != "" {
			d, ok := s.settings().DisciplineSet().Parse(text)
			if !ok {
				return invalid("owner_discipline: %q is not a discipline (%s).", truncateRunes(cleanText(text), 40), strings.Join(s.settings().DisciplineSet().Names(), ", "))
			}
			svc.OwnerDiscipline = d
		}
	}
	if req.Rotation != nil {
		svc.Rotation = cleanText(*req.Rotation)
		if err := checkLength("rotation", svc.Rotation, 64); err != nil {
			return err
		}
	}
	if req.Repository != nil {
		svc.Repository = ""
		if raw := strings.TrimSpace(*req.Repository); raw != "" {
			link, err := safeLink(raw)
			if err != nil {
				return invalid("repository must be the repository's http or https URL, without a user name or password.")
			}
			svc.Repository = link
		}
	}
	if req.Tier != nil {
		svc.Tier = strings.TrimSpace(*req.Tier)
		if svc.Tier != "" && !tierRE.MatchString(svc.Tier) {
			return invalid("tier must be a short word or number (at most 16 characters), such as 1 or critical.")
		}
	}
	return nil
}

func (s *Service) withOwnerNames(svc *CatalogService) *CatalogService {
	svc.Owners = make([]string, 0, len(svc.OwnerIDs))
	for _, id := range svc.OwnerIDs {
		if u, err := s.mm.GetUserCached(id); err == nil {
			svc.Owners = append(svc.Owners, u.Username)
		}
	}
	return svc
}

// Describe renders a service for a person: every text inert, the repository a link.
func (s *Service) Describe(svc *CatalogService) string {
	var b strings.Builder
	fmt.Fprintf(&b, "**%s**", Inline(svc.Name))
	if svc.Tier != "" {
		fmt.Fprintf(&b, " · tier %s", Inline(svc.Tier))
	}
	var owners []string
	for _, n := range svc.Owners {
		owners = append(owners, "@"+n)
	}
	if svc.OwnerDiscipline != "" {
		owners = append(owners, "discipline "+string(svc.OwnerDiscipline))
	}
	if len(owners) == 0 {
		owners = []string{"none"}
	}
	fmt.Fprintf(&b, " · owners: %s", strings.Join(owners, ", "))
	if svc.Rotation != "" {
		fmt.Fprintf(&b, " · rotation %s", Inline(svc.Rotation))
	}
	if svc.Repository != "" {
		fmt.Fprintf(&b, " · [repository](%s)", svc.Repository)
	}
	return b.String()
}

// alertService is the catalogued service a notification's `service` label names in
// the team, or nil.
func (s *Service) alertService(ctx context.Context, teamID string, n *AlertNotification) *CatalogService {
	name := n.label("service")
	if name == "" || !serviceNameRE.MatchString(name) {
		return nil
	}
	svc, err := s.store.ServiceByName(ctx, teamID, name)
	if err != nil {
		return nil
	}
	return svc
}

// maxDisciplineOwners bounds the people an owner discipline brings into an incident.
const maxDisciplineOwners = 10

// serviceOwnersToInvite are a service's owners: its people, and the verified holders
// of its owner discipline in the team.
func (s *Service) serviceOwnersToInvite(ctx context.Context, svc *CatalogService) []string {
	ids := slices.Clone(svc.OwnerIDs)
	if svc.OwnerDiscipline != "" {
		names, err := s.store.VerifiedHolders(ctx, svc.OwnerDiscipline, svc.TeamID, "", "", maxDisciplineOwners)
		if err != nil {
			s.mm.LogError("Could not list a service's owner discipline", "service", svc.Name, "err", err.Error())
		}
		for _, name := range names {
			if u, err := s.mm.GetUserByUsername(name); err == nil && !slices.Contains(ids, u.Id) {
				ids = append(ids, u.Id)
			}
		}
	}
	return ids
}

// inviteServiceOwners adds a catalogued service's owners to an incident opened for it
// by a failed deploy, after the answer, on behalf of its lead.
func (s *Service) inviteServiceOwners(ctx context.Context, teamID, service string, inc *IncidentResult, addedBy string) {
	svc, err := s.store.ServiceByName(ctx, teamID, service)
	if err != nil {
		return // not catalogued (or unreadable: the incident stands without them)
	}
	ids := slices.DeleteFunc(s.serviceOwnersToInvite(ctx, svc), func(id string) bool { return id == addedBy })
	if len(ids) == 0 {
		return
	}
	s.work.Go("invite a service's owners to its incident", func() error {
		s.addInvitees(context.WithoutCancel(ctx), inc.WorkflowID, inc.ChannelID, addedBy, ids)
		return nil
	})
}

// serviceWorkflow routes an event by a catalogued service: the newest active
// workflow of the given types in a team that catalogues the service and whose title
// names it. nil when no team catalogues it or none is active.
func (s *Service) serviceWorkflow(ctx context.Context, service string, types []string) (*Workflow, error) {
	if !serviceNameRE.MatchString(service) {
		return nil, nil
	}
	svcs, err := s.store.ServicesNamed(ctx, service)
	if err != nil {
		return nil, errors.Wrap(err, "find catalogued services")
	}
	for _, svc := range svcs {
		items, err := s.store.ActiveWorkflowsByTitle(ctx, TitleMatch{TeamID: svc.TeamID, Types: types, Text: svc.Name, Limit: 50})
		if err != nil {
			return nil, errors.Wrap(err, "find a service's workflow")
		}
		for _, w := range items {
			if containsWord(w.Title, svc.Name, false) {
				return w, nil
			}
		}
	}
	return nil, nil
}
