"""Data-subject rights: export of one household (GDPR Art. 15/20) and anonymisation after
the retention period (Art. 5(1)(e), § 84 SGB X)."""
