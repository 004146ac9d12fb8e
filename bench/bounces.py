"""Bounce classification against sisimai's labelled sample: recipients right, reasons agreeing.

Usage (from the repository root):
    .venv/bin/python bench/bounces.py [--corpus DIR] [--verbose]

DIR holds sisimai's `expected.json` and `set-of-emails/maildir/bsd/` (default: the shared
corpus, `../shared/corpora/email/bounces_autoreplies/sisimai`, else the copy in the test
fixtures). Each recipient sisimai lists is scored:

- recipient right: the mail's kind is right (a bounce or ARF complaint is reported as a bounce;
  a vacation reply, a "delivered" report or an ordinary mail is not) and, for a bounce, the
  recipient at the same position has sisimai's DSN status;
- reason agrees: our reason is sisimai's (for a vacation reply or a "delivered" report, the
  reason we would give it: "vacation" or "delivered", and no bounce reported).

No database: only the parser runs.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from omnicanal.connectors.email.parsing import ParsedEmail, parse_email  # noqa: E402

# The shared corpora sit beside the checkout (…/main) or beside the worktrees (…/wt/<name>).
_SHARED = next(
    (
        base / "shared" / "corpora" / "email" / "bounces_autoreplies" / "sisimai"
        for base in (ROOT.parent, ROOT.parent.parent)
        if (base / "shared" / "corpora").exists()
    ),
    ROOT.parent / "shared" / "corpora" / "email" / "bounces_autoreplies" / "sisimai",
)
_FIXTURES = ROOT / "omnicanal/connectors/email/tests/fixtures/bounces/sisimai"
NOT_BOUNCE_REASONS = frozenset({"vacation", "delivered"})


def _our_reason_when_not_a_bounce(parsed: ParsedEmail) -> str:
    if parsed.report is not None and parsed.report.kind == "delivered":
        return "delivered"
    return "vacation" if parsed.is_auto_reply else ""


def score(corpus: Path, *, verbose: bool = False) -> dict[str, Any]:
    expected: dict[str, Any] = json.loads((corpus / "expected.json").read_text())
    base = corpus / "set-of-emails" / "maildir" / "bsd"
    total = recipients_right = reasons_agree = 0
    bounce_total = bounce_status_right = bounce_reason_right = bounce_hard_right = 0
    misses: list[str] = []
    started = time.perf_counter()
    for relative, spec in sorted(expected.items()):
        if relative.startswith("_"):
            continue
        parsed = parse_email((base / relative).read_bytes())
        wanted = spec.get("recipients", [])
        if not spec.get("is_bounce", True):
            # An ordinary mail: no recipient listed; it counts as one case.
            total += 1
            ok = not parsed.is_bounce
            recipients_right += ok
            reasons_agree += ok
            if not ok:
                misses.append(f"{relative}: called a bounce")
            continue
        got = parsed.bounce_recipients
        for index, want in enumerate(wanted):
            total += 1
            if want["reason"] in NOT_BOUNCE_REASONS:
                ok = not parsed.is_bounce
                recipients_right += ok
                reason = "" if parsed.is_bounce else _our_reason_when_not_a_bounce(parsed)
                reasons_agree += ok and reason == want["reason"]
                if not ok or reason != want["reason"]:
                    misses.append(f"{relative}: {reason or 'bounce'} != {want['reason']}")
                continue
            bounce_total += 1
            mine = got[index] if index < len(got) else None
            status_ok = mine is not None and parsed.is_bounce and mine.status == want["status"]
            reason_ok = mine is not None and parsed.is_bounce and mine.reason == want["reason"]
            recipients_right += status_ok
            reasons_agree += reason_ok
            bounce_status_right += status_ok
            bounce_reason_right += reason_ok
            bounce_hard_right += mine is not None and mine.hard == want["hardbounce"]
            if not (status_ok and reason_ok):
                mine_text = f"{mine.status} {mine.reason}" if mine else "none"
                misses.append(
                    f"{relative}[{index}]: {mine_text} != {want['status']} {want['reason']}"
                    + (f"  ({mine.diagnostic[:90]})" if verbose and mine else "")
                )
    elapsed = time.perf_counter() - started
    return {
        "files": sum(1 for k in expected if not k.startswith("_")),
        "cases": total,
        "recipients_right": recipients_right,
        "reasons_agree": reasons_agree,
        "bounce_recipients": bounce_total,
        "bounce_status_right": bounce_status_right,
        "bounce_reason_right": bounce_reason_right,
        "bounce_hard_right": bounce_hard_right,
        "seconds": round(elapsed, 2),
        "misses": misses,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=_SHARED if _SHARED.exists() else _FIXTURES)
    parser.add_argument("--verbose", action="store_true", help="show each diagnostic missed")
    args = parser.parse_args()
    result = score(args.corpus, verbose=args.verbose)
    for line in result.pop("misses"):
        print("  miss", line)
    cases, bounces = result["cases"], result["bounce_recipients"]
    print(f"corpus: {args.corpus} ({result['files']} files, {cases} cases, {result['seconds']} s)")
    print(
        f"recipients right: {result['recipients_right']}/{cases} "
        f"({100 * result['recipients_right'] / cases:.1f} %)"
    )
    print(
        f"reason agrees:    {result['reasons_agree']}/{cases} "
        f"({100 * result['reasons_agree'] / cases:.1f} %)"
    )
    print(
        f"bounces alone:    status {result['bounce_status_right']}/{bounces} "
        f"({100 * result['bounce_status_right'] / bounces:.1f} %), "
        f"reason {result['bounce_reason_right']}/{bounces} "
        f"({100 * result['bounce_reason_right'] / bounces:.1f} %), "
        f"hard/soft {result['bounce_hard_right']}/{bounces}"
    )


if __name__ == "__main__":
    main()
