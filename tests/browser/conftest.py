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


@pytest.fixture
def open_page(browser, live_server):
    """open_page(width=1280) -> a new page whose console errors and outside requests are recorded."""
    pages = []

    def make(width: int = 1280, height: int = 900):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
        page = context.new_page()
        page.errors = []
        page.outside_requests = []
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
        context.close()
