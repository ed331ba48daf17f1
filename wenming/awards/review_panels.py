"""Panels that downstream apps add beside an application in review (seed 七(3): the
supervision record goes with the candidate). A panel is a callable (application, user) ->
{"title", "rows": [(label, value)], "warning": bool} or None; awards renders them without
knowing where they come from."""

_panels = []


def register_panel(panel):
    if panel not in _panels:
        _panels.append(panel)


def panels_for(application, user):
    return [p for p in (panel(application, user) for panel in _panels) if p]
