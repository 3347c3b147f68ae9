"""One walk through the model: enabled actions, the step taken, the verdict.

A `Walker` stands on a state of the model (design.md §3: the orchestrator,
the replicas and their logs, the sessions) and takes one step at a time:
`advance(kind, pick)` takes an enabled action of a kind, drawn with
`pick` (dirproof.rule_choice), and counts the step and the situations
(dirproof.situations) it made happen; `verdict()` says which property
under exploration, if any, fails in the state reached.

Fault budget (design.md §2): by default an action whose successor exceeds
the budget is not enabled for the exploration; with `Options.over_budget`
it is, and a property broken while an assumption is broken gets the status
`assumption-broken`.

States reached are kept in a tree of `Node`s shared by every walk of a
run: the model is deterministic, so a walk that goes through a known
prefix costs a dictionary look-up per step instead of a model step.
"""

from __future__ import annotations

from typing import Optional

from dirproof.explore_types import Options, Stats
from dirproof.model import Config, Rejected, State, believes_ap, candidates, initial_state, step
from dirproof.properties import PROPERTIES, broken_assumptions
from dirproof.properties.monitors import Ghost, watch
from dirproof.rule_choice import CLASS_OF, KIND_OF, ROLE_GROUPED, Pick, replicas_of
from dirproof.situations import SITUATIONS

MAX_NODES = 200_000  # the tree is dropped and restarted beyond this many states
_UNCHECKED = object()


class Node:
    """One state reached by a sequence of actions, with what was computed
    about it: candidate actions and enabled moves by kind, successors, the
    situations of the step into it, and the property verdict."""

    __slots__ = ("state", "cands", "moves", "any", "children", "seen", "verdict", "parent", "ghost")

    def __init__(self, state: State, parent: Optional["Node"] = None) -> None:
        self.state = state
        self.parent = parent  # the node this one was first reached from
        self.ghost: Optional[Ghost] = None  # the monitors' ghost of the state's history, once asked
        self.cands: Optional[dict[str, list]] = None
        self.moves: dict[str, list] = {}
        self.any: dict[str, bool] = {}
        self.children: dict = {}  # action -> Node, or None when it is not enabled here
        self.seen: Optional[tuple[str, ...]] = None  # situations of the step into this node
        self.verdict: object = _UNCHECKED


class Tree:
    """The states reached so far from the initial state of `config`, for
    walks with the same options (the verdicts depend on the properties)."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.root = Node(initial_state(config))
        self.size = 1

    def start(self) -> Node:
        if self.size > MAX_NODES:
            self.root, self.size = Node(initial_state(self.config)), 1
        return self.root


class Walker:
    """A walk from the initial state; see the module docstring."""

    def __init__(self, config: Config, options: Options = Options(), tree: Optional[Tree] = None,
                 stats: Optional[Stats] = None) -> None:
        self.config = config
        self.options = options
        self.tree = tree if tree is not None else Tree(config)
        self.stats = stats if stats is not None else Stats()
        self.node: Node = self.tree.start()
        self.steps: list = []

    @property
    def state(self) -> State:
        return self.node.state

    # --- enabled actions, by kind, computed lazily once per state
    def _candidates(self, kind: str) -> list:
        node = self.node
        if node.cands is None:
            node.cands = {}
        got = node.cands.get(kind)
        if got is None:
            got = node.cands[kind] = list(candidates(node.state, (CLASS_OF[kind],)))
        return got

    def _child(self, action) -> Optional[Node]:
        node = self.node
        try:
            return node.children[action]
        except KeyError:
            pass
        nxt = step(node.state, action)
        child = None
        if not isinstance(nxt, Rejected) and (
                self.options.over_budget or not nxt.budget.exceeded or node.state.budget.exceeded):
            # (the default exploration stays within the fault budget)
            child = Node(nxt, node)
            self.tree.size += 1
        node.children[action] = child
        return child

    def has_moves(self, kind: str) -> bool:
        """Some action of `kind` is enabled (stops at the first one found)."""
        node = self.node
        got = node.moves.get(kind)
        if got is not None:
            return bool(got)
        known = node.any.get(kind)
        if known is None:
            known = node.any[kind] = any(self._child(a) is not None for a in self._candidates(kind))
        return known

    def moves(self, kind: str) -> list:
        """Every enabled action of `kind`, with its node, in model order."""
        node = self.node
        got = node.moves.get(kind)
        if got is None:
            got = [(a, c) for a in self._candidates(kind) if (c := self._child(a)) is not None]
            node.moves[kind] = got
        return got

    def groups(self, kind: str) -> list:
        """The candidate actions of `kind` (a superset of the enabled ones, in
        model order) in groups to draw from in two stages: a client write's
        operation type first (create, update, soft delete, ... purge), then
        the operation and session; so an operation that has one instance (a
        purge) is drawn as often as one that has many (the updates of every
        attribute by every session)."""
        node = self.node
        key = "#" + kind
        got = node.moves.get(key)
        if got is None:
            got = node.moves[key] = self._grouped(kind, self._candidates(kind))
        return got

    def _grouped(self, kind: str, cands: list) -> list:
        if not self.options.two_level:
            return [cands] if cands else []
        if kind == "client_write":
            by: dict = {}
            for a in cands:
                by.setdefault(type(a.op), []).append(a)
            return list(by.values())
        if kind == "tick" and len(cands) > 1:
            return [cands[:1], cands[1:]]  # one day, or a jump to a retention boundary
        if kind in ROLE_GROUPED:
            # a fault to a primary (the orchestrator's AP or PP, or a replica
            # that believes it is an AP) as often as one to any secondary
            state = self.node.state
            orch = state.orchestrator
            prim = {orch.ap, orch.pp} | {r for r in range(len(state.replicas)) if believes_ap(state, r)}
            hit = [a for a in cands if replicas_of(a) & prim]
            rest = [a for a in cands if not replicas_of(a) & prim]
            return [g for g in (hit, rest) if g]
        return [cands] if cands else []

    def advance(self, kind: str, pick: Pick) -> None:
        """Take an enabled action of `kind`; `pick(n)` chooses one of n.

        A group is drawn uniformly, then an action in it; an action the
        model rejects is struck out and the draw repeated (a group left
        empty is struck out too). This is exactly a uniform draw among the
        groups that hold an enabled action, then among its enabled actions,
        but it steps the model only on the actions drawn, not on every
        candidate of the state (the costliest part of exploring)."""
        groups = [list(g) for g in self.groups(kind)]
        while groups:
            gi = pick(len(groups)) if len(groups) > 1 else 0
            g = groups[gi]
            while g:
                i = pick(len(g)) if len(g) > 1 else 0
                child = self._child(g[i])
                if child is not None:
                    self._enter(kind, g[i], child)
                    return
                del g[i]
            del groups[gi]
        raise AssertionError(f"no {kind} step is enabled (has_moves said there was one)")

    def take(self, action) -> None:
        """Take this action (it must be enabled): for tests and replays."""
        child = self._child(action)
        if child is None:
            raise ValueError(f"{action!r} is not enabled here")
        self._enter(KIND_OF[type(action)], action, child)

    def _enter(self, kind: str, action, child: Node) -> None:
        if child.seen is None:
            prev, nxt = self.node.state, child.state
            child.seen = tuple(s.id for s in SITUATIONS.values() if s.detect(prev, action, nxt))
        self.steps.append(action)
        self.node = child
        stats = self.stats
        stats.steps += 1
        stats.step_counts[kind] += 1
        for sid in child.seen:
            stats.situation_counts[sid] += 1

    def verdict(self) -> Optional[tuple]:
        """(property, status, message, broken assumptions) of the first
        property under exploration that fails in this state, or None."""
        node = self.node
        if node.verdict is _UNCHECKED:
            node.verdict = None
            state = node.state
            broken = tuple(broken_assumptions(state))
            ghost = ghost_of(node)  # once per state, not once per property (issue 14 added two properties)
            for pid in self.options.properties:
                if broken and pid in self.options.check_in_budget_only:
                    continue
                msg = PROPERTIES[pid].judge(state, ghost)
                if msg:
                    node.verdict = (pid, "assumption-broken" if broken else "violated", msg, broken)
                    break
        return node.verdict  # type: ignore[return-value]


def ghost_of(node: Node) -> Ghost:
    """The ghost of the node's history: its parent's, with the events the
    step into it recorded (a step only appends to the history), so a walk
    reads each event once instead of the whole history at every state."""
    if node.ghost is None:
        parent = node.parent
        state = node.state
        if parent is not None and parent.ghost is not None:
            before = parent.state.history
            n = len(before)
            if state.history[:n] == before:
                node.ghost = watch(state, parent.ghost, since=n)
        if node.ghost is None:
            node.ghost = watch(state)
    return node.ghost
