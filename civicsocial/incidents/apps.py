from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "civicsocial.incidents"
    label = "incidents"
    verbose_name = "Incident response (P14)"

    def ready(self) -> None:
        """Every archived profile change nobody announced is a suspected incident (P14)."""
        from civicsocial.incidents.detection import detect_profile_changes
        from civicsocial.records.announce import on_archived

        on_archived(detect_profile_changes)
