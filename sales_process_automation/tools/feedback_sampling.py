# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Which closed records of a feedback campaign get a survey.

Plain values in, plain values out: the campaign model reads the records and
writes the decisions.
"""

import hashlib

# decisions, in the order they are checked
SAMPLED_OUT = "sampled_out"
NO_EMAIL = "no_email"
OPTED_OUT = "opted_out"
QUIET = "quiet"
CAPPED = "capped"
INVITE = "invite"


def sample_score(seed, model, res_id):
    """A number in [0, 1) fixed for a record and a seed (the campaign)."""
    digest = hashlib.sha256(f"{seed}:{model}:{res_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def is_sampled(seed, model, res_id, rate):
    """Whether the record is in the sample of ``rate`` percent."""
    return sample_score(seed, model, res_id) < rate / 100.0


def decide(candidates, seed, rate, cap_left, quiet_partner_ids):
    """The decision for each candidate, in the candidates' order.

    :param candidates: dicts with ``model``, ``res_id``, ``partner_id``,
        ``has_email`` and ``opted_out``, oldest outcome first
    :param seed: the sampling seed of the campaign
    :param rate: the sampling rate in percent
    :param cap_left: how many more invitations the period allows, ``None``
        for no cap
    :param quiet_partner_ids: customers asked within the quiet period
    :return: a list of decisions, one per candidate
    """
    quiet = set(quiet_partner_ids)
    decisions = []
    for candidate in candidates:
        if not is_sampled(seed, candidate["model"], candidate["res_id"], rate):
            decision = SAMPLED_OUT
        elif not candidate["partner_id"] or not candidate["has_email"]:
            decision = NO_EMAIL
        elif candidate["opted_out"]:
            decision = OPTED_OUT
        elif candidate["partner_id"] in quiet:
            decision = QUIET
        elif cap_left is not None and cap_left <= 0:
            decision = CAPPED
        else:
            decision = INVITE
            quiet.add(candidate["partner_id"])
            if cap_left is not None:
                cap_left -= 1
        decisions.append(decision)
    return decisions
