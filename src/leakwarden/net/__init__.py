"""The one HTTP seam: every request leakwarden sends goes through `Net` (httpx underneath).

Only this package imports httpx. It owns TLS (the system trust store, `SSL_CERT_FILE` and
`SSL_CERT_DIR` honoured), proxies (`HTTPS_PROXY`, `NO_PROXY`, as curl and pip read them),
timeouts, retries with backoff that honour `Retry-After`, per-host rate limits, a concurrency
cap, the user agent, and the transport tests inject. It never follows a redirect: a credential
must not travel to a host its rule did not name.
"""

from leakwarden.net.client import Net, NetError, NetSettings, Request, Response

__all__ = ["Net", "NetError", "NetSettings", "Request", "Response"]
