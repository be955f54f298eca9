"""`{% notices_about obj as notices %}`: the notices about a row, for the pages that show them
(the dossier page's notice list) without their views knowing about notices."""

from django import template

from core.notices.selectors import notices_about as select_notices

register = template.Library()


@register.simple_tag
def notices_about(obj):
    return list(select_notices(obj))
