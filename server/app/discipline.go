package app

import (
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/pkg/errors"
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

// DisciplineSet is the disciplines a company has: the built-ins and those an admin
// adds in the System Console, each with the aliases people type.
type DisciplineSet struct {
	list    []Discipline
	aliases map[string]Discipline // without dashes
}

// builtinDisciplines is the set without additions.
var builtinDisciplines = &DisciplineSet{list: Disciplines, aliases: disciplineAliases}

// BuiltinDisciplines returns the built-in disciplines and their aliases.
func BuiltinDisciplines() *DisciplineSet {
	return builtinDisciplines
}

var disciplineNameRE = regexp.MustCompile(`^[a-z][a-z0-9-]{1,31}$`)

// ParseDisciplineSet reads the "Additional disciplines" setting: one discipline per
// line, `name: alias, alias` or a bare name (`data: dba, analyst`). A name or alias
// already taken (by a built-in or another line) is refused, so a word always means
// one discipline.
func ParseDisciplineSet(text string) (*DisciplineSet, error) {
	ds := &DisciplineSet{list: slices.Clone(Disciplines), aliases: maps.Clone(disciplineAliases)}
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, aliases, _ := strings.Cut(line, ":")
		d := Discipline(strings.ToLower(strings.TrimSpace(name)))
		if !disciplineNameRE.MatchString(string(d)) {
			return nil, errors.Errorf("line %d: %q is not a discipline name (2-32 lower-case letters, digits or '-', starting with a letter)", n+1, name)
		}
		if _, taken := ds.Parse(string(d)); taken {
			return nil, errors.Errorf("line %d: %q is already a discipline or an alias", n+1, d)
		}
		ds.list = append(ds.list, d)
		for _, a := range strings.Split(aliases, ",") {
			a = strings.ToLower(strings.TrimSpace(a))
			if a == "" {
				continue
			}
			if !disciplineNameRE.MatchString(a) {
				return nil, errors.Errorf("line %d: alias %q: use 2-32 lower-case letters, digits or '-'", n+1, a)
			}
			if _, taken := ds.Parse(a); taken {
				return nil, errors.Errorf("line %d: alias %q is already a discipline or an alias", n+1, a)
			}
			ds.aliases[strings.ReplaceAll(a, "-", "")] = d
		}
	}
	return ds, nil
}

func (ds *DisciplineSet) valid(d Discipline) bool {
	return slices.Contains(ds.list, d)
}

// Parse accepts a discipline name or an alias, case-insensitively.
func (ds *DisciplineSet) Parse(s string) (Discipline, bool) {
	k := strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), "_", "-")
	if ds.valid(Discipline(k)) {
		return Discipline(k), true
	}
	d, ok := ds.aliases[strings.ReplaceAll(k, "-", "")]
	return d, ok
}

// Names returns the discipline names, for messages and autocomplete.
func (ds *DisciplineSet) Names() []string {
	out := make([]string, len(ds.list))
	for i, d := range ds.list {
		out[i] = string(d)
	}
	return out
}

// ParseDiscipline accepts a built-in discipline name or a common alias.
func ParseDiscipline(s string) (Discipline, bool) {
	return builtinDisciplines.Parse(s)
}

// DisciplineNames returns the built-in discipline names.
func DisciplineNames() []string {
	return builtinDisciplines.Names()
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
