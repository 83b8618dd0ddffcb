"""SAML 2.0 Web Browser SSO: the IdP's signed Response and the SP's checks on it.

The Response follows the SAML 2.0 core schema: a ``samlp:Response`` (Destination,
InResponseTo, Status) holding one ``saml:Assertion`` signed with an enveloped XML signature
(RSA-SHA256, exclusive canonicalization; ``signxml``), whose Subject, Conditions (time window,
AudienceRestriction), AuthnStatement and AttributeStatement carry the user. The SP side
(:func:`verify_response`) trusts only what the signature covers.
"""

from __future__ import annotations

import base64
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import unquote, urlencode

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from lxml import etree  # type: ignore[import-untyped]
from signxml import CanonicalizationMethod, DigestAlgorithm, SignatureMethod, XMLSigner, XMLVerifier
from signxml.exceptions import InvalidInput
from signxml.exceptions import InvalidSignature as InvalidXMLSignature

from ..ids import uuid_like

SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
DS = "http://www.w3.org/2000/09/xmldsig#"
NS = {"samlp": SAMLP, "saml": SAML, "ds": DS}
EMAIL_NAMEID = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success"
BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
POST_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"

# How long an assertion is valid after it is issued, and the clock skew allowed before it.
ASSERTION_LIFETIME = timedelta(minutes=5)
CLOCK_SKEW = timedelta(seconds=60)

# A parser that never fetches anything and refuses entity tricks.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


class SAMLError(ValueError):
    """A SAML message the SP refuses; ``reason`` names which check failed."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def _instant(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_instant(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


# --- the IdP's side ------------------------------------------------------------------------


@dataclass
class SAMLUser:
    """Who logs in at the IdP."""

    email: str
    name: str = ""
    user_id: str = ""
    groups: list[str] = field(default_factory=list)
    attributes: dict[str, str] = field(default_factory=dict)


def build_response(
    *,
    user: SAMLUser,
    issuer: str,
    destination: str,
    audience: str,
    now: datetime,
    key: rsa.RSAPrivateKey,
    cert_pem: str,
    in_response_to: str | None = None,
    nameid_format: str = EMAIL_NAMEID,
) -> bytes:
    """A signed SAML Response (the XML bytes; base64 them for the POST binding)."""
    response_id = "_" + uuid_like().replace("-", "")
    assertion_id = "_" + uuid_like().replace("-", "")
    issued = _instant(now)
    response = etree.Element(
        _q(SAMLP, "Response"),
        nsmap={"samlp": SAMLP, "saml": SAML},
        ID=response_id,
        Version="2.0",
        IssueInstant=issued,
        Destination=destination,
    )
    if in_response_to:
        response.set("InResponseTo", in_response_to)
    etree.SubElement(response, _q(SAML, "Issuer")).text = issuer
    status = etree.SubElement(response, _q(SAMLP, "Status"))
    etree.SubElement(status, _q(SAMLP, "StatusCode"), Value=SUCCESS)

    assertion = etree.Element(
        _q(SAML, "Assertion"),
        nsmap={"saml": SAML},
        ID=assertion_id,
        Version="2.0",
        IssueInstant=issued,
    )
    etree.SubElement(assertion, _q(SAML, "Issuer")).text = issuer
    # signxml puts the enveloped signature where this placeholder is (the schema wants it
    # right after the Issuer).
    etree.SubElement(assertion, _q(DS, "Signature"), nsmap={"ds": DS}, Id="placeholder")
    subject = etree.SubElement(assertion, _q(SAML, "Subject"))
    name_id = etree.SubElement(subject, _q(SAML, "NameID"), Format=nameid_format)
    name_id.text = user.email if nameid_format == EMAIL_NAMEID else (user.user_id or user.email)
    confirmation = etree.SubElement(subject, _q(SAML, "SubjectConfirmation"), Method=BEARER)
    data = etree.SubElement(
        confirmation,
        _q(SAML, "SubjectConfirmationData"),
        NotOnOrAfter=_instant(now + ASSERTION_LIFETIME),
        Recipient=destination,
    )
    if in_response_to:
        data.set("InResponseTo", in_response_to)
    conditions = etree.SubElement(
        assertion,
        _q(SAML, "Conditions"),
        NotBefore=_instant(now - CLOCK_SKEW),
        NotOnOrAfter=_instant(now + ASSERTION_LIFETIME),
    )
    restriction = etree.SubElement(conditions, _q(SAML, "AudienceRestriction"))
    etree.SubElement(restriction, _q(SAML, "Audience")).text = audience
    authn = etree.SubElement(
        assertion, _q(SAML, "AuthnStatement"), AuthnInstant=issued, SessionIndex=assertion_id
    )
    context = etree.SubElement(authn, _q(SAML, "AuthnContext"))
    etree.SubElement(
        context, _q(SAML, "AuthnContextClassRef")
    ).text = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
    statement = etree.SubElement(assertion, _q(SAML, "AttributeStatement"))
    values: dict[str, list[str]] = {
        "email": [user.email],
        "name": [user.name] if user.name else [],
        "first_name": [user.name.split(" ", 1)[0]] if user.name else [],
        "last_name": [user.name.split(" ", 1)[1]] if " " in user.name else [],
        "user_id": [user.user_id] if user.user_id else [],
        "groups": list(user.groups),
    }
    for name, value in user.attributes.items():
        values[name] = [value]
    for name, items in values.items():
        if not items:
            continue
        attribute = etree.SubElement(statement, _q(SAML, "Attribute"), Name=name)
        for item in items:
            etree.SubElement(attribute, _q(SAML, "AttributeValue")).text = item

    signed = XMLSigner(
        signature_algorithm=SignatureMethod.RSA_SHA256,
        digest_algorithm=DigestAlgorithm.SHA256,
        c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
    ).sign(assertion, key=key, cert=cert_pem, reference_uri=assertion_id)
    response.append(signed)
    return etree.tostring(response, xml_declaration=True, encoding="UTF-8")


def parse_authn_request(saml_request: str) -> dict[str, str]:
    """The ID, ACS URL and issuer of an HTTP-Redirect AuthnRequest (deflated, base64)."""
    try:
        xml = zlib.decompress(base64.b64decode(saml_request), -15)
        root = etree.fromstring(xml, _PARSER)
    except (ValueError, zlib.error, etree.XMLSyntaxError):
        raise SAMLError(
            "malformed", "The SAMLRequest is not a deflated, base64 AuthnRequest."
        ) from None
    if root.tag != _q(SAMLP, "AuthnRequest"):
        raise SAMLError("malformed", "The SAMLRequest is not an AuthnRequest.")
    issuer = root.find("saml:Issuer", NS)
    return {
        "id": root.get("ID", ""),
        "acs_url": root.get("AssertionConsumerServiceURL", ""),
        "issuer": issuer.text if issuer is not None and issuer.text else "",
    }


# --- the SP's side -------------------------------------------------------------------------


def authn_request(
    *, request_id: str, acs_url: str, destination: str, issuer: str, now: datetime
) -> str:
    """An AuthnRequest for the HTTP-Redirect binding: deflated, base64 (URL-encode it)."""
    root = etree.Element(
        _q(SAMLP, "AuthnRequest"),
        nsmap={"samlp": SAMLP, "saml": SAML},
        ID=request_id,
        Version="2.0",
        IssueInstant=_instant(now),
        Destination=destination,
        AssertionConsumerServiceURL=acs_url,
        ProtocolBinding=POST_BINDING,
    )
    etree.SubElement(root, _q(SAML, "Issuer")).text = issuer
    raw = etree.tostring(root)
    deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
    return base64.b64encode(deflater.compress(raw) + deflater.flush()).decode("ascii")


RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"


def redirect_query(saml_request: str, relay_state: str, key: rsa.RSAPrivateKey | None) -> str:
    """The HTTP-Redirect binding's query (SAML bindings §3.4.4.1): ``SAMLRequest``,
    ``RelayState`` and, with a key, ``SigAlg`` and the RSA-SHA256 ``Signature`` over exactly
    those URL-encoded pairs."""
    signed = urlencode({"SAMLRequest": saml_request, "RelayState": relay_state})
    if key is None:
        return signed
    signed += "&" + urlencode({"SigAlg": RSA_SHA256})
    signature = key.sign(signed.encode(), padding.PKCS1v15(), hashes.SHA256())
    return signed + "&" + urlencode({"Signature": base64.b64encode(signature).decode()})


def verify_redirect_signature(raw_query: str, certificates: list[str]) -> bool:
    """Whether a signed HTTP-Redirect query verifies against one of ``certificates`` (PEM);
    the signed octets are the query's own ``SAMLRequest``, ``RelayState`` and ``SigAlg``
    pairs, as sent."""
    pairs = dict(part.split("=", 1) for part in raw_query.split("&") if "=" in part)
    if unquote(pairs.get("SigAlg", "")) != RSA_SHA256 or "Signature" not in pairs:
        return False
    signed = "&".join(
        f"{name}={pairs[name]}" for name in ("SAMLRequest", "RelayState", "SigAlg") if name in pairs
    )
    try:
        signature = base64.b64decode(unquote(pairs["Signature"]))
    except ValueError:
        return False
    for pem in certificates:
        public_key = x509.load_pem_x509_certificate(pem.encode()).public_key()
        if not isinstance(public_key, rsa.RSAPublicKey):
            continue
        try:
            public_key.verify(signature, signed.encode(), padding.PKCS1v15(), hashes.SHA256())
            return True
        except InvalidSignature:
            continue
    return False


@dataclass
class Assertion:
    """What a verified Response says (only signed content)."""

    assertion_id: str
    issuer: str
    name_id: str
    name_id_format: str
    in_response_to: str | None
    attributes: dict[str, list[str]]


def verify_response(
    saml_response: str,
    *,
    certificates: list[str],
    audiences: list[str],
    destinations: list[str],
    now: datetime,
) -> Assertion:
    """Check a base64 SAML Response: XML signature against one of ``certificates`` (PEM),
    Status, Destination and Recipient, Audience, and the time window on ``now``."""
    try:
        xml = base64.b64decode(saml_response, validate=False)
        root = etree.fromstring(xml, _PARSER)
    except (ValueError, etree.XMLSyntaxError):
        raise SAMLError("malformed", "The SAMLResponse is not base64-encoded XML.") from None
    if root.tag != _q(SAMLP, "Response"):
        raise SAMLError("malformed", "The SAMLResponse is not a SAML 2.0 Response.")
    if root.find(".//ds:Signature", NS) is None:
        raise SAMLError("missing_signature", "The SAMLResponse is not signed.")
    status = root.find("samlp:Status/samlp:StatusCode", NS)
    if status is None or status.get("Value") != SUCCESS:
        raise SAMLError("status", "The identity provider did not report success.")
    destination = root.get("Destination")
    if destination is not None and destination not in destinations:
        raise SAMLError("destination", f"The Response is addressed to {destination!r}.")
    signed = None
    last: Exception | None = None
    for cert in certificates:
        try:
            result = XMLVerifier().verify(
                root, x509_cert=cert, expect_references=1, ignore_ambiguous_key_info=True
            )
            first = result[0] if isinstance(result, list) else result
            signed = first.signed_xml
            break
        except (InvalidXMLSignature, InvalidInput) as exc:
            last = exc
    if signed is None:
        raise SAMLError("signature", f"The Response's signature does not verify: {last}.")
    if signed.tag != _q(SAML, "Assertion"):
        raise SAMLError("signature", "The signature does not cover an Assertion.")
    return _read_assertion(signed, audiences=audiences, destinations=destinations, now=now)


def signing_certificate(saml_response: str) -> str | None:
    """The certificate a Response's signature names in its KeyInfo (base64 body), if any."""
    try:
        root = etree.fromstring(base64.b64decode(saml_response), _PARSER)
    except (ValueError, etree.XMLSyntaxError):
        return None
    found = root.find(".//ds:Signature/ds:KeyInfo/ds:X509Data/ds:X509Certificate", NS)
    return "".join((found.text or "").split()) if found is not None else None


def _read_assertion(
    assertion: Any, *, audiences: list[str], destinations: list[str], now: datetime
) -> Assertion:
    conditions = assertion.find("saml:Conditions", NS)
    if conditions is None:
        raise SAMLError("conditions", "The Assertion has no Conditions.")
    not_before = _parse_instant(conditions.get("NotBefore"))
    not_after = _parse_instant(conditions.get("NotOnOrAfter"))
    if not_before is not None and now + CLOCK_SKEW < not_before:
        raise SAMLError("not_yet_valid", "The Assertion is not valid yet.")
    if not_after is not None and now >= not_after:
        raise SAMLError("expired", "The Assertion has expired.")
    found = [a.text for a in conditions.findall("saml:AudienceRestriction/saml:Audience", NS)]
    if not any(a in audiences for a in found):
        raise SAMLError("audience", f"The Assertion's audience {found!r} is not this connection.")
    confirmation = assertion.find(
        "saml:Subject/saml:SubjectConfirmation/saml:SubjectConfirmationData", NS
    )
    if confirmation is not None:
        recipient = confirmation.get("Recipient")
        if recipient is not None and recipient not in destinations:
            raise SAMLError("destination", f"The Assertion's recipient is {recipient!r}.")
        until = _parse_instant(confirmation.get("NotOnOrAfter"))
        if until is not None and now >= until:
            raise SAMLError("expired", "The Assertion's subject confirmation has expired.")
    name_id = assertion.find("saml:Subject/saml:NameID", NS)
    if name_id is None or not (name_id.text or "").strip():
        raise SAMLError("subject", "The Assertion has no NameID.")
    attributes: dict[str, list[str]] = {}
    for attribute in assertion.findall("saml:AttributeStatement/saml:Attribute", NS):
        values = [v.text or "" for v in attribute.findall("saml:AttributeValue", NS)]
        attributes[attribute.get("Name", "")] = values
    issuer = assertion.find("saml:Issuer", NS)
    return Assertion(
        assertion_id=assertion.get("ID", ""),
        issuer=issuer.text if issuer is not None and issuer.text else "",
        name_id=name_id.text.strip(),
        name_id_format=name_id.get("Format", ""),
        in_response_to=(confirmation.get("InResponseTo") if confirmation is not None else None),
        attributes=attributes,
    )
