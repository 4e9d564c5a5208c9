class ServicesOnlyAdminMixin:
    """An admin whose rows change only through services (its own pages), never by editing."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
