"""The fairness monitor: whom the rankings, proposals and landlords' answers leave behind."""
