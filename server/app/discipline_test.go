package app

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSupportIsADiscipline(t *testing.T) {
	for _, typed := range []string{"support", "Support", "cs", "customer-support", "support_engineer", "helpdesk"} {
		d, ok := ParseDiscipline(typed)
		require.True(t, ok, typed)
		require.Equal(t, Support, d, typed)
	}
	require.Contains(t, DisciplineNames(), "support")
	require.Equal(t, []Discipline{Support}, builtin(t, "support").AutoInvite.Disciplines)
}

// An admin's additional disciplines, with aliases; a word means one discipline.
func TestParseDisciplineSet(t *testing.T) {
	ds, err := ParseDisciplineSet("data: dba, analyst\n\n# comment\nlegal\n  finance :  FP-A ")
	require.NoError(t, err)
	require.Equal(t, append(DisciplineNames(), "data", "legal", "finance"), ds.Names())
	for typed, want := range map[string]Discipline{"data": "data", "DBA": "data", "analyst": "data", "legal": "legal", "fpa": "finance", "fp-a": "finance", "qa": QA, "sre": Operations} {
		d, ok := ds.Parse(typed)
		require.True(t, ok, typed)
		require.Equal(t, want, d, typed)
	}
	_, ok := ParseDiscipline("data")
	require.False(t, ok, "the built-in set is unchanged")

	for text, want := range map[string]string{
		"qa: testers":          `line 1: "qa" is already a discipline or an alias`,
		"data: dba\nbi: dba":   `line 2: alias "dba" is already a discipline or an alias`,
		"data: sre":            `alias "sre" is already`,
		"Data Science":         `"Data Science" is not a discipline name`,
		"x":                    `"x" is not a discipline name`,
		"data: dba, a analyst": `alias "a analyst"`,
	} {
		_, err := ParseDisciplineSet(text)
		require.ErrorContains(t, err, want, text)
	}

	// Templates may name an added discipline; without it, they are refused.
	_, err = BuildTemplates(`{"release":{"stages":[{"name":"a"},{"name":"b","gate":["data"]}]}}`, nil, ds)
	require.NoError(t, err)
	_, err = BuildTemplates(`{"release":{"stages":[{"name":"a"},{"name":"b","gate":["data"]}]}}`, nil, BuiltinDisciplines())
	require.ErrorContains(t, err, `unknown discipline "data"`)
}
