"""One desk mechanism for every state machine the police side decides (identity, residence
registration, permit application): the act buttons, the act forms (note, reason), the stale-page
check and one history table. ``base`` is the mechanism; one module per desk defines its acts,
each calling the existing service."""
