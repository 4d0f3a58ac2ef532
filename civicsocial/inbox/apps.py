from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "civicsocial.inbox"
    label = "inbox"
    verbose_name = "Inbox and triage"
