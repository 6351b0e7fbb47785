"""Home-page panels. Each domain's ``register(app)`` adds what it shows a
role on the home page, so the home page itself needs no knowledge of the
domains. Below the domains: org's home page reads them, every domain adds."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app


@dataclass
class Panel:
    role: str
    template: str
    context: Callable[[object], dict]
    order: int = 50


def register_panel(app: Flask, role: str, template: str, context: Callable[[object], dict], order: int = 50) -> None:
    """Show ``template`` on the home page of users holding ``role``.

    ``context(user)`` returns the template's variables. Panels are kept per
    app, shown in ``order``.
    """
    panels = app.extensions.setdefault("quiz.panels", [])
    panels.append(Panel(role, template, context, order))
    panels.sort(key=lambda p: p.order)


def panels_for(user) -> list[tuple[str, dict]]:
    roles = user.roles
    shown = []
    for panel in current_app.extensions.get("quiz.panels", ()):
        if panel.role in roles:
            shown.append((panel.template, panel.context(user)))
    return shown
