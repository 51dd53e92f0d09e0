"""``{% section_html section %}``: a personal-center section (``core.personal_center``) drawn in
the page's own context, its ``context`` on top. The page's context processors ran once for the
page; a ``render_to_string(..., request)`` per section ran them all again (issue 18)."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def section_html(context, section):
    section_template = context.template.engine.get_template(section.template)
    with context.push(section.context):
        return section_template.render(context)
