"""Services: the layer between the API/CLI and the domain packages (registry, connectors, ...).

A service checks what the caller may do, calls the domain code inside one database session, and turns domain
errors into :mod:`hub.errors`. Routers and commands stay thin: parse, call a service, shape the answer.
"""
