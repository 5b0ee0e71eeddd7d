"""KPIs of the quality pillar (see ../shared/spec/indicators.md)."""
