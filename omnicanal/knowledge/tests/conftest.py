from omnicanal.web.tests.browser import playwright_page

__all__ = ["playwright_page"]
