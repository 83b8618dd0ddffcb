package contracts;

import static contracts.Harness.CLIENT;
import static contracts.Harness.MOCK_ONLY_REASON;
import static contracts.Harness.REMOTE;
import static contracts.Harness.check;
import static contracts.Harness.equal;
import static contracts.Harness.latestMessage;
import static contracts.Harness.ok;
import static contracts.Harness.refused;
import static contracts.Harness.remember;
import static contracts.Harness.unique;

import com.stytch.java.b2b.StytchB2BClient;
import com.stytch.java.b2b.models.discoveryorganizations.CreateResponse;
import com.stytch.java.b2b.models.organizations.Member;
import com.stytch.java.b2b.models.organizations.MemberRole;
import com.stytch.java.b2b.models.organizations.Organization;
import com.stytch.java.b2b.models.organizations.SearchQuery;
import com.stytch.java.b2b.models.organizations.SearchQueryOperator;
import com.stytch.java.b2b.models.organizationsmembers.CreateRequestOptions;
import com.stytch.java.b2b.models.organizationsmembers.DeleteRequestOptions;
import com.stytch.java.b2b.models.organizationsmembers.SearchRequestOptions;
import com.stytch.java.b2b.models.organizationsmembers.UpdateRequestOptions;
import com.stytch.java.b2b.models.passwords.MigrateRequestHashType;
import com.stytch.java.b2b.models.sessions.MemberSession;
import com.stytch.java.b2b.models.sessions.RevokeRequestOptions;
import com.stytch.java.common.JWTException;
import com.stytch.java.common.PermissionException;
import com.stytch.java.common.StytchException;
import com.stytch.java.common.StytchResult;
import com.stytch.java.common.TenancyException;
import com.stytch.java.consumer.models.sessions.AuthenticationFactor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

/**
 * Contract scenarios of the stytch-b2b-mock through the official Java SDK ({@code
 * com.stytch.java:sdk}), one JSON line per scenario on stdout.
 *
 * <p>Run: STYTCH_MOCK_URL=http://127.0.0.1:8080 STYTCH_PROJECT_ID=... STYTCH_SECRET=... java -cp
 * ... contracts.Scenarios [NAME ...] (contracts/test_java_sdk.py does this from pytest against
 * the in-process mock, or a remote target with STYTCH_CONTRACT_TARGET=stytch).
 *
 * <p>contracts/test_java_sdk.py reads the scenario names from this file: each one is declared
 * on one line as {@code mockOnly("name", ...)} or {@code anywhere("name", ...)}.
 */
public final class Scenarios {
  private static final String PHONE = "+15555550100";
  private static final String STRONG = "correct horse battery staple 42";

  interface Body {
    void run() throws Exception;
  }

  record Scenario(String name, boolean mockOnly, Body body) {}

  private static final List<Scenario> ALL = new ArrayList<>();

  private static void mockOnly(String name, Body body) {
    ALL.add(new Scenario(name, true, body));
  }

  private static void anywhere(String name, Body body) {
    ALL.add(new Scenario(name, false, body));
  }

  static {
    mockOnly("discovery sign-up ends in a session the API and the JWT both accept", Scenarios::discoveryQuickstart);
    anywhere("organizations and members: create, get, update, search, delete", Scenarios::organizationsAndMembers);
    anywhere("errors: wrong credentials and a missing member are Stytch errors", Scenarios::errors);
    anywhere("passwords: migrate a bcrypt hash, sign in, a wrong password is refused", Scenarios::passwords);
    mockOnly("MFA: magic link, then an SMS code from the outbox, ends in a session", Scenarios::mfaSms);
    mockOnly("a returning member: discovery list and exchange, switching organizations, RBAC", Scenarios::returningMember);
    anywhere("SCIM: a connection is created, read, rotated and deleted", Scenarios::scimConnection);
    anywhere("M2M: a client gets a token the SDK verifies locally", Scenarios::m2mClient);
  }

  public static void main(String[] args) {
    List<String> only = List.of(args);
    boolean failed = false;
    try {
      for (Scenario scenario : ALL) {
        if (!only.isEmpty() && !only.contains(scenario.name())) {
          continue;
        }
        if (scenario.mockOnly() && REMOTE) {
          Harness.report(scenario.name(), "skip", MOCK_ONLY_REASON);
          continue;
        }
        try {
          scenario.body().run();
          Harness.report(scenario.name(), "pass", "");
        } catch (Throwable t) { // an AssertionError, or anything the SDK threw
          failed = true;
          Harness.report(scenario.name(), "fail", Harness.stackTrace(t));
        }
      }
    } finally {
      List<String> leftovers = Harness.cleanUp();
      if (!leftovers.isEmpty()) {
        failed = true;
        System.err.println("could not delete organizations the run made: " + leftovers);
      }
      CLIENT.close();
    }
    System.exit(failed ? 1 : 0); // the SDK's JWKS refresher would keep the JVM alive
  }

  // --- scenarios --------------------------------------------------------------------------

  /** Stytch's B2B discovery quickstart: email magic link, new organization, session, JWT. */
  static void discoveryQuickstart() {
    String email = unique("ada") + "@example.com";

    var sent =
        ok(
            CLIENT
                .getMagicLinks()
                .getEmail()
                .getDiscovery()
                .sendCompletable(
                    new com.stytch.java.b2b.models.magiclinksemaildiscovery.SendRequest(email)));
    equal(sent.getStatusCode(), 200, "send status_code");

    Map<String, Object> message = latestMessage(email);
    equal(message.get("kind"), "discovery", "outbox message kind");
    String token = (String) message.get("token");
    check(token != null && !token.isEmpty(), "the discovery email has no token");

    var discovered =
        ok(
            CLIENT
                .getMagicLinks()
                .getDiscovery()
                .authenticateCompletable(
                    new com.stytch.java.b2b.models.magiclinksdiscovery.AuthenticateRequest(token)));
    equal(discovered.getEmailAddress(), email, "discovered email_address");
    equal(discovered.getDiscoveredOrganizations(), List.of(), "discovered_organizations");
    String ist = discovered.getIntermediateSessionToken();
    check(!ist.isEmpty(), "no intermediate_session_token");

    String slug = unique("java-disco");
    CreateResponse created =
        ok(
            CLIENT
                .getDiscovery()
                .getOrganizations()
                .createCompletable(
                    new com.stytch.java.b2b.models.discoveryorganizations.CreateRequest(
                        ist, 60, null, "Java " + slug, slug)));
    Organization organization = created.getOrganization();
    String orgId = remember(organization.getOrganizationId());
    check(orgId.startsWith("organization-test-"), "organization_id " + orgId);
    equal(organization.getOrganizationSlug(), slug, "organization_slug");
    Member member = created.getMember();
    equal(member.getEmailAddress(), email, "member email_address");
    equal(member.getStatus(), "active", "member status");
    check(
        member.getRoles().stream().map(MemberRole::getRoleId).anyMatch("stytch_admin"::equals),
        "the creator is not stytch_admin: " + member.getRoles());
    check(created.getMemberAuthenticated(), "member_authenticated is false");
    check(!created.getSessionToken().isEmpty(), "no session_token");
    check(!created.getSessionJWT().isEmpty(), "no session_jwt");
    MemberSession session = created.getMemberSession();
    check(session != null, "no member_session");
    String sessionId = session.getMemberSessionId();
    equal(factors(session), List.of("MAGIC_LINK/EMAIL"), "authentication_factors");

    var authed =
        ok(
            CLIENT
                .getSessions()
                .authenticateCompletable(
                    new com.stytch.java.b2b.models.sessions.AuthenticateRequest(
                        created.getSessionToken())));
    equal(authed.getMemberSession().getMemberSessionId(), sessionId, "member_session_id");
    equal(authed.getMember().getMemberId(), member.getMemberId(), "member_id");
    equal(authed.getOrganization().getOrganizationId(), orgId, "organization_id");

    // Verified locally with jose4j against the mock's JWKS (no call to /sessions/authenticate).
    MemberSession local =
        ok(CLIENT.getSessions().authenticateJwtLocalCompletable(created.getSessionJWT(), null, null, 0));
    equal(local.getMemberSessionId(), sessionId, "local member_session_id");
    equal(local.getMemberId(), member.getMemberId(), "local member_id");
    equal(local.getOrganizationId(), orgId, "local organization_id");
    equal(local.getOrganizationSlug(), slug, "local organization_slug");
    check(local.getExpiresAt().isAfter(local.getStartedAt()), "expires_at is not after started_at");
    equal(factors(local), List.of("MAGIC_LINK/EMAIL"), "local authentication_factors");

    MemberSession viaJwt =
        ok(CLIENT.getSessions().authenticateJwtCompletable(created.getSessionJWT(), null, null));
    equal(viaJwt.getMemberSessionId(), sessionId, "authenticateJwt member_session_id");

    // The discovery token is single use.
    refused(
        CLIENT
            .getMagicLinks()
            .getDiscovery()
            .authenticateCompletable(
                new com.stytch.java.b2b.models.magiclinksdiscovery.AuthenticateRequest(token)),
        401,
        "unable_to_auth_magic_link");

    var revoked =
        ok(
            CLIENT
                .getSessions()
                .revokeCompletable(
                    new com.stytch.java.b2b.models.sessions.RevokeRequest(sessionId),
                    new RevokeRequestOptions()));
    equal(revoked.getStatusCode(), 200, "revoke status_code");
    refused(
        CLIENT
            .getSessions()
            .authenticateCompletable(
                new com.stytch.java.b2b.models.sessions.AuthenticateRequest(created.getSessionToken())),
        404,
        "session_not_found");
  }

  static void organizationsAndMembers() {
    Organization org = newOrganization(null, null);
    String orgId = org.getOrganizationId();
    var organizations = CLIENT.getOrganizations();
    var members = organizations.getMembers();

    var got =
        ok(organizations.getCompletable(new com.stytch.java.b2b.models.organizations.GetRequest(orgId)));
    equal(got.getOrganization().getOrganizationSlug(), org.getOrganizationSlug(), "get slug");

    var updated =
        ok(
            organizations.updateCompletable(
                new com.stytch.java.b2b.models.organizations.UpdateRequest(orgId, "Renamed by Java"),
                new com.stytch.java.b2b.models.organizations.UpdateRequestOptions()));
    equal(updated.getOrganization().getOrganizationName(), "Renamed by Java", "updated name");

    var found =
        ok(
            organizations.searchCompletable(
                new com.stytch.java.b2b.models.organizations.SearchRequest(
                    null,
                    null,
                    new SearchQuery(
                        SearchQueryOperator.AND,
                        List.of(
                            Map.of(
                                "filter_name", "organization_slugs",
                                "filter_value", List.of(org.getOrganizationSlug())))))));
    equal(ids(found.getOrganizations()), List.of(orgId), "organizations search");
    equal(found.getResultsMetadata().getTotal(), 1, "organizations search total");

    String email = unique("bob") + "@example.com";
    var created =
        ok(
            members.createCompletable(
                new com.stytch.java.b2b.models.organizationsmembers.CreateRequest(orgId, email, "Bob"),
                new CreateRequestOptions()));
    Member member = created.getMember();
    String memberId = member.getMemberId();
    check(memberId.startsWith("member-test-"), "member_id " + memberId);
    equal(member.getEmailAddress(), email, "member email_address");
    equal(member.getName(), "Bob", "member name");
    equal(member.getStatus(), "active", "member status");

    var byId =
        ok(
            members.getCompletable(
                new com.stytch.java.b2b.models.organizationsmembers.GetRequest(orgId, memberId)));
    equal(byId.getMember().getEmailAddress(), email, "get by member_id");
    var byEmail =
        ok(
            members.getCompletable(
                new com.stytch.java.b2b.models.organizationsmembers.GetRequest(orgId, null, email)));
    equal(byEmail.getMember().getMemberId(), memberId, "get by email_address");

    var renamed =
        ok(
            members.updateCompletable(
                new com.stytch.java.b2b.models.organizationsmembers.UpdateRequest(
                    orgId, memberId, "Robert", null, Map.of("team", "java")),
                new UpdateRequestOptions()));
    equal(renamed.getMember().getName(), "Robert", "updated member name");
    equal(renamed.getMember().getUntrustedMetadata(), Map.of("team", "java"), "untrusted_metadata");

    var searched =
        ok(
            members.searchCompletable(
                new com.stytch.java.b2b.models.organizationsmembers.SearchRequest(
                    List.of(orgId),
                    null,
                    null,
                    new SearchQuery(
                        SearchQueryOperator.AND,
                        List.of(
                            Map.of("filter_name", "member_emails", "filter_value", List.of(email))))),
                new SearchRequestOptions()));
    equal(
        searched.getMembers().stream().map(Member::getMemberId).collect(Collectors.toList()),
        List.of(memberId),
        "members search");
    equal(searched.getResultsMetadata().getTotal(), 1, "members search total");
    check(searched.getOrganizations().containsKey(orgId), "members search lacks organizations[org]");

    var deleted =
        ok(
            members.deleteCompletable(
                new com.stytch.java.b2b.models.organizationsmembers.DeleteRequest(orgId, memberId),
                new DeleteRequestOptions()));
    equal(deleted.getMemberId(), memberId, "deleted member_id");
    refused(
        members.getCompletable(
            new com.stytch.java.b2b.models.organizationsmembers.GetRequest(orgId, memberId)),
        404,
        "member_not_found");

    var orgDeleted =
        ok(
            organizations.deleteCompletable(
                new com.stytch.java.b2b.models.organizations.DeleteRequest(orgId),
                new com.stytch.java.b2b.models.organizations.DeleteRequestOptions()));
    equal(orgDeleted.getOrganizationId(), orgId, "deleted organization_id");
    refused(
        organizations.getCompletable(new com.stytch.java.b2b.models.organizations.GetRequest(orgId)),
        404,
        "organization_not_found");
  }

  static void errors() {
    // A wrong secret: Stytch's 401, decoded by the SDK into StytchException.Response.
    try (StytchB2BClient wrong = Harness.newClient("secret-test-wrong-" + unique("x"))) {
      refused(
          wrong
              .getOrganizations()
              .searchCompletable(new com.stytch.java.b2b.models.organizations.SearchRequest()),
          401,
          "unauthorized_credentials");
    }

    Organization org = newOrganization(null, null);
    String missing = "member-test-00000000-0000-4000-8000-000000000000";
    refused(
        CLIENT
            .getOrganizations()
            .getMembers()
            .getCompletable(
                new com.stytch.java.b2b.models.organizationsmembers.GetRequest(
                    org.getOrganizationId(), missing)),
        404,
        "member_not_found");
    refused(
        CLIENT
            .getOrganizations()
            .getMembers()
            .createCompletable(
                new com.stytch.java.b2b.models.organizationsmembers.CreateRequest(
                    org.getOrganizationId(), "not-an-email"),
                new CreateRequestOptions()),
        400,
        "invalid_email");
  }

  static void passwords() {
    Organization org = newOrganization(null, null);
    String orgId = org.getOrganizationId();
    String email = unique("migrated") + "@acme.co";
    var migrated =
        ok(
            CLIENT
                .getPasswords()
                .migrateCompletable(
                    new com.stytch.java.b2b.models.passwords.MigrateRequest(
                        email,
                        // crypt_blowfish's reference vector for the password "U*U"
                        "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",
                        MigrateRequestHashType.BCRYPT,
                        orgId)));
    check(migrated.getMemberCreated(), "member_created is false");
    check(migrated.getMember().getEmailAddressVerified(), "email_address_verified is false");
    check(!migrated.getMember().getMemberPasswordId().isEmpty(), "no member_password_id");

    var signedIn =
        ok(
            CLIENT
                .getPasswords()
                .authenticateCompletable(
                    new com.stytch.java.b2b.models.passwords.AuthenticateRequest(orgId, email, "U*U")));
    equal(signedIn.getMemberId(), migrated.getMemberId(), "signed-in member_id");
    check(signedIn.getMemberAuthenticated(), "member_authenticated is false");
    equal(factors(signedIn.getMemberSession()), List.of("PASSWORD/KNOWLEDGE"), "authentication_factors");
    MemberSession viaJwt =
        ok(CLIENT.getSessions().authenticateJwtCompletable(signedIn.getSessionJWT(), null, null));
    equal(viaJwt.getMemberId(), migrated.getMemberId(), "authenticateJwt member_id");

    refused(
        CLIENT
            .getPasswords()
            .authenticateCompletable(
                new com.stytch.java.b2b.models.passwords.AuthenticateRequest(orgId, email, "nope")),
        401,
        "unauthorized_credentials");
  }

  static void mfaSms() {
    String domain = unique("java-mfa") + ".com";
    Organization org = newOrganization(List.of(domain), "REQUIRED_FOR_ALL");
    String orgId = org.getOrganizationId();
    String email = unique("ada") + "@" + domain;

    ok(
        CLIENT
            .getMagicLinks()
            .getEmail()
            .loginOrSignupCompletable(
                new com.stytch.java.b2b.models.magiclinksemail.LoginOrSignupRequest(orgId, email)));
    String token = (String) latestMessage(email).get("token");
    var first =
        ok(
            CLIENT
                .getMagicLinks()
                .authenticateCompletable(
                    new com.stytch.java.b2b.models.magiclinks.AuthenticateRequest(token)));
    check(!first.getMemberAuthenticated(), "member_authenticated before MFA");
    equal(first.getSessionToken(), "", "session_token before MFA");
    check(first.getMfaRequired() != null, "no mfa_required");
    String ist = first.getIntermediateSessionToken();
    String memberId = first.getMemberId();

    var sent =
        ok(
            CLIENT
                .getOtps()
                .getSms()
                .sendCompletable(
                    new com.stytch.java.b2b.models.otpsms.SendRequest(orgId, memberId, PHONE, null, ist)));
    equal(sent.getMember().getMfaPhoneNumber(), PHONE, "mfa_phone_number");
    Map<String, Object> sms = latestMessage(PHONE);
    equal(sms.get("channel"), "sms", "outbox channel");
    String code = (String) sms.get("code");
    check(code != null && code.matches("\\d{6}"), "SMS code " + code);

    var done =
        ok(
            CLIENT
                .getOtps()
                .getSms()
                .authenticateCompletable(
                    new com.stytch.java.b2b.models.otpsms.AuthenticateRequest(orgId, memberId, code, ist)));
    equal(
        factors(done.getMemberSession()),
        List.of("MAGIC_LINK/EMAIL", "OTP/SMS"),
        "authentication_factors");
    check(done.getMember().getMfaEnrolled(), "mfa_enrolled is false");
    check(done.getMember().getMfaPhoneNumberVerified(), "mfa_phone_number_verified is false");

    MemberSession local =
        ok(CLIENT.getSessions().authenticateJwtLocalCompletable(done.getSessionJWT(), null, null, 0));
    equal(factors(local), List.of("MAGIC_LINK/EMAIL", "OTP/SMS"), "local authentication_factors");
  }

  /**
   * A returning member (discovery list, intermediate session exchange, sessions.exchange into a
   * second organization, sessions.get), the JWKS and RBAC policy as the SDK decodes them, and
   * local authorization checks: the admin may create members, an invited plain member may not
   * (locally, and through the API's 403).
   */
  static void returningMember() {
    String email = unique("grace") + "@example.com";
    CreateResponse admin = signUpThroughDiscovery(email);
    String orgA = admin.getOrganization().getOrganizationId();
    String memberA = admin.getMember().getMemberId();

    // A second discovery login finds the organization.
    String ist = discoveryIntermediateSession(email);
    var listed =
        ok(
            CLIENT
                .getDiscovery()
                .getOrganizations()
                .listCompletable(
                    new com.stytch.java.b2b.models.discoveryorganizations.ListRequest(ist)));
    equal(listed.getEmailAddress(), email, "list email_address");
    equal(listed.getDiscoveredOrganizations().size(), 1, "discovered organizations");
    var discovered = listed.getDiscoveredOrganizations().get(0);
    equal(discovered.getOrganization().getOrganizationId(), orgA, "discovered organization");
    equal(discovered.getMembership().getType(), "active_member", "membership type");

    var exchanged =
        ok(
            CLIENT
                .getDiscovery()
                .getIntermediateSessions()
                .exchangeCompletable(
                    new com.stytch.java.b2b.models.discoveryintermediatesessions.ExchangeRequest(
                        ist, orgA)));
    check(exchanged.getMemberAuthenticated(), "exchange: member_authenticated is false");
    equal(exchanged.getMemberId(), memberA, "exchange member_id");

    // The same email is a member of a second organization: sessions.exchange switches to it.
    Organization orgB = newOrganization(null, null);
    ok(
        CLIENT
            .getOrganizations()
            .getMembers()
            .createCompletable(
                new com.stytch.java.b2b.models.organizationsmembers.CreateRequest(
                    orgB.getOrganizationId(), email),
                new CreateRequestOptions()));
    var switched =
        ok(
            CLIENT
                .getSessions()
                .exchangeCompletable(
                    new com.stytch.java.b2b.models.sessions.ExchangeRequest(
                        orgB.getOrganizationId(), exchanged.getSessionToken())));
    check(switched.getMemberAuthenticated(), "sessions.exchange: member_authenticated is false");
    equal(
        switched.getMemberSession().getOrganizationId(),
        orgB.getOrganizationId(),
        "switched session organization_id");

    var sessions =
        ok(
            CLIENT
                .getSessions()
                .getCompletable(new com.stytch.java.b2b.models.sessions.GetRequest(orgA, memberA)));
    check(!sessions.getMemberSessions().isEmpty(), "sessions.get: no session");

    var jwks =
        ok(
            CLIENT
                .getSessions()
                .getJWKSCompletable(
                    new com.stytch.java.b2b.models.sessions.GetJWKSRequest(Harness.PROJECT_ID)));
    check(!jwks.getKeys().isEmpty(), "the JWKS has no key");
    equal(jwks.getKeys().get(0).getKty(), "RSA", "JWK kty");

    var policy = ok(CLIENT.getRbac().policyCompletable(new com.stytch.java.b2b.models.rbac.PolicyRequest()));
    check(policy.getPolicy() != null, "no policy");
    check(
        policy.getPolicy().getRoles().stream().anyMatch(r -> r.getRoleId().equals("stytch_admin")),
        "the policy has no stytch_admin role");

    // Local authorization: the SDK fetches the project's and the organization's policies.
    var createMembers =
        new com.stytch.java.b2b.models.sessions.AuthorizationCheck(orgA, "stytch.member", "create");
    MemberSession allowed =
        ok(
            CLIENT
                .getSessions()
                .authenticateJwtLocalCompletable(admin.getSessionJWT(), null, createMembers, 0));
    equal(allowed.getMemberId(), memberA, "admin local authorization member_id");

    // An invited member logs in with the invite from the outbox: a plain stytch_member.
    String invitee = unique("ida") + "@example.com";
    var invited =
        ok(
            CLIENT
                .getMagicLinks()
                .getEmail()
                .inviteCompletable(
                    new com.stytch.java.b2b.models.magiclinksemail.InviteRequest(orgA, invitee),
                    new com.stytch.java.b2b.models.magiclinksemail.InviteRequestOptions()));
    equal(invited.getMember().getStatus(), "invited", "invited member status");
    var joined =
        ok(
            CLIENT
                .getMagicLinks()
                .authenticateCompletable(
                    new com.stytch.java.b2b.models.magiclinks.AuthenticateRequest(
                        (String) latestMessage(invitee).get("token"))));
    check(joined.getMemberAuthenticated(), "invitee: member_authenticated is false");
    equal(
        joined.getMember().getRoles().stream().map(MemberRole::getRoleId).collect(Collectors.toList()),
        List.of("stytch_member"),
        "invitee roles");
    deniedLocally(
        CLIENT
            .getSessions()
            .authenticateJwtLocalCompletable(joined.getSessionJWT(), null, createMembers, 0),
        PermissionException.class);
    // The admin of one organization has no say in another.
    deniedLocally(
        CLIENT
            .getSessions()
            .authenticateJwtLocalCompletable(
                admin.getSessionJWT(),
                null,
                new com.stytch.java.b2b.models.sessions.AuthorizationCheck(
                    orgB.getOrganizationId(), "stytch.member", "create"),
                0),
        TenancyException.class);
    refused(
        CLIENT
            .getSessions()
            .authenticateCompletable(
                new com.stytch.java.b2b.models.sessions.AuthenticateRequest(
                    joined.getSessionToken(), null, null, null, createMembers)),
        403,
        "session_authorization_error");
  }

  // --- helpers ----------------------------------------------------------------------------

  /** A local JWT check the SDK refuses with {@code reason} (in a StytchException.Critical). */
  static void deniedLocally(
      CompletableFuture<StytchResult<MemberSession>> call, Class<? extends Throwable> reason) {
    StytchException denied = Harness.error(call);
    check(denied instanceof StytchException.Critical, "got " + Harness.describe(denied));
    // Critical(JwtError(exception=PermissionException(...))): the reason is wrapped once.
    Throwable cause = ((StytchException.Critical) denied).getReason();
    if (cause instanceof JWTException) {
      cause = ((JWTException) cause).getException();
    }
    check(
        reason.isInstance(cause),
        "expected " + reason.getSimpleName() + ", got " + Harness.describe(denied));
  }

  static void scimConnection() {
    String orgId = newOrganization(List.of(), null).getOrganizationId();

    var created =
        ok(
                CLIENT
                    .getScim()
                    .getConnection()
                    .createCompletable(
                        new com.stytch.java.b2b.models.scimconnection.CreateRequest(orgId, "Okta"),
                        null))
            .getConnection();
    check(created != null, "no connection");
    String connectionId = created.getConnectionId();
    check(connectionId.startsWith("scim-connection-test-"), "connection_id " + connectionId);
    String token = created.getBearerToken();
    equal(token.length(), 48, "bearer_token length");
    check(created.getBaseURL().endsWith("/v1/b2b/scim/" + connectionId), "base_url " + created.getBaseURL());
    check(created.getBearerTokenExpiresAt() != null, "no bearer_token_expires_at");

    var got =
        ok(
                CLIENT
                    .getScim()
                    .getConnection()
                    .getCompletable(new com.stytch.java.b2b.models.scimconnection.GetRequest(orgId), null))
            .getConnection();
    equal(got.getBearerTokenLastFour(), token.substring(44), "bearer_token_last_four");
    equal(got.getNextBearerTokenLastFour(), "", "next_bearer_token_last_four");

    var started =
        ok(
                CLIENT
                    .getScim()
                    .getConnection()
                    .rotateStartCompletable(
                        new com.stytch.java.b2b.models.scimconnection.RotateStartRequest(orgId, connectionId),
                        null))
            .getConnection();
    String next = started.getNextBearerToken();
    check(next.length() == 48 && !next.equals(token), "next_bearer_token " + next);
    var completed =
        ok(
                CLIENT
                    .getScim()
                    .getConnection()
                    .rotateCompleteCompletable(
                        new com.stytch.java.b2b.models.scimconnection.RotateCompleteRequest(orgId, connectionId),
                        null))
            .getConnection();
    equal(completed.getBearerTokenLastFour(), next.substring(44), "rotated bearer_token_last_four");

    var deleted =
        ok(
            CLIENT
                .getScim()
                .getConnection()
                .deleteCompletable(
                    new com.stytch.java.b2b.models.scimconnection.DeleteRequest(orgId, connectionId), null));
    equal(deleted.getConnectionId(), connectionId, "deleted connection_id");
  }

  static void m2mClient() {
    var made =
        ok(
                CLIENT
                    .getM2m()
                    .getClients()
                    .createCompletable(
                        new com.stytch.java.consumer.models.m2mclients.CreateRequest(
                            List.of("read:users", "write:users"), null, null, unique("java-m2m"))))
            .getM2mClient();
    String clientId = made.getClientId();
    try {
      check(clientId.startsWith("m2m-client-test-"), "client_id " + clientId);
      equal(made.getClientSecretLastFour(), made.getClientSecret().substring(made.getClientSecret().length() - 4), "client_secret_last_four");

      var token =
          ok(
              CLIENT
                  .getM2m()
                  .tokenCompletable(
                      new com.stytch.java.consumer.models.m2m.TokenRequest(
                          clientId, made.getClientSecret(), List.of("read:users"))));
      equal(token.getTokenType(), "bearer", "token_type");
      equal(token.getExpiresIn(), 3600, "expires_in");

      var claims =
          ok(
              CLIENT
                  .getM2m()
                  .authenticateTokenCompletable(
                      new com.stytch.java.consumer.models.m2m.AuthenticateTokenRequest(
                          token.getAccessToken(), List.of("read:users"))));
      equal(claims.getClientId(), clientId, "authenticated client_id");
      equal(claims.getScopes(), List.of("read:users"), "authenticated scopes");
      refused(
          CLIENT
              .getM2m()
              .tokenCompletable(
                  new com.stytch.java.consumer.models.m2m.TokenRequest(clientId, "not-the-secret")),
          401,
          "unauthorized_credentials");
    } finally {
      ok(
          CLIENT
              .getM2m()
              .getClients()
              .deleteCompletable(new com.stytch.java.consumer.models.m2mclients.DeleteRequest(clientId)));
    }
  }

  static void sendDiscoveryEmail(String email) {
    ok(
        CLIENT
            .getMagicLinks()
            .getEmail()
            .getDiscovery()
            .sendCompletable(new com.stytch.java.b2b.models.magiclinksemaildiscovery.SendRequest(email)));
  }

  /**
   * A discovery login of {@code email}: the link is sent, read in the outbox and authenticated;
   * the intermediate session token (mock-only).
   */
  static String discoveryIntermediateSession(String email) {
    sendDiscoveryEmail(email);
    return ok(CLIENT
            .getMagicLinks()
            .getDiscovery()
            .authenticateCompletable(
                new com.stytch.java.b2b.models.magiclinksdiscovery.AuthenticateRequest(
                    (String) latestMessage(email).get("token"))))
        .getIntermediateSessionToken();
  }

  /** A new organization through discovery, with {@code email} as its admin (mock-only). */
  static CreateResponse signUpThroughDiscovery(String email) {
    String ist = discoveryIntermediateSession(email);
    String slug = unique("java-rbac");
    CreateResponse created =
        ok(
            CLIENT
                .getDiscovery()
                .getOrganizations()
                .createCompletable(
                    new com.stytch.java.b2b.models.discoveryorganizations.CreateRequest(
                        ist, null, null, "Java " + slug, slug)));
    remember(created.getOrganization().getOrganizationId());
    return created;
  }

  /** A new organization with a unique slug, deleted after the run. */
  static Organization newOrganization(List<String> allowedDomains, String mfaPolicy) {
    String slug = unique("java-org");
    var created =
        ok(
            CLIENT
                .getOrganizations()
                .createCompletable(
                    new com.stytch.java.b2b.models.organizations.CreateRequest(
                        "Java " + slug, slug, null, null, null, null, allowedDomains, null, null,
                        null, null, mfaPolicy)));
    Organization org = created.getOrganization();
    remember(org.getOrganizationId());
    equal(org.getOrganizationSlug(), slug, "created organization_slug");
    return org;
  }

  static List<String> factors(MemberSession session) {
    List<String> out = new ArrayList<>();
    for (AuthenticationFactor f : session.getAuthenticationFactors()) {
      out.add(f.getType() + "/" + f.getDeliveryMethod());
    }
    return out;
  }

  static List<String> ids(List<Organization> organizations) {
    return organizations.stream().map(Organization::getOrganizationId).collect(Collectors.toList());
  }

  private Scenarios() {}
}
