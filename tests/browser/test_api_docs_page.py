"""The API documentation (vendored Swagger UI) works under the app's Content-Security-Policy."""
import pytest

pytestmark = pytest.mark.browser


def test_swagger_ui_lists_the_operations_without_csp_violations(browser_page, live_server):
    page = browser_page
    page.goto(f"{live_server}/api/v1/docs")
    page.locator(".opblock-summary-path").first.wait_for()
    assert page.locator(".opblock-summary-path", has_text="/requests/").count() >= 1
