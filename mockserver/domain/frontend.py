"""What the frontend SDK (``@stytch/vanilla-js``, ``@stytch/react``) needs from a project:
its SDK settings, the bootstrap object built from them, and the authorized-domain check.

The browser calls ``/sdk/v1/...`` with the project's public token; which pages may do so is
the project's list of authorized domains ("SDK Configuration" in Stytch's dashboard:
https://stytch.com/docs/guides/magic-links/email-magic-links/sdk).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .. import errors
from . import rbac

# Loopback names: the SDK writes its cookies without ``Secure`` only on these (and [::1]), so
# a plain-http page elsewhere loses them (see the README, "Frontend SDK offline").
DEFAULT_AUTHORIZED_DOMAINS = ("localhost", "127.0.0.1")
DASHBOARD_SDK_URL = "https://stytch.com/dashboard/sdk-configuration"


@dataclass
class FrontendSettings:
    """A project's frontend-SDK settings (the bootstrap object tells the SDK most of them)."""

    project_name: str = "stytch-b2b-mock"
    #: hosts (``localhost``: any scheme and port) or origins (``https://app.example.com``)
    authorized_domains: list[str] = field(default_factory=lambda: [*DEFAULT_AUTHORIZED_DOMAINS])
    create_organization_enabled: bool = True
    pkce_required_for_email_magic_links: bool = False
    pkce_required_for_password_resets: bool = False
    pkce_required_for_oauth: bool = False
    pkce_required_for_sso: bool = False
    # [chosen] No "Powered by Stytch" badge by default: 5.x loads it from Stytch's CDN, which
    # an offline page cannot reach (6.x draws it inline).
    disable_sdk_watermark: bool = True


def bad_domain_for_stytch_sdk() -> errors.StytchError:
    # Status and wording as the SDK's own UI test shows them:
    # https://github.com/stytchauth/stytch-browser/blob/main/packages/web/src/ui/components/molecules/ErrorText.spec.tsx
    return errors.StytchError(
        400,
        "bad_domain_for_stytch_sdk",
        "This website has not been registered as an allowed domain for the Stytch SDK. "
        f"Please add it here: {DASHBOARD_SDK_URL}",
    )


def public_token_not_found(token: str) -> errors.StytchError:
    # [chosen] Stytch lists the type (StytchAPIErrorType.ts) but not its status; 401, as for
    # any credential the mock does not know: on /sdk/v1 and on the OAuth and SSO start pages.
    live = (
        " It is a live token; use the public token of a Test project." if "-live-" in token else ""
    )
    return errors.StytchError(
        401,
        "public_token_not_found",
        "The public token could not be found in this project." + live,
    )


def check_origin(settings: FrontendSettings, origin: str | None) -> str:
    """The page's origin, when the project authorizes it; 400 ``bad_domain_for_stytch_sdk``
    when it is missing, malformed or not authorized."""
    if not origin:
        raise bad_domain_for_stytch_sdk()
    try:
        parts = urlsplit(origin)
        host = (parts.hostname or "").lower()
        _ = parts.port  # a malformed port raises ValueError
    except ValueError:
        raise bad_domain_for_stytch_sdk() from None
    if parts.scheme not in ("http", "https") or not host:
        raise bad_domain_for_stytch_sdk()
    normalised = origin.rstrip("/").lower()
    for allowed in settings.authorized_domains:
        allowed = allowed.rstrip("/").lower()
        if allowed == host or ("://" in allowed and allowed == normalised):
            return origin
    raise bad_domain_for_stytch_sdk()


def bootstrap(settings: FrontendSettings, password_config: dict[str, int] | None) -> dict[str, Any]:
    """The bootstrap object, with every field the SDK reads (``RawBootstrapData`` in
    https://github.com/stytchauth/stytch-browser/blob/main/packages/web/src/BootstrapDataManager.ts
    ): a missing one makes the SDK fall back to its defaults or fail in the UI, so all are
    always present."""
    return {
        "project_name": settings.project_name,
        "disable_sdk_watermark": settings.disable_sdk_watermark,
        "cname_domain": None,
        # The "check your email from ..." hint; Stytch's own default sender domain.
        "email_domains": ["stytch.com"],
        # Captcha and device fingerprinting would load scripts from Google and Stytch.
        "captcha_settings": {"enabled": False},
        "pkce_required_for_email_magic_links": settings.pkce_required_for_email_magic_links,
        "pkce_required_for_password_resets": settings.pkce_required_for_password_resets,
        "pkce_required_for_oauth": settings.pkce_required_for_oauth,
        "pkce_required_for_sso": settings.pkce_required_for_sso,
        "slug_pattern": None,
        "create_organization_enabled": settings.create_organization_enabled,
        "password_config": password_config,
        "dfp_protected_auth_enabled": False,
        "dfp_protected_auth_mode": None,
        "rbac_policy": rbac.default_policy(),
        "siwe_required_for_crypto_wallets": False,
        "vertical": "B2B",
    }
