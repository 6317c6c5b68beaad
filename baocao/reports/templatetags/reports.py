"""Template tags that print a report's body items (headings, paragraphs with their runs, tables, charts)."""

import base64

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from baocao.reports.document import BodyItem, Chart, Heading, Paragraph, Run, Table

register = template.Library()


def _run(run: Run) -> SafeString:
    html = format_html("{}", run.text)
    if run.superscript:
        html = format_html("<sup>{}</sup>", html)
    if run.italic:
        html = format_html("<em>{}</em>", html)
    if run.bold:
        html = format_html("<strong>{}</strong>", html)
    return html


@register.simple_tag
def body_item(item: BodyItem) -> SafeString:
    """One item of a report's body as HTML; every text is escaped (formatting comes from the runs)."""
    if isinstance(item, Heading):
        return format_html('<p class="heading level{}"><strong>{}</strong></p>', item.level, item.text)
    if isinstance(item, Paragraph):
        return format_html("<p>{}</p>", format_html_join("", "{}", ((_run(run),) for run in item.runs)))
    if isinstance(item, Chart):  # the PNG itself (the CSP allows data: images), its values as the alt text
        source = "data:image/png;base64," + base64.b64encode(item.image).decode("ascii")
        return format_html(
            '<figure class="chart"><img src="{}" alt="{}"><figcaption><em>{}</em></figcaption></figure>',
            source,
            item.description or item.title,
            item.title,
        )
    assert isinstance(item, Table)
    head = format_html_join("", "<th>{}</th>", ((c,) for c in item.columns))
    rows = format_html_join(
        "",
        "<tr>{}</tr>",
        (
            (
                format_html_join(
                    "",
                    '<td class="{}">{}</td>',
                    (("num" if i in item.numeric else "", cell) for i, cell in enumerate(row)),
                ),
            )
            for row in item.rows
        ),
    )
    title = format_html('<p class="center"><strong>{}</strong></p>', item.title) if item.title else ""
    return format_html("{}<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>", title, head, rows)
