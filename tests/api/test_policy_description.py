"""What people read about a ranking policy names its weight for the acceptance chance."""

from __future__ import annotations

from api.templating import policy_description
from scoring import available_policies, load_policy


def test_shipped_policies_say_the_acceptance_chance_changes_no_order() -> None:
    for name in available_policies():
        text = policy_description(name)
        assert text.startswith(load_policy(name).description)
        assert text.endswith("hat das Gewicht 0 und ändert die Reihenfolge nicht.")
    assert policy_description("gibt-es-nicht") == ""
