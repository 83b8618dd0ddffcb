// The interface of tests/test_frontend_sdk_versions.py over the standalone bundles of
// @stytch/vanilla-js 6.x (their global `stytch`), as the reference app serves them: used when
// no matrix bundle is given.
function discoveryConfig(redirectURL) {
  return {
    authFlowType: stytch.AuthFlowType.Discovery,
    products: [stytch.B2BProducts.emailMagicLinks],
    sessionOptions: { sessionDurationMinutes: 60 },
    emailMagicLinksOptions: { discoveryRedirectURL: redirectURL },
  };
}

window.sdkUnderTest = {
  // index.headless.js has the headless client class; index.js (the UI bundle) its full client.
  headless: (publicToken, options) =>
    stytch.StytchB2BHeadlessClient
      ? new stytch.StytchB2BHeadlessClient(publicToken, options)
      : stytch.createStytchB2BClient(publicToken, options),
  // The prebuilt UI as 6.x documents it: the StytchB2B custom element and its render().
  mountUI: (publicToken, options, elementId, redirectURL, callbacks) => {
    const client = stytch.createStytchB2BClient(publicToken, options);
    if (!customElements.get('stytch-b2b-ui')) {
      customElements.define('stytch-b2b-ui', stytch.StytchB2B);
    }
    const element = document.createElement('stytch-b2b-ui');
    document.getElementById(elementId).appendChild(element);
    element.render({ client, config: discoveryConfig(redirectURL), callbacks });
    return client;
  },
};
