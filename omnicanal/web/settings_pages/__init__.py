"""The settings area: one module per page (list + form), each calling its domain's actions.

The pages share a layout (web/settings/base.html, with the navigation from `nav.PAGES`), one
way to render a form's fields with their errors beside them (web/_form_fields.html), and the
rule that every change goes through an action that checks the role and writes the audit log.
"""
