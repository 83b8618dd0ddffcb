"""stytch-b2b-mock: a local, faithful stand-in for the Stytch B2B API."""

__version__ = "0.1.0"
