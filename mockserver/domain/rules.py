"""The rules an organization's values and a member's email obey, shared by every family.

Rules and defaults from the Python SDK's docstrings (``stytch/b2b/api/organizations.py``,
https://github.com/stytchauth/stytch-python/blob/main/stytch/b2b/api/organizations.py) and
Stytch's API reference (https://stytch.com/docs/b2b/api/create-organization). Choices where the
real API is unknown are marked "[chosen]" and listed in the README's fidelity notes.
"""

from __future__ import annotations

import re
from typing import Any

from .. import errors
from .entities import Organization

# --- value rules ------------------------------------------------------------------------

SETTING_VALUES: dict[str, frozenset[str]] = {
    "sso_jit_provisioning": frozenset({"ALL_ALLOWED", "RESTRICTED", "NOT_ALLOWED"}),
    "email_jit_provisioning": frozenset({"RESTRICTED", "NOT_ALLOWED"}),
    "email_invites": frozenset({"ALL_ALLOWED", "RESTRICTED", "NOT_ALLOWED"}),
    "auth_methods": frozenset({"ALL_ALLOWED", "RESTRICTED"}),
    "mfa_policy": frozenset({"OPTIONAL", "REQUIRED_FOR_ALL"}),
    "mfa_methods": frozenset({"ALL_ALLOWED", "RESTRICTED"}),
    "oauth_tenant_jit_provisioning": frozenset({"RESTRICTED", "NOT_ALLOWED"}),
    "first_party_connected_apps_allowed_type": frozenset(
        {"ALL_ALLOWED", "RESTRICTED", "NOT_ALLOWED"}
    ),
    "third_party_connected_apps_allowed_type": frozenset(
        {"ALL_ALLOWED", "RESTRICTED", "NOT_ALLOWED"}
    ),
}
AUTH_METHODS = frozenset(
    {
        "sso",
        "magic_link",
        "email_otp",
        "password",
        "google_oauth",
        "microsoft_oauth",
        "slack_oauth",
        "github_oauth",
        "hubspot_oauth",
    }
)
MFA_METHODS = frozenset({"sms_otp", "totp"})

# Settings whose presence on create turns the email_invites default from ALL_ALLOWED into
# NOT_ALLOWED (the Python SDK's create docstring, stytch/b2b/api/organizations.py at
# https://github.com/stytchauth/stytch-python).
AUTH_SETTING_FIELDS = (
    "sso_jit_provisioning",
    "email_allowed_domains",
    "email_jit_provisioning",
    "email_invites",
    "auth_methods",
    "allowed_auth_methods",
    "mfa_policy",
    "mfa_methods",
    "allowed_mfa_methods",
    "oauth_tenant_jit_provisioning",
    "allowed_oauth_tenants",
)

# Fields an organization takes on create and update, beyond name and slug.
ORGANIZATION_FIELDS = (
    "organization_logo_url",
    "trusted_metadata",
    "organization_external_id",
    "sso_jit_provisioning",
    "sso_jit_provisioning_allowed_connections",
    "email_allowed_domains",
    "email_jit_provisioning",
    "email_invites",
    "auth_methods",
    "allowed_auth_methods",
    "mfa_policy",
    "rbac_email_implicit_role_assignments",
    "mfa_methods",
    "allowed_mfa_methods",
    "oauth_tenant_jit_provisioning",
    "allowed_oauth_tenants",
    "claimed_email_domains",
    "first_party_connected_apps_allowed_type",
    "allowed_first_party_connected_apps",
    "third_party_connected_apps_allowed_type",
    "allowed_third_party_connected_apps",
    "sso_default_connection_id",
)

# Common consumer email domains Stytch refuses in email_allowed_domains (the most common of
# the list at https://stytch.com/docs/b2b/api/common-email-domains).
COMMON_EMAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "aol.com",
        "yahoo.com",
        "icloud.com",
        "hotmail.com",
        "msn.com",
        "comcast.net",
        "live.com",
        "outlook.com",
        "att.net",
        "earthlink.net",
        "me.com",
        "mac.com",
        "sbcglobal.net",
        "verizon.net",
        "ig.com.br",
        "mail.com",
        "hey.com",
        "laposte.net",
        "wanadoo.fr",
        "orange.fr",
        "rediffmail.com",
        "uol.com.br",
        "bol.com.br",
        "protonmail.com",
        "proton.me",
        "gmx.com",
        "gmx.de",
        "yandex.com",
        "yandex.ru",
        "zoho.com",
        "qq.com",
        "163.com",
        "126.com",
        "mail.ru",
        "web.de",
        "free.fr",
    }
)

_SLUG = re.compile(r"[A-Za-z0-9\-._~]{2,128}")
EXTERNAL_ID = re.compile(r"[A-Za-z0-9._\-|]{1,128}")
_DOMAIN = re.compile(r"(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
_EMAIL = re.compile(
    r"[^@\s]{1,64}@([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)


def validate_email(email: str) -> str:
    if len(email) > 254 or not _EMAIL.fullmatch(email):
        raise errors.invalid_email()
    return email


def email_domain(email: str) -> str:
    return email.rsplit("@", 1)[1].lower()


def is_common_domain(domain: str) -> bool:
    return domain in COMMON_EMAIL_DOMAINS or domain.endswith(".edu")


def check_name(name: Any) -> str:
    if not isinstance(name, str) or not 1 <= len(name) <= 128:
        raise errors.invalid_organization_name()
    return name


def check_slug(slug: str) -> str:
    if not _SLUG.fullmatch(slug) or not any(c.isalnum() for c in slug):
        raise errors.invalid_organization_slug()
    return slug


def check_domains(domains: list[str]) -> list[str]:
    seen: list[str] = []
    for raw in domains:
        domain = raw.strip().lower()
        if not _DOMAIN.fullmatch(domain):
            raise errors.organization_settings_invalid_domain(raw)
        if is_common_domain(domain):
            raise errors.organization_settings_domain_too_common(raw)
        if domain in seen:
            raise errors.organization_settings_duplicate_domain(raw)
        seen.append(domain)
    return seen


def check_settings(values: dict[str, Any]) -> None:
    for name, allowed in SETTING_VALUES.items():
        value = values.get(name)
        if value is not None and value not in allowed:
            raise errors.invalid_setting_value(name, value, sorted(allowed))
    for name, allowed_set in (
        ("allowed_auth_methods", AUTH_METHODS),
        ("allowed_mfa_methods", MFA_METHODS),
    ):
        for item in values.get(name) or ():
            if item not in allowed_set:
                raise errors.invalid_setting_value(name, item, sorted(allowed_set))


def check_consistency(org: Organization) -> None:
    """The settings that only make sense together (Stytch's organization settings reference,
    https://stytch.com/docs/b2b/api/update-organization)."""
    if org.auth_methods == "RESTRICTED" and not org.allowed_auth_methods:
        raise errors.allowed_auth_methods_required_for_restricted()
    if org.mfa_methods == "RESTRICTED" and not org.allowed_mfa_methods:
        raise errors.allowed_mfa_methods_required_for_restricted()
    if not org.email_allowed_domains and "RESTRICTED" in (
        org.email_invites,
        org.email_jit_provisioning,
    ):
        raise errors.invalid_restricted_email_setting()


def check_organization(org: Organization) -> None:
    """Every rule an organization's stored values obey (used to vet imported state)."""
    check_name(org.organization_name)
    check_slug(org.organization_slug)
    check_settings({f: getattr(org, f) for f in org.__dataclass_fields__})
    check_consistency(org)
