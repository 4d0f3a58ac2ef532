"""`{% load compliance %}{% agency_report agency as report %}`: the compliance report
where another app's page shows it (the agency page), so the registry, which the checks
read, never imports them (issue 16)."""

from __future__ import annotations

from django import template

from civicsocial.policy.report import AgencyReport
from civicsocial.policy.report import agency_report as build_report
from civicsocial.registry.models import Agency

register = template.Library()


@register.simple_tag
def agency_report(agency: Agency) -> AgencyReport:
    """The agency's compliance report, every check run now."""
    return build_report(agency)
