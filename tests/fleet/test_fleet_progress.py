"""What the terminal shows: live lines redrawn in place on a terminal, plain lines elsewhere,
and the final table with the error's first line and its hint."""

from __future__ import annotations

import io
import time

from aoai_deploy.fleet.outcome import Outcome
from aoai_deploy.fleet.progress import LiveProgress, final_table
from aoai_deploy.fleet.spec import parse_fleet
from fleet_files import small_fleet

FLEET = parse_fleet(small_fleet([("acme", "canary"), ("globex", 1)]))


def finished(key: str, result: str, **fields) -> Outcome:
    outcome = Outcome(key, FLEET.customer(key).ring, "up", started=time.time(), result=result)
    for name, value in fields.items():
        setattr(outcome, name, value)
    return outcome


def test_a_log_gets_plain_lines_one_per_start_and_end_and_no_control_character() -> None:
    out = io.StringIO()
    progress = LiveProgress(out, live=False)
    progress.ring("canary", 1)
    progress.started(FLEET.customer("acme"))
    progress.step("acme", "create acme-support-bot")
    progress.finished(finished("acme", "succeeded", duration=3.25, changes={"create": 2}))
    progress.close()
    assert out.getvalue() == (
        "canary: 1 customer\nacme (canary): started\nacme (canary): succeeded in 3.2s, 2 create\n"
    )


def test_a_terminal_gets_one_live_line_per_running_customer_redrawn_in_place() -> None:
    out = io.StringIO()
    progress = LiveProgress(out, live=True)
    progress.started(FLEET.customer("acme"))
    progress.started(FLEET.customer("globex"))
    progress.step("acme", "update acme-support-bot")
    time.sleep(0.4)  # the redraw thread's period is 0.25 s
    progress.finished(finished("globex", "failed", error="updating x: AuthorizationFailed: no"))
    progress.close()
    text = out.getvalue()
    assert "  acme (canary)" in text
    assert "update acme-support-bot" in text
    assert "\x1b[2F\x1b[J" in text  # two live lines taken back before redrawing
    assert (
        "globex (ring 1): failed in 0.0s, not finished: updating x: AuthorizationFailed: no\n"
        in text
    )
    assert text.endswith("\x1b[J")  # the live lines are cleared at the end


def test_the_final_table_has_the_errors_first_line_and_its_hint_below() -> None:
    table = final_table(
        [
            finished(
                "acme",
                "succeeded",
                duration=4.0,
                changes={"update": 1, "same": 1},
                changed=["acme-support-bot.sku_capacity"],
            ).as_dict(),
            finished(
                "globex",
                "failed",
                error="updating x: AuthorizationFailed: no",
                hint="The deploying identity needs the role.",
                changed=["globex-support-bot.sku_capacity"],
            ).as_dict(),
        ]
    )
    lines = table.splitlines()
    assert lines[0].split() == [
        "CUSTOMER",
        "RING",
        "RESULT",
        "TIME",
        "CHANGES",
        "ERROR",
        "(or",
        "note)",
    ]
    assert lines[1].split()[:5] == ["acme", "canary", "succeeded", "4.0s", "1"]
    assert "(acme-support-bot.sku_capacity)" in lines[1]
    assert lines[2].endswith("updating x: AuthorizationFailed: no")
    # A failed update leaves no summary: what it tried is named, nothing is called "no change".
    assert "not finished (tried: globex-support-bot.sku_capacity)" in lines[2]
    assert lines[3].strip() == "hint: The deploying identity needs the role."
