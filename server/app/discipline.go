package app

import (
	"sort"
	"strings"
)

// Discipline is one of the roles of a DevOps team.
type Discipline string

// The disciplines of a DevOps team.
const (
	Developer      Discipline = "developer"
	QA             Discipline = "qa"
	Operations     Discipline = "operations"
	Security       Discipline = "security"
	ProjectManager Discipline = "project-manager"
	ProductManager Discipline = "product-manager"
	Designer       Discipline = "designer"
	// Support: the engineers who carry a customer's problem to engineering (the
	// support workflow's support-engineer).
	Support Discipline = "support"
)

// Disciplines lists every discipline in the order they are shown.
var Disciplines = []Discipline{Developer, QA, Operations, Security, ProjectManager, ProductManager, Designer, Support}

// disciplineAliases lets people type the words their department uses.
var disciplineAliases = map[string]Discipline{
	"dev": Developer, "developers": Developer, "engineer": Developer, "engineering": Developer,
	"tester": QA, "test": QA, "quality": QA,
	"ops": Operations, "sre": Operations, "devops": Operations, "platform": Operations,
	"sec": Security, "secops": Security, "infosec": Security,
	"pm": ProjectManager, "project": ProjectManager, "projectmanager": ProjectManager,
	"product": ProductManager, "productmanager": ProductManager, "po": ProductManager,
	"design": Designer, "ux": Designer, "ui": Designer,
	"supportengineer": Support, "customersupport": Support, "cs": Support, "helpdesk": Support,
}

func (d Discipline) valid() bool {
	for _, k := range Disciplines {
		if k == d {
			return true
		}
	}
	return false
}

// ParseDiscipline accepts a discipline name or a common alias, case-insensitively.
func ParseDiscipline(s string) (Discipline, bool) {
	k := strings.ToLower(strings.TrimSpace(s))
	k = strings.ReplaceAll(k, "_", "-")
	for _, d := range Disciplines {
		if string(d) == k {
			return d, true
		}
	}
	d, ok := disciplineAliases[strings.ReplaceAll(k, "-", "")]
	return d, ok
}

// DisciplineNames returns the discipline names, for messages and autocomplete.
func DisciplineNames() []string {
	out := make([]string, len(Disciplines))
	for i, d := range Disciplines {
		out[i] = string(d)
	}
	return out
}

// joinDisciplines renders a set of disciplines as "qa or security".
func joinDisciplines(ds []Discipline, conj string) string {
	names := make([]string, len(ds))
	for i, d := range ds {
		names[i] = string(d)
	}
	sort.Strings(names)
	return joinWords(names, conj)
}

func joinWords(words []string, conj string) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	default:
		return strings.Join(words[:len(words)-1], ", ") + " " + conj + " " + words[len(words)-1]
	}
}

// DisciplineSource says where a person's discipline comes from.
type DisciplineSource string

// The sources of a discipline, in order of precedence: a mapping wins over a grant,
// a grant over a declaration.
const (
	SourceMapped   DisciplineSource = "mapped"   // a system admin's DisciplineMapping, bound to the person
	SourceGranted  DisciplineSource = "granted"  // granted by an admin or a verified holder
	SourceDeclared DisciplineSource = "declared" // declared by the person
	SourceNone     DisciplineSource = "none"
)

// Verified reports whether someone other than the person vouched for the discipline.
func (s DisciplineSource) Verified() bool {
	return s == SourceMapped || s == SourceGranted
}

// UserDiscipline is a person's discipline in force and where it comes from.
type UserDiscipline struct {
	Discipline Discipline       `json:"discipline"`
	Source     DisciplineSource `json:"source"`
	Verified   bool             `json:"verified"`
	// GrantedBy and GrantedAt say who granted a granted discipline, and when.
	GrantedBy string `json:"granted_by,omitempty"`
	GrantedAt int64  `json:"granted_at,omitempty"`
}

// NewUserDiscipline fills in what follows from the source ("" means none).
func NewUserDiscipline(d Discipline, source DisciplineSource, grantedBy string, grantedAt int64) UserDiscipline {
	if d == "" || source == "" {
		return UserDiscipline{Source: SourceNone}
	}
	out := UserDiscipline{Discipline: d, Source: source, Verified: source.Verified()}
	if source == SourceGranted {
		out.GrantedBy, out.GrantedAt = grantedBy, grantedAt
	}
	return out
}
