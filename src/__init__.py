"""vnplan: Vietnamese government plans and decisions into typed task records."""

__version__ = "0.1.0"
