// Entry of the version-matrix bundle for @stytch/react: its client factory (headless use), and
// its prebuilt UI, the <StytchB2B> component inside <StytchB2BProvider>, rendered with React.
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
import {
  AuthFlowType,
  B2BProducts,
  StytchB2B,
  StytchB2BProvider,
  createStytchB2BClient,
} from '@stytch/react/b2b';

window.sdkUnderTest = {
  headless: (publicToken, options) => createStytchB2BClient(publicToken, options),
  mountUI: (publicToken, options, elementId, redirectURL, callbacks) => {
    const client = createStytchB2BClient(publicToken, options);
    const config = {
      authFlowType: AuthFlowType.Discovery,
      products: [B2BProducts.emailMagicLinks],
      sessionOptions: { sessionDurationMinutes: 60 },
      emailMagicLinksOptions: { discoveryRedirectURL: redirectURL },
    };
    createRoot(document.getElementById(elementId)).render(
      createElement(StytchB2BProvider, { stytch: client }, createElement(StytchB2B, { config, callbacks })),
    );
    return client;
  },
};
