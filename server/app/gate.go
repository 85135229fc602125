package app

import (
	"context"
	"fmt"
	"strings"
)

// Gates that guide: a refusal at a gate names who can sign, and every sign-off says
// what the gate still waits for, or tells the lead it is open.

// whoCanSign names, per missing discipline, up to three verified people of the team
// who could sign off stage (those in the channel first), and the command they run.
func (s *Service) whoCanSign(ctx context.Context, w *Workflow, stage string, missing []Discipline) string {
	trigger := s.settings().CommandTrigger
	var parts []string
	for _, d := range missing {
		holders, err := s.store.VerifiedHolders(ctx, d, w.TeamID, w.ChannelID, "", 3)
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
		return fmt.Sprintf("They sign with `/%s signoff %s`.", trigger, stage)
	}
	return fmt.Sprintf("Who can sign: %s. They run `/%s signoff %s` in this channel (add them with `/invite` if they are not in it).",
		strings.Join(parts, "; "), trigger, stage)
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
