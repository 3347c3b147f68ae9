"""dirproof.conform: judge event logs of a real system against the properties
and the model (docs/conformance.md).

events: the log format, its JSON Schema and the parser; forms: the log forms
of the history properties; behaviour: everything asked of the model (the
one module that imports it); search: the bounded search over hidden steps;
report and picture: the verdict as text, JSON and a space-time diagram.
"""
