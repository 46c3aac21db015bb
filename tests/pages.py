"""Helpers for tests that read a page's context."""


def block_context(response, template_name: str) -> dict:
    """The context a block of a page made of sections (cppcc.navigation.rendered_sections)
    was rendered with: each block is its own template render, recorded by the test client."""
    found = [
        context["s"]
        for template, context in zip(response.templates, response.context, strict=False)
        if template.name == template_name
    ]
    assert found, f"{template_name} was not rendered"
    return found[0]
