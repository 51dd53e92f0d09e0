"""Admin pieces any app's admin may use."""


class ReadOnlyAdminMixin:
    """View only: no add, change or delete, whatever the permissions (records, logs)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
