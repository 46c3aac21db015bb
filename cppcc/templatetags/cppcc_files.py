from django import template

from cppcc.files import display_name

register = template.Library()


@register.filter
def file_name(attached) -> str:
    """An ActivityFile's or MeetingFile's name as a person knows it (never the storage path)."""
    return display_name(attached.file, attached.original_name)
