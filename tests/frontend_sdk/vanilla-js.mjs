// Entry of the version-matrix bundle for @stytch/vanilla-js (5.x and 6.x): one small interface
// (window.sdkUnderTest) over the package, bundled by esbuild (5.x has no standalone bundle).
import * as b2b from '@stytch/vanilla-js/b2b';
import { StytchB2BHeadlessClient } from '@stytch/vanilla-js/b2b/headless';

function discoveryConfig(redirectURL) {
  return {
    authFlowType: b2b.AuthFlowType.Discovery,
    products: [b2b.B2BProducts.emailMagicLinks],
    sessionOptions: { sessionDurationMinutes: 60 },
    emailMagicLinksOptions: { discoveryRedirectURL: redirectURL },
  };
}

window.sdkUnderTest = {
  headless: (publicToken, options) => new StytchB2BHeadlessClient(publicToken, options),
  mountUI: (publicToken, options, elementId, redirectURL, callbacks) => {
    if (b2b.StytchB2B) {
      // 6.x: the StytchB2B custom element and its render(), as its README shows.
      const client = b2b.createStytchB2BClient(publicToken, options);
      if (!customElements.get('stytch-b2b-ui')) customElements.define('stytch-b2b-ui', b2b.StytchB2B);
      const element = document.createElement('stytch-b2b-ui');
      document.getElementById(elementId).appendChild(element);
      element.render({ client, config: discoveryConfig(redirectURL), callbacks });
      return client;
    }
    // 5.x: StytchB2BUIClient.mount.
    const client = new b2b.StytchB2BUIClient(publicToken, options);
    client.mount({ elementId: '#' + elementId, config: discoveryConfig(redirectURL), callbacks });
    return client;
  },
};
