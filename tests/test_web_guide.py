"""The user guide: open to anyone, in the page's language, from the catalogs."""

from __future__ import annotations

import pytest
from babel.messages.pofile import read_po
from markupsafe import escape

from service import create_app, extensions
from service.db import upgrade
from service.i18n import catalog_path
from service.web.guide import GUIDE


@pytest.fixture
def pages(tmp_path):
    url = f"sqlite:///{tmp_path / 'docgen.sqlite3'}"
    upgrade(url)
    app = create_app({"DATABASE_URL": url})
    yield app.test_client()
    extensions.dispatcher(app).shutdown()
    extensions.db(app).dispose()


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_the_guide_is_served_in_the_page_language_without_signing_in(pages, lang):
    with catalog_path(lang, "web").open("rb") as fp:
        catalog = {m.id: m.string for m in read_po(fp) if m.id}
    page = pages.get("/guide", headers={"Accept-Language": lang})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'<html lang="{lang}">' in html
    for section in GUIDE:
        assert f'id="{section.anchor}"' in html
        for text in (section.title, *section.paragraphs):
            assert catalog[text] and str(escape(catalog[text])) in html
    other = "ru" if lang == "ky" else "ky"
    assert f'<html lang="{other}">' in pages.get(
        "/guide", headers={"Accept-Language": other}
    ).get_data(as_text=True)


def test_every_page_links_the_guide(pages):
    sign_in = pages.get("/sign-in").get_data(as_text=True)
    assert 'href="/guide"' in sign_in


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_every_section_shows_its_picture_in_the_page_language(pages, lang):
    html = pages.get("/guide", headers={"Accept-Language": lang}).get_data(as_text=True)
    for section in GUIDE:
        if section.screen:
            path = f"/assets/guide/{section.screen}-{lang}.png"
            assert f'src="{path}"' in html, path
            with pages.get(path) as picture:
                assert picture.status_code == 200 and picture.data.startswith(b"\x89PNG")
