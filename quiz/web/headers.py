"""Security headers on every response: the Content-Security-Policy and its friends.

Pages run only the app's own scripts and styles: no inline ``<script>``, no
``on*=`` attributes, no ``style=`` attributes (templates pass data through
``data-*`` attributes or ``<script type="application/json">``). Two kinds of
response get a policy of their own:

- the certificate template's preview (admin-entered look, rendered for an
  iframe): its ``<style>`` block is generated, and it runs no script at all;
- PDFs: Chromium shows a PDF through an ``<embed>`` in a page made from the
  PDF's own headers, so ``object-src 'none'`` there would blank it
  (crbug.com/271452); they keep ``frame-ancestors`` only.
"""
from __future__ import annotations

PAGE_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'self'",
    "form-action 'self'",
])

PREVIEW_POLICY = "; ".join([
    "default-src 'none'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'self'",
    "form-action 'none'",
])

PDF_POLICY = "frame-ancestors 'self'"

# endpoints whose HTML is generated from admin settings, shown in an iframe, with no script
_GENERATED_HTML = {"certificates.template_preview"}


def policy_for(endpoint: str | None, mimetype: str | None) -> str:
    if mimetype == "application/pdf":
        return PDF_POLICY
    if endpoint in _GENERATED_HTML:
        return PREVIEW_POLICY
    return PAGE_POLICY


def add_security_headers(response, endpoint: str | None):
    """Set the headers unless the view chose its own."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", policy_for(endpoint, response.mimetype))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    headers.setdefault("Referrer-Policy", "same-origin")
    return response
