from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "civicsocial.policy"
    label = "policy"
    verbose_name = "Policy and compliance"

    def ready(self) -> None:
        """Every new profile snapshot is audited as soon as it is archived (P8)."""
        from civicsocial.policy.branding import audit_archived
        from civicsocial.records.announce import on_archived

        on_archived(audit_archived)
