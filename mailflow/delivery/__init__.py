"""The sender: SMTP delivery with connection reuse, MX lookup, retries and DSNs (docs/mailflow.md)."""
