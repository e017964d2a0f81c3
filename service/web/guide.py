"""The user guide, served by the app and linked from every page: in the page's language,
from the `web` catalogs like every other phrase (a native speaker corrects it in one place).

Its pictures are screenshots the browser tests take (tests/browser) and that are kept in
static/guide/ as `<name>-<language>.png`; a section whose picture is missing shows none.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import render_template

from service.web.blueprint import bp
from service.web.language import N_, ui_language

SCREENS = Path(__file__).parent / "static" / "guide"


@dataclass(frozen=True)
class Section:
    anchor: str
    title: str  # msgids of the `web` catalogs
    paragraphs: tuple[str, ...]
    screen: str = ""  # static/guide/<screen>-<lang>.png


GUIDE = (
    Section(
        "sign-in",
        N_("Signing in and the language"),
        (
            N_(
                "Open the address of the service in a browser and sign in with the username and "
                "password your administrator gave you."
            ),
            N_(
                "The buttons Кыргызча and Русский at the top switch the language of the pages; "
                "the service remembers your choice. The language of a document is chosen in its "
                "form, apart from the language of the pages."
            ),
            N_(
                "Where your computer has no Kyrgyz keyboard, the buttons ң ө ү beside a text field "
                "insert these letters."
            ),
        ),
        "sign-in",
    ),
    Section(
        "profile",
        N_("The municipality's profile"),
        (
            N_(
                "Fill the profile of your municipality once: its names for the letterhead in both "
                "languages, the head and their position, the word of its acts and the pattern of "
                "its outgoing numbers. Every document takes them from here."
            ),
            N_(
                "If the service cannot be sure of the case of a name or a position, it says so "
                "beside the field: write the forms by hand there, once."
            ),
        ),
        "municipality",
    ),
    Section(
        "order",
        N_("Issuing an order"),
        (
            N_(
                "Choose «New order», pick the municipality and the document's language, and fill "
                "the fields in the order they appear in the document. Add a member of the working "
                "group with «Add a row»; remove one with «Remove row»."
            ),
            N_(
                "«Preview» shows the first pages as they will be printed; it takes no outgoing "
                "number. «Save draft» keeps the form to finish later. «Issue the document» takes "
                "the next number of the register and makes the .docx and the PDF."
            ),
            N_(
                "If a field is wrong, the page says so beside it in red and keeps everything else "
                "you typed."
            ),
        ),
        "order",
    ),
    Section(
        "plan",
        N_("A joint plan and its report"),
        (
            N_(
                "A coordinator makes the joint plan with its problems and activities, each added "
                "as a row. When the year ends, «New report» offers the stored plans: choose one "
                "and the report's form is filled from it; add the results and issue it."
            ),
        ),
        "plan",
    ),
    Section(
        "batch",
        N_("A batch for a district"),
        (
            N_(
                "On «Batches», download the Excel template of a kind, fill one row per "
                "municipality (members of an order on their own sheet) and upload it. The page "
                "shows each row's progress; rows with errors are listed with their row numbers."
            ),
            N_(
                "When the batch is done, download the ZIP of every document, the merged PDF for "
                "printing, or the error report."
            ),
        ),
        "batch",
    ),
    Section(
        "forms",
        N_("Fixing a name's forms"),
        (
            N_(
                "Names are declined by rules of Russian and Kyrgyz grammar. A warning beside a "
                "field means the rule is uncertain (a rare surname, a name written in capitals, "
                "«уулу» or «кызы»): open «Set the forms by hand», write the form the document "
                "needs, and issue again."
            ),
        ),
        "warning",
    ),
    Section(
        "print",
        N_("Printing and registering"),
        (
            N_(
                "Print the PDF on A4 at its actual size (no «fit to page»). The .docx opens in "
                "Word or LibreOffice if something must still be changed."
            ),
            N_(
                "A document made with its number and date left blank is registered in the "
                "electronic document system first; then enter the number and date it received on "
                "the document's page, and the document is made again with them."
            ),
            N_(
                "The outgoing register («Outgoing register») lists every number issued; it prints "
                "on A4 and downloads as Excel."
            ),
        ),
        "register",
    ),
)


@bp.route("/guide")
def guide():
    """The user guide (open without signing in)."""
    lang = ui_language()
    screens = {
        section.screen: f"guide/{section.screen}-{lang}.png"
        for section in GUIDE
        if section.screen and (SCREENS / f"{section.screen}-{lang}.png").exists()
    }
    return render_template("guide.html", sections=GUIDE, screens=screens)
