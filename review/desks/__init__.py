"""One desk mechanism for every state machine the police side decides (identity, residence
registration, permit application): the act buttons, the act forms (note, reason), the stale-page
check and one history table. ``base`` holds a machine's act table (``Desk``, its ``Act`` rows);
``admin`` wires a table into the machine's model admin (``DeskAdminMixin``: URLs, act views,
page context); one module per machine defines its acts, each calling the existing service. The
staff API (``review.api.staff``) generates its act endpoints from the same table."""
