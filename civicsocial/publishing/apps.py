from django.apps import AppConfig


class PublishingConfig(AppConfig):
    name = "civicsocial.publishing"
    label = "publishing"
    verbose_name = "Publishing (P2, P4, P5, P12, P14, P20)"

    def ready(self) -> None:
        """A frozen account's scheduled posts come off the schedule (P14); every archived
        official post is matched to the draft that produced it (P5)."""
        from civicsocial.publishing.receivers import connect

        connect()
