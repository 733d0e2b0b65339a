from __future__ import annotations

from django.db.models import Q
from wagtail.admin.forms import WagtailAdminPageForm

from communities import permissions
from communities.models import Community


class CommunityScopedPageForm(WagtailAdminPageForm):
    """The "Community" choice lists what the editor may see (the policy's queryset form):
    never a secret community she is not in. The page's current community stays listed, so
    that another editor can save the page without changing its scope."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields.get("community")
        if field is None:
            return
        visible = permissions.permission_q(self.for_user, permissions.SEE, prefix="")
        if self.instance.community_id:
            visible |= Q(pk=self.instance.community_id)
        field.queryset = Community.objects.filter(visible).order_by("name")
