"""The start page: what the signed-in user can do, as large buttons."""

from __future__ import annotations

from flask import render_template

from service.web.blueprint import bp, nav_items


@bp.route("/")
def home():
    return render_template("home.html", start_actions=nav_items())
