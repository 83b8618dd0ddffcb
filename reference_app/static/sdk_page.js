// The reference app's frontend-SDK pages: Stytch's prebuilt B2B login UI on /sdk-login, and
// the logout button of /sdk-dashboard. `stytch` is the global of @stytch/vanilla-js's
// standalone bundle (dist/iife/b2b/index.js), served by the app as /static/stytch/b2b.js.
(function () {
  'use strict';
  const settings = document.getElementById('stytch-settings').dataset;
  // Against the mock, the SDK is pointed at it with the `endpoints` option: the documented
  // `customBaseUrl` always turns into https://<host> (no port, no http). See the README,
  // "Frontend SDK offline".
  const apiUrl = settings.apiUrl.replace(/\/+$/, '');
  const options = apiUrl ? { endpoints: { testAPIURL: apiUrl, liveAPIURL: apiUrl } } : {};
  const client = stytch.createStytchB2BClient(settings.publicToken, options);

  const login = document.getElementById('stytch-login');
  if (login) {
    if (client.session.getSync()) {
      window.location.assign('/sdk-dashboard');
      return;
    }
    customElements.define('stytch-b2b-ui', stytch.StytchB2B);
    login.render({
      client: client,
      config: {
        authFlowType: stytch.AuthFlowType.Discovery,
        // /sdk-login?products=emailMagicLinks,passwords (the app's SDK_PRODUCTS) picks them.
        products: settings.products.split(',').map(function (name) {
          return stytch.B2BProducts[name];
        }),
        sessionOptions: { sessionDurationMinutes: 60 },
        emailMagicLinksOptions: {
          discoveryRedirectURL: settings.redirectUrl,
          loginRedirectURL: settings.redirectUrl,
          signupRedirectURL: settings.redirectUrl,
        },
        passwordOptions: { resetPasswordRedirectURL: settings.redirectUrl },
      },
      callbacks: {
        onEvent: function (event) {
          if (event.type === 'AUTHENTICATE_FLOW_COMPLETE') {
            window.location.assign('/sdk-dashboard');
          }
        },
        onError: function (error) {
          console.error('Stytch error', error);
        },
      },
    });
  }

  const logout = document.getElementById('logout');
  if (logout) {
    logout.addEventListener('click', async function () {
      logout.disabled = true;
      try {
        await client.session.revoke();
      } finally {
        window.location.assign('/sdk-login?logged_out=1');
      }
    });
  }
})();
