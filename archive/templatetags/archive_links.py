"""{% records_link project %}: the link to a project's records and dossiers, for those who may read them
(archive.selectors.can_read_records), so that every page that lists projects links it by the one rule."""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from archive.selectors import can_read_records

register = template.Library()


@register.simple_tag(takes_context=True)
def records_link(context: template.Context, project, css: str = "") -> str:
    user = context.get("user")
    if user is None or not user.is_authenticated or not can_read_records(user, project):
        return ""
    return format_html('<a class="records-link {}" href="{}">{}</a>', css,
                       reverse("archive-records", args=[project.code]), _("档案记录"))
