"""Fixed-window counters in Django's cache for the public endpoints (Redis in production).

A window is short and the counts approximate: the point is to stop a script flooding the
team's queue, not to meter anyone.
"""

from __future__ import annotations

from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from omnicanal.core.exceptions import DomainError

# scope -> (requests, seconds) per visitor, and per IP address (several visitors behind one
# office NAT share it, hence the larger number).
LIMITS: dict[str, tuple[tuple[int, int], tuple[int, int]]] = {
    "message": ((20, 60), (120, 60)),
    "poll": ((120, 60), (1200, 60)),
    "typing": ((60, 60), (600, 60)),
    "read": ((60, 60), (600, 60)),
    "email": ((5, 3600), (30, 3600)),
    "connect": ((30, 60), (300, 60)),
    "feedback": ((20, 3600), (60, 3600)),
    "contact": ((5, 3600), (20, 3600)),
}


class RateLimited(DomainError):
    status = 429


def _count(key: str, window: int) -> int:
    cache.add(key, 0, window)
    try:
        return cache.incr(key)
    except ValueError:
        # Expired between add and incr.
        cache.set(key, 1, window)
        return 1


def check_rate(scope: str, *, visitor: str = "", ip: str = "") -> None:
    """Count one request; raise RateLimited with the reason when a limit is passed."""
    (per_visitor, per_visitor_window), (per_ip, per_ip_window) = LIMITS[scope]
    if visitor and _count(f"rl:{scope}:v:{visitor}", per_visitor_window) > per_visitor:
        raise RateLimited(
            _("Too many requests (%(scope)s) from this visitor: at most %(limit)s every "
              "%(window)s seconds."),
            scope=scope, limit=per_visitor, window=per_visitor_window,
        )
    if ip and _count(f"rl:{scope}:ip:{ip}", per_ip_window) > per_ip:
        raise RateLimited(
            _("Too many requests (%(scope)s) from this address: at most %(limit)s every "
              "%(window)s seconds."),
            scope=scope, limit=per_ip, window=per_ip_window,
        )
