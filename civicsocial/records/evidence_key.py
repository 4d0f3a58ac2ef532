"""Where the city's evidence signing key is kept (records/evidence.py reads it): apart,
so that naming it (the vault's list of service secrets) does not import the signing
libraries into every process."""

SIGNING_KEY_SECRET = "records:evidence_signing_key"  # the vault entry
SIGNING_KEY_VARIABLE = "CIVICSOCIAL_EVIDENCE_KEY"  # outside the vault (vault import-env)
