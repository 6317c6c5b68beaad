"""Rendering the text blocks of reports: Jinja2 sandbox, Vietnamese filters, figures by code."""
