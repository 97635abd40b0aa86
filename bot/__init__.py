"""kaikaku-bot: collects the yearly results of a city's administrative-reform plan in chat."""

__version__ = "0.1.0"
