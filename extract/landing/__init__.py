"""The file landing path's Singer plugins: tap-landing (deliveries as BATCH messages) and
target-bulk (each delivery bulk-loaded by the engine, once, with a ledger row)."""
