// Entry of the version-matrix bundle for @stytch/react: its client factory (the same client the
// React provider takes), used headless; the React components are not rendered.
import { createStytchB2BClient } from '@stytch/react/b2b';

window.sdkUnderTest = {
  headless: (publicToken, options) => createStytchB2BClient(publicToken, options),
  mountUI: null,
};
