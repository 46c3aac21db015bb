import os

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM calls in the test body
# are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path,
            headless=True,
            # The background-networking flags keep Chromium from calling Google's hosts, which a
            # closed network refuses (noisy and slow).
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


# Runs in every document before the page's own scripts: the strict CSP (settings.SECURE_CSP)
# reports each refusal as a `securitypolicyviolation` event, which goes back to the test.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", function (e) {
  window.cppccCspViolation(
    e.effectiveDirective + " blocked " + (e.blockedURI || "?") + " at " + e.documentURI +
    (e.sourceFile ? " (" + e.sourceFile + ":" + e.lineNumber + ")" : "") +
    (e.sample ? " sample: " + e.sample : "")
  );
});
"""


@pytest.fixture
def open_page(browser, live_server):
    """open_page(width=1280) -> a new page whose console errors, outside requests and CSP
    violations (page.csp_violations) are recorded. A test that left any CSP violation fails
    at teardown, so every page a browser test visits is checked against the policy."""
    pages = []
    violations = []

    def make(width: int = 1280, height: int = 900):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
        page = context.new_page()
        page.errors = []
        page.outside_requests = []
        page.csp_violations = []

        def record_violation(text):
            page.csp_violations.append(text)
            violations.append(text)

        # A binding outlives navigations, unlike an array on `window`.
        context.expose_function("cppccCspViolation", record_violation)
        context.add_init_script(CSP_LISTENER)
        page.on("console", lambda msg: msg.type == "error" and page.errors.append(msg.text))
        page.on("pageerror", lambda exc: page.errors.append(str(exc)))
        page.on(
            "request",
            lambda req: (
                not req.url.startswith(live_server.url)
                and not req.url.startswith("data:")
                and page.outside_requests.append(req.url)
            ),
        )
        page.on(
            "response",
            lambda res: res.status >= 400 and page.errors.append(f"{res.status} {res.url}"),
        )
        pages.append(context)
        return page

    yield make
    for context in pages:
        # Lets events raised by the last action reach the binding before the page goes.
        for page in context.pages:
            page.wait_for_timeout(50)
        context.close()
    assert violations == [], f"Content-Security-Policy violations: {violations}"
