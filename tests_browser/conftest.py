from wenming.testing.browser import browser, phone  # noqa: F401  (fixtures)
