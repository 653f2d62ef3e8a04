"""State duty payment: quotes over HTTP, payments through a provider, a ledger the filing reads.

The filing side needs two answers only — how much has been paid for a reference, and "refund
it" when a claim is returned — so those live in :mod:`cabinet.payments.ledger` with no HTTP
or provider in sight. Everything else (the provider protocol, the clearly named sandbox bank,
callbacks, receipts) is this package's own business.
"""
