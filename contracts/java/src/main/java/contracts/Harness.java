package contracts;

import com.squareup.moshi.JsonAdapter;
import com.squareup.moshi.Moshi;
import com.squareup.moshi.Types;
import com.stytch.java.b2b.StytchB2BClient;
import com.stytch.java.b2b.models.organizations.DeleteRequest;
import com.stytch.java.b2b.models.organizations.DeleteRequestOptions;
import com.stytch.java.common.ErrorResponse;
import com.stytch.java.common.OptionalClientConfig;
import com.stytch.java.common.StytchException;
import com.stytch.java.common.StytchResult;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * What the Java scenarios share: the target's URL and credentials from the environment, a
 * client for it, unique names, the mock's outbox, the refused-call assertion, the cleanup of
 * the organizations a run made, and the one-JSON-line-per-scenario report.
 *
 * <p>With STYTCH_CONTRACT_TARGET=stytch the target is a remote server, a black box
 * (STYTCH_API_URL: Stytch's Test API, or a separately started stytch-mock): the scenarios
 * declared mock-only (they read the mock's outbox) skip themselves there.
 */
final class Harness {
  static final String STYTCH_TEST_URL = "https://test.stytch.com";
  static final String MOCK_ONLY_REASON =
      "mock-only: needs the mock's outbox (a black-box server such as Stytch has none)";

  static final boolean REMOTE = "stytch".equals(System.getenv("STYTCH_CONTRACT_TARGET"));
  // The Java SDK appends "/v1/..." to the base URL as given: no trailing slash.
  static final String BASE_URL =
      stripSlash(
          REMOTE
              ? Objects.requireNonNullElse(emptyToNull(System.getenv("STYTCH_API_URL")), STYTCH_TEST_URL)
              : required("STYTCH_MOCK_URL"));
  static final String PROJECT_ID = required("STYTCH_PROJECT_ID");
  static final String SECRET = required("STYTCH_SECRET");

  static final Moshi MOSHI = new Moshi.Builder().build();
  static final JsonAdapter<Map<String, Object>> JSON =
      MOSHI.adapter(Types.newParameterizedType(Map.class, String.class, Object.class));

  static final StytchB2BClient CLIENT = newClient(SECRET);
  static final Set<String> MADE_ORGANIZATIONS = new LinkedHashSet<>();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private static final long CALL_TIMEOUT_SECONDS = 30;

  private Harness() {}

  static String required(String name) {
    String value = emptyToNull(System.getenv(name));
    if (value == null) {
      throw new IllegalStateException(
          name + " must be set (the mock's URL and project credentials)");
    }
    return value;
  }

  private static String emptyToNull(String value) {
    return value == null || value.isBlank() ? null : value.trim();
  }

  private static String stripSlash(String url) {
    return url.replaceAll("/+$", "");
  }

  static StytchB2BClient newClient(String secret) {
    return new StytchB2BClient(PROJECT_ID, secret, new OptionalClientConfig(BASE_URL));
  }

  static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
  }

  // --- SDK results ------------------------------------------------------------------------

  /** The value of a successful call; a failed one fails the scenario with the SDK's error. */
  static <T> T ok(CompletableFuture<StytchResult<T>> call) {
    StytchResult<T> result = await(call);
    if (result instanceof StytchResult.Success) {
      return ((StytchResult.Success<T>) result).getValue();
    }
    throw new AssertionError("the SDK call failed: " + describe(result));
  }

  /** The SDK's {@link StytchException} of a call expected to fail. */
  static StytchException error(CompletableFuture<? extends StytchResult<?>> call) {
    StytchResult<?> result = await(call);
    if (result instanceof StytchResult.Error) {
      return ((StytchResult.Error) result).getException();
    }
    throw new AssertionError("expected the call to fail, it succeeded: " + result);
  }

  /**
   * Expects Stytch's error with this status and type, decoded by the SDK into an {@link
   * ErrorResponse} (a StytchException.Response, not a Critical "Unable to map error data").
   */
  static ErrorResponse refused(
      CompletableFuture<? extends StytchResult<?>> call, int status, String errorType) {
    StytchException exception = error(call);
    if (!(exception instanceof StytchException.Response)) {
      throw new AssertionError(
          "expected StytchException.Response(" + status + " " + errorType + "), got "
              + describe(exception));
    }
    ErrorResponse reason = ((StytchException.Response) exception).getReason();
    check(reason.getStatusCode() == status, "status_code " + reason.getStatusCode() + " != " + status);
    equal(reason.getErrorType(), errorType, "error_type");
    check(!reason.getErrorMessage().isEmpty(), "error_message is empty");
    check(!reason.getErrorUrl().isEmpty(), "error_url is empty");
    if (!REMOTE) {
      check(
          reason.getRequestId() != null && reason.getRequestId().startsWith("request-id-test-"),
          "request_id " + reason.getRequestId());
    }
    return reason;
  }

  private static <R> R await(CompletableFuture<R> call) {
    try {
      return call.get(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("the SDK call did not complete: " + e, e);
    }
  }

  static String describe(Object resultOrException) {
    Object value = resultOrException;
    if (value instanceof StytchResult.Error) {
      value = ((StytchResult.Error) value).getException();
    }
    if (value instanceof StytchException.Critical) {
      StytchException.Critical critical = (StytchException.Critical) value;
      return "StytchException.Critical(" + critical.getReason() + ", response=" + critical.getResponse() + ")";
    }
    return String.valueOf(value);
  }

  // --- assertions -------------------------------------------------------------------------

  static void check(boolean condition, String message) {
    if (!condition) {
      throw new AssertionError(message);
    }
  }

  static void equal(Object actual, Object expected, String what) {
    if (!Objects.equals(actual, expected)) {
      throw new AssertionError(what + ": expected <" + expected + ">, got <" + actual + ">");
    }
  }

  // --- the mock's control API --------------------------------------------------------------

  /** A GET of the mock's control API ({@code path} like "_mock/outbox?to=..."), as JSON. */
  static Map<String, Object> control(String path) {
    String basic =
        Base64.getEncoder()
            .encodeToString((PROJECT_ID + ":" + SECRET).getBytes(StandardCharsets.UTF_8));
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(BASE_URL + "/" + path))
            .header("Authorization", "Basic " + basic)
            .timeout(Duration.ofSeconds(30))
            .GET()
            .build();
    try {
      HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      equal(response.statusCode(), 200, "GET /" + path + " status");
      return JSON.fromJson(response.body());
    } catch (java.io.IOException e) {
      throw new AssertionError("GET /" + path + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** The last email or SMS the mock sent to {@code to} (an address or a phone number). */
  @SuppressWarnings("unchecked")
  static Map<String, Object> latestMessage(String to) {
    Map<String, Object> body =
        control("_mock/outbox?to=" + URLEncoder.encode(to, StandardCharsets.UTF_8));
    List<Map<String, Object>> messages = (List<Map<String, Object>>) body.get("messages");
    check(messages != null && !messages.isEmpty(), "nothing sent to " + to + " in the mock's outbox");
    return messages.get(messages.size() - 1);
  }

  // --- cleanup ----------------------------------------------------------------------------

  static String remember(String organizationId) {
    MADE_ORGANIZATIONS.add(organizationId);
    return organizationId;
  }

  /** Deletes every organization the run made (a real project keeps no leftovers). */
  static List<String> cleanUp() {
    List<String> problems = new ArrayList<>();
    for (String id : MADE_ORGANIZATIONS) {
      StytchResult<?> result =
          await(
              CLIENT
                  .getOrganizations()
                  .deleteCompletable(new DeleteRequest(id), new DeleteRequestOptions()));
      if (result instanceof StytchResult.Error) {
        StytchException e = ((StytchResult.Error) result).getException();
        boolean gone =
            e instanceof StytchException.Response
                && ((StytchException.Response) e).getReason().getStatusCode() == 404;
        if (!gone) { // a scenario that deleted its own organization is fine
          problems.add(id + ": " + describe(e));
        }
      }
    }
    MADE_ORGANIZATIONS.clear();
    return problems;
  }

  // --- the report -------------------------------------------------------------------------

  /** One scenario's result as one JSON line on stdout (contracts/test_java_sdk.py reads it). */
  static void report(String name, String status, String details) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("scenario", name);
    line.put("status", status);
    line.put("details", details);
    System.out.println(JSON.toJson(line));
    System.out.flush();
  }

  static String stackTrace(Throwable t) {
    StringWriter out = new StringWriter();
    t.printStackTrace(new PrintWriter(out));
    return out.toString();
  }
}
