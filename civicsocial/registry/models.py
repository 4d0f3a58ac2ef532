"""The registry: agencies, people and their roles, accounts, applications,
agency policies, training, authorizations and terms-of-service reviews.

Rules cited by P-id are in ../shared/POLICY_MAP.md. The logic that changes these
records lives in `services.py`; models only hold data and simple derived facts.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.urls import reverse
from django.utils import timezone

from civicsocial.text import validate_identity


class Platform(models.TextChoices):
    BLUESKY = "bluesky", "Bluesky"
    MASTODON = "mastodon", "Mastodon"
    FACEBOOK = "facebook", "Facebook"
    INSTAGRAM = "instagram", "Instagram"
    X = "x", "X (Twitter)"
    YOUTUBE = "youtube", "YouTube"
    TIKTOK = "tiktok", "TikTok"
    LINKEDIN = "linkedin", "LinkedIn"
    THREADS = "threads", "Threads"
    FLICKR = "flickr", "Flickr"


class Agency(models.Model):
    """A city agency or office. `slug` is its short name in URLs and commands."""

    name = models.CharField(max_length=200, unique=True, validators=[validate_identity])
    slug = models.SlugField(max_length=40, unique=True)
    acronym = models.CharField(max_length=20, blank=True, validators=[validate_identity])
    # P7: login identities of accounts must be agency-owned addresses.
    email_domains = models.CharField(
        max_length=300,
        help_text="Comma-separated e-mail domains the agency owns, e.g. dot.nyc.gov",
    )
    # P6: one central contact per agency; a single FK makes "exactly one" structural.
    central_contact = models.ForeignKey(
        "Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # P23: the agency's own words when it refers a resident to 311 (blank: the city's).
    referral_wording = models.TextField(max_length=1000, blank=True)
    # P13: a platform credential older than this is due for rotation (the compliance report).
    # (a database default too: code that predates the column, in a rolling upgrade, can insert)
    secret_rotation_days = models.PositiveIntegerField(default=90, db_default=90)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("agency-detail", args=[self.slug])

    def domain_list(self) -> list[str]:
        return [d.strip().lower() for d in self.email_domains.split(",") if d.strip()]


class PersonKind(models.TextChoices):
    """P3: everyone involved has a kind, not only employees."""

    EMPLOYEE = "employee", "Employee"
    VENDOR = "vendor", "Vendor or contractor"
    VOLUNTEER = "volunteer", "Volunteer"
    AFFINITY_GROUP = "affinity_group", "Affinity group member"


class Person(AbstractUser):
    """Someone who works on the city's social media; also the login identity."""

    kind = models.CharField(max_length=20, choices=PersonKind.choices, default=PersonKind.EMPLOYEE)
    title = models.CharField(max_length=200, blank=True)
    # Not stored: the scope of the API token a request came with (permissions.TokenScope).
    token_scope: Any = None

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        full = self.get_full_name()
        return full or self.username

    def get_absolute_url(self) -> str:
        return reverse("person-detail", args=[self.pk])


class Role(models.TextChoices):
    """P3: the roles a person can hold. ODS admin is citywide (no agency)."""

    ODS_ADMIN = "ods_admin", "ODS admin (citywide)"
    AGENCY_ADMIN = "agency_admin", "Agency admin"
    EDITOR = "editor", "Editor"
    APPROVER = "approver", "Approver"
    MODERATOR = "moderator", "Moderator"
    COUNSEL = "counsel", "Agency counsel"
    RECORDS_OFFICER = "records_officer", "Records officer"
    VIEWER = "viewer", "Viewer"


class RoleAssignment(models.Model):
    """A person holds a role in an agency (or citywide for ODS admins)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="role_assignments")
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "agency", "role"], name="unique_role"),
            models.CheckConstraint(
                condition=(models.Q(role="ods_admin", agency__isnull=True)
                           | (~models.Q(role="ods_admin") & models.Q(agency__isnull=False))),
                name="ods_admin_is_citywide",
            ),
        ]

    def __str__(self) -> str:
        where = self.agency.slug if self.agency else "citywide"
        return f"{self.person} — {self.get_role_display()} ({where})"


# Roles that decide (removals, policy approval, FOIL, people): granted only by an ODS
# admin, and in effect only once a second person confirms (issue 12). So is ODS admin.
DECIDING_ROLES = frozenset({Role.AGENCY_ADMIN, Role.COUNSEL, Role.RECORDS_OFFICER})
CONFIRMED_ROLES = DECIDING_ROLES | {Role.ODS_ADMIN}


class RoleGrant(models.Model):
    """One grant of a role, from the request to the assignment it put in effect.

    Grants of `CONFIRMED_ROLES` wait as pending until a second person confirms them; other
    grants are confirmed as they are made. The grant stays as the record of who asked and
    who confirmed."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a second person"
        CONFIRMED = "confirmed", "Confirmed"
        REFUSED = "refused", "Refused"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="role_grants")
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="role_grants")
    role = models.CharField(max_length=20, choices=Role.choices)
    granted_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")  # None: the operator's command line
    granted_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-granted_at"]
        constraints = [models.UniqueConstraint(
            fields=["person", "agency", "role"], condition=models.Q(status="pending"),
            name="one_pending_grant_per_role")]

    def __str__(self) -> str:
        where = self.agency.slug if self.agency else "citywide"
        return f"{self.get_role_display()} ({where}) for {self.person}"

    def get_absolute_url(self) -> str:
        return reverse("role-grants")


class AccountType(models.TextChoices):
    AGENCY = "agency", "Agency account"
    INDIVIDUAL = "individual", "Individual official (P10)"
    CAMPAIGN = "campaign", "Non-branded campaign (P9)"


class AccountStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"
    RETIRED = "retired", "Retired (kept, no longer used)"


class AccountDetails(models.Model):
    """What an account is: shared by the account and the application that asks for it."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="%(class)ss")
    platform = models.CharField(max_length=20, choices=Platform.choices)
    handle = models.CharField(max_length=100, validators=[validate_identity])
    url = models.URLField(max_length=300)
    account_type = models.CharField(
        max_length=20, choices=AccountType.choices, default=AccountType.AGENCY
    )
    # P10: for an individual official account, the official who speaks through it.
    owner = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    topic_limited = models.BooleanField(default=False)
    topic_statement = models.TextField(max_length=5000, blank=True)
    sensitive_audience = models.BooleanField(default=False, help_text="P18: minors, health data")
    # P7: the agency-owned address that holds the login and recovery.
    login_identity = models.EmailField()

    class Meta:
        abstract = True


class Account(AccountDetails):
    """A registered official social media account (P1). Never deleted (P10, P25)."""

    status = models.CharField(
        max_length=20, choices=AccountStatus.choices, default=AccountStatus.ACTIVE
    )
    registered_at = models.DateTimeField(default=timezone.now)
    # P14: set while a suspected compromise is open (the incidents app); nothing is sent to
    # the platform in the account's name until ODS lifts it. One flag, checked where every
    # adapter is built (platforms.adapters.registry.adapter_for).
    frozen_at = models.DateTimeField(null=True, blank=True)
    # P14: the agency said it will change the profile (name, bio, avatar, links) until then;
    # a profile change captured outside such a window opens a suspected incident.
    profile_change_expected_until = models.DateTimeField(
        null=True, blank=True, help_text="A planned change of the profile (name, bio, picture, links) "
        "until this moment is not taken for a compromise (P14).")

    class Meta:
        ordering = ["agency__name", "platform", "handle"]
        constraints = [
            models.UniqueConstraint(fields=["platform", "handle"], name="unique_platform_handle"),
        ]

    def __str__(self) -> str:
        return f"{self.handle} on {self.get_platform_display()}"

    def get_absolute_url(self) -> str:
        return reverse("account-detail", args=[self.pk])

    @property
    def secret_name(self) -> str:
        """The name of this account's credential in the vault (by id: a renamed handle
        keeps its secret)."""
        return f"account:{self.pk}"


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted to ODS"
    APPROVED = "approved", "Approved"
    DENIED = "denied", "Denied"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Application(AccountDetails):
    """An agency's request for a new account (P2), decided by ODS."""

    justification = models.TextField(max_length=5000, help_text="P2: the unique need this account serves")
    continuity_plan = models.TextField(max_length=5000,
        blank=True, help_text="P2: the legacy plan: who keeps it running and how it is handed over"
    )
    status = models.CharField(
        max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT
    )
    submitted_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    # P9: a campaign account needs counsel's sign-off before ODS may approve it.
    counsel_signoff_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    counsel_signoff_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(max_length=5000, blank=True)
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reapplications"
    )
    account = models.OneToOneField(
        Account, null=True, blank=True, on_delete=models.PROTECT, related_name="application"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Application #{self.pk}: {self.handle} on {self.get_platform_display()}"

    def get_absolute_url(self) -> str:
        return reverse("application-detail", args=[self.pk])

    @property
    def needs_counsel(self) -> bool:
        return self.account_type == AccountType.CAMPAIGN and self.counsel_signoff_at is None


class PolicyElement(models.TextChoices):
    """P3 and P5: what an agency's own social media policy must cover."""

    ROLES = "roles", "Roles and responsibilities, incl. vendors, volunteers, affinity groups"
    REFERRAL_311 = "referral_311", "Referral of dangerous conditions and service requests to 311"
    RECORDS_RETENTION = "records_retention", "Records retention"
    REVIEW_APPROVAL = "review_approval", "Review and approval of content; training"
    OVERSIGHT = "oversight", "Oversight of every site, incl. vendor-built ones"
    PERSONAL_POSTS = "personal_posts", "Personal posts by other staff on official accounts"
    VENDOR_RULES = "vendor_rules", "Consultant, vendor and contractor guidelines"
    CUSTOMER_ISSUES = "customer_issues", "Handling customer issues, questions and complaints"
    CONSISTENT_MESSAGING = "consistent_messaging", "Consistent messaging across all media"


class AgencyPolicy(models.Model):
    """A version of an agency's social media policy (P5). Newest version counts."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="policies")
    title = models.CharField(max_length=200)
    document_url = models.URLField(max_length=300, blank=True)
    elements = models.JSONField(default=list, help_text="keys of PolicyElement covered")
    counsel_approved_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    counsel_approved_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "agency policies"

    def __str__(self) -> str:
        return f"{self.agency.slug}: {self.title}"

    def missing_elements(self) -> list[str]:
        return [e.value for e in PolicyElement if e.value not in self.elements]


class TrainingCourse(models.TextChoices):
    SOCIAL_MEDIA = "social_media", "Social media use and records management"


class Training(models.Model):
    """A completed training (P4). Valid until `expires_on`."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="trainings")
    course = models.CharField(
        max_length=40, choices=TrainingCourse.choices, default=TrainingCourse.SOCIAL_MEDIA
    )
    completed_on = models.DateField()
    expires_on = models.DateField()
    recorded_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-completed_on"]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_course_display()} until {self.expires_on}"

    def is_current(self, on: date | None = None) -> bool:
        on = on or timezone.localdate()
        return self.completed_on <= on <= self.expires_on


class Authorization(models.Model):
    """A person may act for an account (P4), given a current training."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="authorizations")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="authorizations")
    granted_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.TextField(max_length=5000, blank=True)

    class Meta:
        ordering = ["-granted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "account"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_live_authorization",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} may act for {self.account}"


class WarningAcknowledgment(models.Model):
    """P4 and P11: a non-authorized staff member has read the warning."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="acknowledgments")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="acknowledgments")
    text_version = models.CharField(max_length=20)
    acknowledged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-acknowledged_at"]

    def __str__(self) -> str:
        return f"{self.person} acknowledged warning {self.text_version}"


class PlatformTerms(models.Model):
    """A version of a platform's terms of service (P20), recorded by ODS."""

    platform = models.CharField(max_length=20, choices=Platform.choices)
    version = models.CharField(max_length=60)
    effective_on = models.DateField()
    url = models.URLField(max_length=300, blank=True)

    class Meta:
        ordering = ["platform", "-effective_on"]
        constraints = [
            models.UniqueConstraint(fields=["platform", "version"], name="unique_terms_version")
        ]
        verbose_name_plural = "platform terms"

    def __str__(self) -> str:
        return f"{self.get_platform_display()} terms {self.version}"


class TosReview(models.Model):
    """An agency's review of one version of a platform's terms (P20)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="tos_reviews")
    terms = models.ForeignKey(PlatformTerms, on_delete=models.PROTECT, related_name="reviews")
    reviewer = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    reviewed_on = models.DateField()
    notes = models.TextField(max_length=5000, blank=True)

    class Meta:
        ordering = ["-reviewed_on"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "terms"], name="one_review_per_terms")
        ]

    def __str__(self) -> str:
        return f"{self.agency.slug} reviewed {self.terms}"
