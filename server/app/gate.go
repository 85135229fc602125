package app

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Gates that guide: a refusal at a gate names who can sign, and every sign-off says
// what the gate still waits for, or tells the lead it is open.

// whoCanSign names, per missing discipline, up to three verified people of the team
// who could sign off stage (those in the channel first), and the command they run.
// An actor who can sign one is told so, not to ask someone.
func (s *Service) whoCanSign(ctx context.Context, w *Workflow, stage string, missing []Discipline, actorID string) string {
	trigger := s.settings().CommandTrigger
	var parts []string
	yours := ""
	if ud, err := s.userDiscipline(ctx, actorID); err == nil && containsDiscipline(missing, ud.Discipline) && s.maySignOff(ud) {
		yours = fmt.Sprintf("You can sign it for %s: `/%s signoff %s`. ", ud.Discipline, trigger, stage)
		missing = slices.DeleteFunc(slices.Clone(missing), func(d Discipline) bool { return d == ud.Discipline })
		if len(missing) == 0 {
			return strings.TrimSpace(yours)
		}
	}
	for _, d := range missing {
		holders, err := s.store.VerifiedHolders(ctx, d, w.TeamID, w.ChannelID, actorID, 3)
		if err != nil {
			s.mm.LogError("Could not list who can sign a gate", "discipline", string(d), "err", err.Error())
			continue
		}
		if len(holders) == 0 {
			parts = append(parts, fmt.Sprintf("nobody in the team holds a verified %s yet (a system admin can map or grant it)", d))
			continue
		}
		for i, h := range holders {
			holders[i] = "@" + h
		}
		parts = append(parts, fmt.Sprintf("for %s: %s", d, joinWords(holders, "or")))
	}
	if len(parts) == 0 {
		return fmt.Sprintf("%sThey sign with `/%s signoff %s`.", yours, trigger, stage)
	}
	return fmt.Sprintf("%sWho can sign: %s. They run `/%s signoff %s` in this channel (add them with `/invite` if they are not in it).",
		yours, strings.Join(parts, "; "), trigger, stage)
}

// voidSignoffsAfter drops the sign-offs of the gates after stage index to: going
// back before a gate means what was approved may change, so it is approved again.
// It returns what it dropped, for the store to delete and the record to name.
func voidSignoffsAfter(w *Workflow, tmpl *Template, to int) []Signoff {
	var keep, voided []Signoff
	for _, so := range w.Signoffs {
		if tmpl.StageIndex(so.Stage) > to {
			voided = append(voided, so)
		} else {
			keep = append(keep, so)
		}
	}
	w.Signoffs, w.VoidedSignoffs = keep, voided
	return voided
}

// signoffList names sign-offs: "production: qa by @quinn, security by @sam".
func (s *Service) signoffList(signoffs []Signoff) string {
	parts := make([]string, 0, len(signoffs))
	for _, so := range signoffs {
		parts = append(parts, fmt.Sprintf("%s %s by %s", so.Stage, so.Discipline, s.mention(so.UserID)))
	}
	return strings.Join(parts, ", ")
}

// maxGateInvites bounds how many holders of one discipline a gate invites.
const maxGateInvites = 5

// inviteGateAhead invites, when the next stage's gate asks for it (InviteGate), the
// verified holders of its disciplines in the team who are not in the channel yet, on
// behalf of actorID; it returns the line the stage post adds, or "". Failures are
// logged: the stage has moved.
func (s *Service) inviteGateAhead(ctx context.Context, w *Workflow, tmpl *Template, actorID string) string {
	next := tmpl.StageIndex(w.Stage) + 1
	if next <= 0 || next >= len(tmpl.Stages) || !tmpl.Stages[next].InviteGate {
		return ""
	}
	st := tmpl.Stages[next]
	var invited []string
	for _, d := range st.Gate {
		holders, err := s.store.VerifiedHolders(ctx, d, w.TeamID, w.ChannelID, actorID, maxGateInvites)
		if err != nil {
			s.mm.LogError("Could not list a gate's signers to invite", "discipline", string(d), "err", err.Error())
			continue
		}
		for _, name := range holders {
			u, err := s.mm.GetUserByUsername(name)
			if err != nil || s.mm.IsChannelMember(w.ChannelID, u.Id) {
				continue
			}
			if err := s.mm.AddChannelMember(w.ChannelID, u.Id, actorID); err != nil {
				s.mm.LogError("Could not invite a gate's signer", "user_id", u.Id, "err", err.Error())
				continue
			}
			invited = append(invited, fmt.Sprintf("@%s (%s)", u.Username, d))
		}
	}
	if len(invited) == 0 {
		return ""
	}
	return fmt.Sprintf("**Invited to sign the %s gate:** %s", st.Name, strings.Join(invited, ", "))
}

// gateProgress is what a sign-off post adds: the disciplines the stage's gate still
// waits for, or, once all have signed, that the lead can move on.
func (s *Service) gateProgress(w *Workflow, tmpl *Template, stage string) string {
	i := tmpl.StageIndex(stage)
	if i < 0 {
		return ""
	}
	var missing []Discipline
	for _, d := range tmpl.Stages[i].Gate {
		if !w.hasSignoff(stage, d) {
			missing = append(missing, d)
		}
	}
	if len(missing) > 0 {
		return fmt.Sprintf(" Still missing for %s: %s.", stage, joinDisciplines(missing, "and"))
	}
	if tmpl.StageIndex(w.Stage)+1 == i {
		return fmt.Sprintf(" The gate to **%s** is open: %s can move on with `/%s stage next`.", stage, s.mention(w.LeadID), s.settings().CommandTrigger)
	}
	return fmt.Sprintf(" The gate to **%s** is open.", stage)
}
