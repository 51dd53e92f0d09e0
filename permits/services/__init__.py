"""Services of the permits app, one module per area (registrations, applications, permits).

Import from the module: ``from permits.services.registrations import submit_registration``.
"""
