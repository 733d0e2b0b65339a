"""The project's form renderer: every Django form of the site draws its fields with the
templates in ``templates/forms/`` (label with a required mark, help, errors, the control;
choice lists in a fieldset; an error summary at the top of a form with errors).

Accessibility wiring stays Django's own (5.0+): ``BoundField.build_widget_attrs`` puts
``aria-invalid`` on a control with errors and ``aria-describedby`` pointing at
``<id>_helptext`` and ``<id>_error``; the templates only give those ids to the help text and
to the error list (Django's error list template does the latter), never a second
``aria-describedby``.
"""

from __future__ import annotations

from typing import Any

from django.forms.renderers import TemplatesSetting

# Django's widget templates drawn by ours instead. The file picker keeps the real
# <input type=file>; its drop zone and list of chosen files stay ``hidden`` until parvis.js
# enhances them, so without JavaScript (and in the Wagtail admin, which does not load
# parvis.js) the plain input is what shows.
WIDGET_TEMPLATES = {
    "django/forms/widgets/file.html": "forms/widgets/file.html",
    "django/forms/widgets/clearable_file_input.html": "forms/widgets/clearable_file_input.html",
}


class FormRenderer(TemplatesSetting):
    """``settings.FORM_RENDERER``: templates from the project's ``TEMPLATES`` setting (so
    ``templates/forms/`` and the apps' templates are found), with our form and field
    templates and the widget templates of ``WIDGET_TEMPLATES``."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"

    def get_template(self, template_name: str) -> Any:
        return super().get_template(WIDGET_TEMPLATES.get(template_name, template_name))
