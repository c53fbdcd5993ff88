"""The proposal workflow: a counselor proposes a household, the landlord answers (DESIGN §5)."""
