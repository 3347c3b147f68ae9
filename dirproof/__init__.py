"""dirproof: formal model and property-based verification of a single-master,
geo-replicated directory service. The engines (exploration, Z3, replay,
reports, CLI) live in this package; the model and the properties are
dirproof.model and dirproof.properties."""

__version__ = "0.1.0"
