"""The HIFU Coverage Atlas dashboard: layout, callbacks, figures and the HTTP API."""
