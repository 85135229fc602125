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
