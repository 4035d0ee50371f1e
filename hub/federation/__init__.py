"""A provincial Simpul over its kabupaten/kota Simpuls (issue 12 item 4; docs/federation.md).

No cluster of our own: every kota stays a standalone Simpul; the province is an API client of each one, with a key
of role ``federation`` (action ``federation:read``). :mod:`hub.federation.client` pulls one member through the
network policy; :mod:`hub.services.federation` keeps the members and their copies; :mod:`hub.federation.view`
builds the freshness list, the comparison across Pemdas and the province inventory from the copies.
"""
