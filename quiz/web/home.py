"""Home-page panels. Each domain registers what it shows a role on the home
page, so the home page itself needs no knowledge of the domains."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Panel:
    role: str
    template: str
    context: Callable[[object], dict]
    order: int = 50


PANELS: list[Panel] = []


def register_panel(role: str, template: str, context: Callable[[object], dict], order: int = 50) -> None:
    """Show ``template`` on the home page of users holding ``role``.

    ``context(user)`` returns the template's variables. Registering the same
    template twice (an app factory called again in tests) keeps one.
    """
    if any(p.template == template and p.role == role for p in PANELS):
        return
    PANELS.append(Panel(role, template, context, order))
    PANELS.sort(key=lambda p: p.order)


def panels_for(user) -> list[tuple[str, dict]]:
    roles = user.roles
    shown = []
    for panel in PANELS:
        if panel.role in roles:
            shown.append((panel.template, panel.context(user)))
    return shown
