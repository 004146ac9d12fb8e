import pytest
from django.template import Context, Template, TemplateSyntaxError


def render(source: str, **context: object) -> str:
    return Template("{% load icons %}" + source).render(Context(context))


def test_an_icon_is_inline_svg_hidden_from_screen_readers_unless_labelled() -> None:
    decorative = render('{% icon "search" %}')
    assert decorative.startswith("<svg") and 'aria-hidden="true"' in decorative
    labelled = render('{% icon "mail" label=name %}', name="E-mail <b>")
    assert 'role="img" aria-label="E-mail &lt;b&gt;"' in labelled


@pytest.mark.parametrize("name", ["no-such-icon", "../settings"])
def test_an_unknown_or_unsafe_icon_name_fails_loudly(name: str) -> None:
    with pytest.raises(TemplateSyntaxError):
        render('{% icon "' + name + '" %}')
