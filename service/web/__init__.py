"""The web pages: what secretaries and coordinators use, in Kyrgyz and Russian.

Served by the same Flask app as the API, from Jinja templates and a little progressive
JavaScript (no build step, every asset served from here). A page is a thin view: a form is a
view of its kind's schema (service.web.forms) and posts to the same submission layer as the
API; what a user may see is the scope of their account, as in the API.

    blueprint.py   the pages' blueprint, its error pages
    auth.py        sign-in and out: a session cookie (Flask-Login), CSRF tokens (Flask-WTF)
    language.py    the interface language (a switch in the header, remembered per user) and
                   the `web` gettext catalogs the templates read
    home.py        the start page; guide.py the user guide
    forms.py       a kind's schema as a form, the form's data as the schema's input, and the
                   schema's errors and warnings back at their fields
    issue.py       a form per kind: preview (preview.py), drafts, copy as new, issue
    municipalities.py  the organisation's municipalities (letterhead, head, numbering)
    documents.py   the organisation's documents, a document's page and downloads
    register.py    the outgoing register, printable; batches.py batches: template, upload,
                   progress, downloads
"""

from __future__ import annotations

from flask import Flask


def register_pages(app: Flask) -> None:
    """Install the sessions, the interface language and every page on `app`."""
    from service.web import auth, language
    from service.web.blueprint import bp, install_routing_errors, load_pages

    auth.init_app(app)
    language.init_app(app)
    load_pages()
    app.register_blueprint(bp)
    install_routing_errors(app)
