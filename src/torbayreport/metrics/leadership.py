"""KPIs of the leadership pillar (see ../shared/spec/indicators.md)."""
