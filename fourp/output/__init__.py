"""Reports in every format: template data, the Jinja templates, machine formats, atomic writing."""
