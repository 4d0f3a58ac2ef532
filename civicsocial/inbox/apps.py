from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "civicsocial.inbox"
    label = "inbox"
    verbose_name = "Inbox and triage"

    def ready(self) -> None:
        """New items reach the inbox as soon as they are archived (records/announce.py)."""
        from civicsocial.inbox.services import triage_archived
        from civicsocial.records.announce import on_archived

        on_archived(triage_archived)
