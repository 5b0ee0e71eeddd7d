"""KPIs of the workforce pillar (see ../shared/spec/indicators.md)."""
