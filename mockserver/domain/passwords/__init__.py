"""B2B passwords: storage as real hashes, migrated hashes, strength policies, and the flows
(authenticate, resets, migrate, discovery). Rules from Stytch's B2B password docstrings in
the official Python SDK (https://github.com/stytchauth/stytch-python, ``stytch/b2b/api/
passwords*.py``) and
https://stytch.com/docs/b2b/guides/passwords/strength-policies; the mock's choices where Stytch
is silent are in the README's fidelity notes."""
