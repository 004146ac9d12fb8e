"""Generate a large routing scenario and time `omnicanal routing_simulate` on it.

    .venv/bin/python bench/routing_simulate.py                 # 500 agents, 20,000 arrivals
    .venv/bin/python bench/routing_simulate.py --load overloaded --mode least_busy
    .venv/bin/python bench/routing_simulate.py --keep /tmp/scenario.json

Loads (`--load`):
- balanced: about 85 % of the agents' capacity is used on average, with a morning surge that
  builds a queue for a while;
- overloaded: arrivals come twice as fast as agents resolve, the queue grows all day;
- mismatch: like balanced, but a fifth of the arrivals need a skill level that only a few
  agents have, so a long queue waits while most agents sit idle (the dispatcher's worst case:
  free agents who fit nothing at the head of the queue);
- diverse: 30 % over capacity, and arrivals need one or two random skills at random levels
  (some fit nobody): many small queues of skills, teams and channel kinds.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SKILLS = ["french", "english", "german", "billing", "technical", "returns"]
TEAMS = ["support", "sales", "vip", "tech"]
DAY = 8 * 3600


def scenario(agents: int, arrivals: int, load: str, mode: str, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    agent_list = []
    for index in range(agents):
        skills = {name: rng.randint(1, 4) for name in rng.sample(SKILLS, rng.randint(2, 4))}
        if load == "mismatch" and index % 25 == 0:
            skills["german"] = 5
        agent_list.append({
            "id": f"a{index + 1}",
            "skills": skills,
            "capacity": {"chat": rng.choice([2, 3, 3, 4]), "email": rng.choice([0, 5, 10])},
            "status": rng.choices(["online", "away", "offline"], [0.85, 0.1, 0.05])[0],
            "teams": rng.sample(TEAMS, rng.randint(1, 2)),
        })
    chat_slots = sum(agent["capacity"]["chat"] for agent in agent_list) * 0.85
    handle_chat, handle_email = 600.0, 1200.0
    # Arrival rate so that (rate x handle time) is the wanted share of the slots.
    utilisation = {"balanced": 0.85, "overloaded": 2.0, "mismatch": 0.85, "diverse": 1.3}[load]
    chat_rate = utilisation * chat_slots / handle_chat
    mean_gap = 1 / (chat_rate / 0.7)  # 70 % of arrivals are chats
    events: list[dict[str, Any]] = []
    t = 0.0
    for number in range(arrivals):
        surge = 2.0 if DAY * 0.1 < t < DAY * 0.2 else 1.0
        t += rng.expovariate(surge / mean_gap)
        channel = "chat" if rng.random() < 0.7 else "email"
        needs: dict[str, int] = {}
        if load == "mismatch" and rng.random() < 0.2:
            needs = {"german": 5}
        elif load == "diverse":
            needs = {name: rng.randint(1, 5) for name in rng.sample(SKILLS, rng.randint(1, 2))}
        elif rng.random() < 0.6:
            needs = {rng.choice(SKILLS): rng.randint(1, 3)}
        event: dict[str, Any] = {
            "t": round(t, 1), "type": "arrive", "id": number + 1, "channel": channel,
            "skills": needs, "priority": rng.choices([1, 2, 3, 4], [0.05, 0.2, 0.6, 0.15])[0],
            "value": "gold" if rng.random() < 0.15 else "standard",
        }
        if rng.random() < 0.3:
            event["team"] = rng.choice(TEAMS)
        events.append(event)
        # The file fixes when each conversation ends; one that is still waiting then has
        # been abandoned by the customer.
        handle = handle_chat if channel == "chat" else handle_email
        patience = rng.expovariate(1 / 900)
        events.append({"t": round(t + patience + rng.expovariate(1 / handle), 1),
                       "type": "resolve", "id": number + 1})
    for _ in range(agents // 2):
        agent = rng.choice(agent_list)["id"]
        start = rng.uniform(0, t)
        events.append({"t": round(start, 1), "type": "status", "agent": agent,
                       "status": "away"})
        events.append({"t": round(start + rng.uniform(300, 1800), 1), "type": "status",
                       "agent": agent, "status": "online"})
    events.sort(key=lambda event: event["t"])
    return {"agents": agent_list, "policy": {"mode": mode, "value_priority": True},
            "events": events}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agents", type=int, default=500)
    parser.add_argument("--arrivals", type=int, default=20_000)
    parser.add_argument("--load", choices=["balanced", "overloaded", "mismatch", "diverse"],
                        default="balanced")
    parser.add_argument("--mode", default="longest_idle",
                        choices=["longest_idle", "least_busy", "round_robin"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="also write the scenario to this path")
    args = parser.parse_args()

    data = scenario(args.agents, args.arrivals, args.load, args.mode, args.seed)
    with tempfile.TemporaryDirectory() as directory:
        path = args.keep or Path(directory) / "scenario.json"
        path.write_text(json.dumps(data))
        command = [str(ROOT / ".venv/bin/omnicanal"), "routing_simulate", str(path)]
        started = time.perf_counter()
        completed = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
        elapsed = time.perf_counter() - started
        # CPU time as well: wall time swings with whatever else the machine runs.
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = usage.ru_utime + usage.ru_stime
    if completed.returncode != 0:
        sys.exit(f"routing_simulate failed ({completed.returncode}):\n{completed.stderr}")
    result = json.loads(completed.stdout)
    events = len(data["events"])
    print(f"{args.agents} agents, {args.arrivals} arrivals, {events} events, "
          f"load {args.load}, mode {args.mode}: {elapsed:.1f} s ({cpu:.1f} s CPU, "
          f"{events / elapsed:.0f} events/s); {len(result['assignments'])} assignments, "
          f"{len(result['waiting'])} still waiting")


if __name__ == "__main__":
    main()
