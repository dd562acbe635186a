"""site_builder: sourced YAML facts + Markdown + Altair charts → a static briefing site."""

__version__ = "0.1.0"
