package app

// builtinTemplates are the seven workflow types a DevOps team meets every week.
// They are returned fresh on every call so that overrides never mutate them.
func builtinTemplates() []*Template {
	return []*Template{
		{
			Type: "incident", Name: "Incident", Category: "Incidents",
			ChannelPattern: "inc-{seq}-{slug}",
			Purpose:        "Incident response: restore service, keep everyone informed, learn.",
			Header:         "Incident · `/devops info` for the state · `/devops status <text>` to update",
			Severities:     []string{"sev1", "sev2", "sev3", "sev4"}, DefaultSeverity: "sev2",
			LeadRole: "commander", Roles: []string{"commander", "scribe", "comms"},
			// A big team's whole operations discipline is the wrong crowd for every
			// incident: the first 25 are invited, and the first post names the rest.
			AutoInvite: AutoInvite{Disciplines: []Discipline{Operations}, Limits: map[Discipline]int{Operations: 25}},
			Fields: []Field{
				{Key: "service", Name: "Service", Type: FieldText},
				{Key: "customer", Name: "Customer", Type: FieldText},
				{Key: "cause", Name: "Cause", Type: FieldSelect, Options: []string{"deploy", "config", "capacity", "dependency", "infrastructure", "unknown"}},
				{Key: "ticket", Name: "Ticket", Type: FieldURL},
			},
			// The worst incidents wake the operations rotation, if the team has one.
			Page: map[string]string{"sev1": "discipline:operations", "sev2": "discipline:operations"},
			Stages: []Stage{
				{Name: "triage", Checklist: []ChecklistItem{
					{Text: "Confirm impact and set the severity"},
					{Text: "Assign scribe and comms roles"},
					{Text: "Post the first status update"},
				}},
				{Name: "investigating", Checklist: []ChecklistItem{
					{Text: "Check recent deploys and changes", Discipline: Developer},
					{Text: "Check dashboards, alerts and logs", Discipline: Operations},
				}},
				{Name: "mitigated", Checklist: []ChecklistItem{
					{Text: "Verify the fix from the customer's side", Discipline: QA},
					{Text: "Tell affected customers", Discipline: ProductManager},
				}},
				{Name: "resolved", Checklist: []ChecklistItem{
					{Text: "Schedule the retrospective", Discipline: ProjectManager},
					{Text: "File follow-up issues"},
				}},
			},
		},
		{
			Type: "release", Name: "Release", Category: "Releases",
			// The number right after the type, as for every type, and the version
			// marked with its v: rel-3-v2-4-0 cannot be read as version 2.4.0.3.
			ChannelPattern: "rel-{seq}-{version}",
			Purpose:        "Release coordination from planning to production.",
			Header:         "Release · `/devops info` · `/devops signoff` when your discipline approves",
			LeadRole:       "release-manager", Roles: []string{"release-manager", "qa-lead"},
			StartDisciplines: []Discipline{Developer, Operations, ProjectManager, ProductManager},
			AutoInvite:       AutoInvite{Disciplines: []Discipline{QA}},
			Fields: []Field{
				{Key: "version", Name: "Version", Type: FieldText},
				{Key: "ticket", Name: "Ticket", Type: FieldURL},
			},
			Stages: []Stage{
				{Name: "planning", Checklist: []ChecklistItem{
					{Text: "Agree the scope and the release notes owner", Discipline: ProductManager},
					{Text: "Set the target date", Discipline: ProjectManager},
				}},
				{Name: "code-freeze", Checklist: []ChecklistItem{
					{Text: "Cut the release branch", Discipline: Developer},
					{Text: "Freeze merges except fixes", Discipline: Developer},
				}},
				{Name: "qa", Checklist: []ChecklistItem{
					{Text: "Run the regression suite", Discipline: QA},
					{Text: "Run the dependency and container scan", Discipline: Security},
				}},
				{Name: "staging", Environment: "staging", Checklist: []ChecklistItem{
					{Text: "Deploy to staging", Discipline: Operations},
					{Text: "Smoke-test staging", Discipline: QA},
				}},
				{Name: "production", Gate: []Discipline{QA, Security}, InviteGate: true, Environment: "production", Checklist: []ChecklistItem{
					{Text: "Deploy to production", Discipline: Operations},
					{Text: "Watch error rates for 30 minutes", Discipline: Operations},
					{Text: "Publish the release notes", Discipline: ProductManager},
				}},
				{Name: "done"},
			},
		},
		{
			Type: "qa", Name: "QA cycle", Category: "QA cycles",
			ChannelPattern: "qa-{seq}-{slug}",
			Purpose:        "A test cycle: plan, test, regress, approve.",
			LeadRole:       "qa-lead", Roles: []string{"qa-lead", "tester"},
			StartDisciplines: []Discipline{QA, Developer, ProjectManager, ProductManager},
			AutoInvite:       AutoInvite{Disciplines: []Discipline{QA}},
			Stages: []Stage{
				{Name: "planning", Checklist: []ChecklistItem{{Text: "Write the test plan", Discipline: QA}}},
				{Name: "testing", Checklist: []ChecklistItem{{Text: "Execute the test plan", Discipline: QA}}},
				{Name: "regression", Checklist: []ChecklistItem{{Text: "Re-test fixed defects", Discipline: QA}}},
				{Name: "approved", Gate: []Discipline{QA}},
			},
		},
		{
			Type: "support", Name: "Support escalation", Category: "Support escalations",
			ChannelPattern: "sup-{seq}-{slug}",
			Purpose:        "A customer problem escalated to engineering.",
			Severities:     []string{"p1", "p2", "p3", "p4"}, DefaultSeverity: "p3",
			// A customer waits: a p1 is chased within the hour.
			Cadence:  map[string]string{"p1": "30m", "p2": "1h", "p3": "4h", "p4": "1d"},
			LeadRole: "owner", Roles: []string{"owner", "support-engineer", "developer-on-call"},
			AutoInvite: AutoInvite{Disciplines: []Discipline{Support}},
			Fields: []Field{
				{Key: "customer", Name: "Customer", Type: FieldText},
				{Key: "ticket", Name: "Ticket", Type: FieldURL},
			},
			Stages: []Stage{
				{Name: "triage", Checklist: []ChecklistItem{
					{Text: "Reproduce the problem", Discipline: Support},
					{Text: "Acknowledge the customer", Discipline: Support},
				}},
				{Name: "investigating", Checklist: []ChecklistItem{{Text: "Find the cause", Discipline: Developer}}},
				{Name: "waiting-on-customer"},
				{Name: "resolved", Checklist: []ChecklistItem{{Text: "Confirm with the customer and close the ticket"}}},
			},
		},
		{
			Type: "security", Name: "Security issue", Category: "Security issues",
			ChannelPattern: "sec-{seq}", Private: true,
			Purpose:    "A security issue, handled privately until disclosure.",
			Severities: []string{"low", "medium", "high", "critical"}, DefaultSeverity: "high",
			Cadence:  map[string]string{"critical": "30m", "high": "2h", "medium": "8h", "low": "1d"},
			LeadRole: "security-lead", Roles: []string{"security-lead", "investigator", "comms"},
			AutoInvite: AutoInvite{Disciplines: []Discipline{Security}},
			Fields: []Field{
				{Key: "cve", Name: "CVE", Type: FieldText},
				{Key: "affected-version", Name: "Affected version", Type: FieldText},
				{Key: "exposure", Name: "Exposure", Type: FieldSelect, Options: []string{"internal", "customers", "public"}},
				{Key: "ticket", Name: "Ticket", Type: FieldURL},
			},
			Stages: []Stage{
				{Name: "triage", Checklist: []ChecklistItem{{Text: "Assess exposure and set the severity", Discipline: Security}}},
				{Name: "assessment", Checklist: []ChecklistItem{{Text: "Identify affected versions", Discipline: Developer}}},
				{Name: "remediation", Checklist: []ChecklistItem{
					{Text: "Prepare and review the fix", Discipline: Developer},
					{Text: "Verify the fix", Discipline: Security},
				}},
				{Name: "disclosure", Gate: []Discipline{Security}, Checklist: []ChecklistItem{
					{Text: "Publish the advisory", Discipline: Security},
				}},
				{Name: "closed"},
			},
		},
		{
			Type: "change", Name: "Platform change", Category: "Platform changes",
			ChannelPattern: "chg-{seq}-{slug}",
			Purpose:        "A platform or CI/CD change: review, approve, roll out, verify.",
			Severities:     []string{"standard", "normal", "emergency"}, DefaultSeverity: "normal",
			Cadence:  map[string]string{"emergency": "30m", "normal": "4h", "standard": "1d"},
			LeadRole: "change-owner", Roles: []string{"change-owner", "reviewer"},
			StartDisciplines: []Discipline{Developer, Operations, Security},
			Fields: []Field{
				{Key: "service", Name: "Service", Type: FieldText},
				{Key: "ticket", Name: "Ticket", Type: FieldURL},
			},
			Stages: []Stage{
				{Name: "proposed", Checklist: []ChecklistItem{
					{Text: "Describe the change, risk and rollback plan"},
				}},
				{Name: "review", Checklist: []ChecklistItem{{Text: "Peer review", Discipline: Operations}}},
				{Name: "rollout", Gate: []Discipline{Operations}, Environment: "production", Checklist: []ChecklistItem{
					{Text: "Roll out", Discipline: Operations},
				}},
				{Name: "verified", Checklist: []ChecklistItem{{Text: "Verify and close", Discipline: Operations}}},
			},
		},
		{
			Type: "sprint", Name: "Sprint", Category: "Sprints",
			ChannelPattern: "sprint-{seq}-{slug}",
			Purpose:        "One sprint: plan, build, review, retro.",
			LeadRole:       "scrum-master", Roles: []string{"scrum-master", "product-owner"},
			StartDisciplines: []Discipline{ProjectManager, ProductManager, Developer},
			Stages: []Stage{
				{Name: "planning", Checklist: []ChecklistItem{{Text: "Agree the sprint goal", Discipline: ProductManager}}},
				{Name: "in-progress"},
				{Name: "review", Checklist: []ChecklistItem{{Text: "Demo to stakeholders", Discipline: ProductManager}}},
				{Name: "retro", Checklist: []ChecklistItem{{Text: "Hold the retrospective", Discipline: ProjectManager}}},
			},
		},
	}
}
