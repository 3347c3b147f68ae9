"""Sessions that move and hand their tokens on, as parametric transitions
(issue 14; the model's steps are model/sessions.py `moved`, `move_session`,
`hand_token` and model/gateway.py `reroute`).

The form does not know `Config.token_home`: a move may either carry the
token on in the same logical session (the client carries it, the safe
default) or start a fresh logical session with an empty token (the token
stays cached in the datacenter left behind), so its transitions contain
the model's steps under both settings and one proof covers both. The
gateway's reroute is a move to a replica of its choosing (the form leaves
the choice open); its probes change nothing of the vocabulary.
"""

from __future__ import annotations

from typing import Any

import z3

from .frames import Step, at
from .steps import Flaws, c
from .vocab import CLIENT, I0, LOGICAL, REPLICA, Vocab, max_i


def _moved(pre: Vocab, post: Vocab, flaws: Flaws, s: Any, r: Any, l: Any) -> Any:
    """aff(s) becomes r; the logical session goes on with its token, or a
    fresh one `l` starts with an empty token. Flaw token-lost-on-move: it
    may also go on with an empty token."""
    keep = z3.And(at(pre, post, "tok", (s,), pre.tok(s)), at(pre, post, "curl", (s,), pre.curl(s)),
                  at(pre, post, "started", (l,), pre.started(l)))
    fresh = z3.And(z3.Not(pre.started(l)), at(pre, post, "tok", (s,), I0),
                   at(pre, post, "curl", (s,), l), at(pre, post, "started", (l,), True))
    ways = [keep, fresh]
    if "token-lost-on-move" in flaws:
        ways.append(z3.And(at(pre, post, "tok", (s,), I0), at(pre, post, "curl", (s,), pre.curl(s)),
                           at(pre, post, "started", (l,), pre.started(l))))
    return z3.And(pre.aff(s) != r, at(pre, post, "aff", (s,), r), z3.Or(*ways))


def move_session(pre: Vocab, post: Vocab, flaws: Flaws) -> Step:
    """§2 sessions: the client is routed to another replica."""
    s, r, l = c("s", CLIENT), c("r", REPLICA), c("l", LOGICAL)
    return Step("move_session", "§2 reads and sessions", (s, r, l), _moved(pre, post, flaws, s, r, l),
                frozenset({"aff", "tok", "curl", "started"}))


def reroute(pre: Vocab, post: Vocab, flaws: Flaws) -> Step:
    """§8 gateway: the gateway moves a session to another replica."""
    s, r, l = c("s", CLIENT), c("r", REPLICA), c("l", LOGICAL)
    return Step("reroute", "§8 gateway routing", (s, r, l), _moved(pre, post, flaws, s, r, l),
                frozenset({"aff", "tok", "curl", "started"}))


def hand_token(pre: Vocab, post: Vocab, flaws: Flaws) -> Step:
    """Issue 14: session g hands its token to session s, whose token becomes
    the later of the two (flaw hand-off-drops-token: stays as it was); the
    ghost raises the floor handed to s in its current logical session."""
    g, s = c("g", CLIENT), c("s", CLIENT)
    tok = pre.tok(s) if "hand-off-drops-token" in flaws else max_i(pre.tok(s), pre.tok(g))
    floor = z3.If(pre.hl(s) == pre.curl(s), max_i(pre.htok(s), pre.tok(g)), pre.tok(g))
    body = z3.And(g != s, at(pre, post, "tok", (s,), tok), at(pre, post, "hl", (s,), pre.curl(s)),
                  at(pre, post, "htok", (s,), floor))
    return Step("hand_token", "§2 sessions (causal hand-off)", (g, s), body, frozenset({"tok", "hl", "htok"}))
