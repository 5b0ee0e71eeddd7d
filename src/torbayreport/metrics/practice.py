"""KPIs of the practice pillar (see ../shared/spec/indicators.md)."""
