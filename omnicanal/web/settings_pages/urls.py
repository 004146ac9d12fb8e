"""Every settings page's routes, included in web's URL namespace."""

from omnicanal.web.settings_pages import (
    agents,
    attributes,
    audit,
    automation,
    bot,
    helpcenter,
    hours,
    inboxes,
    index,
    labels,
    quarantine,
    sla,
    surveys,
    teams,
    triage,
)

urlpatterns = [
    *index.urlpatterns,
    *inboxes.urlpatterns,
    *agents.urlpatterns,
    *teams.urlpatterns,
    *labels.urlpatterns,
    *attributes.urlpatterns,
    *hours.urlpatterns,
    *sla.urlpatterns,
    *automation.urlpatterns,
    *quarantine.urlpatterns,
    *audit.urlpatterns,
    *helpcenter.urlpatterns,
    *bot.urlpatterns,
    *triage.urlpatterns,
    *surveys.urlpatterns,
]
