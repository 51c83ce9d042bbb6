"""Test and benchmark infrastructure: real services on loopback.

Each module's header names its doc (the DNS server: docs/sender-auth.md).
"""
