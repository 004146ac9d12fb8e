from django.conf import settings
from django.http import HttpRequest


def demo_mode(request: HttpRequest) -> dict[str, bool]:
    """Whether the demo's local sinks are served: the top bar then links to what they got."""
    return {"demo_sinks": settings.DEMO_SINKS}
