"""Where the city's evidence signing key is kept (records/evidence.py reads it), and what a
key entered in the vault page must be: apart, so that naming it (the vault's list of
service secrets) does not import the signing libraries into every process."""

SIGNING_KEY_SECRET = "records:evidence_signing_key"  # the vault entry
SIGNING_KEY_VARIABLE = "CIVICSOCIAL_EVIDENCE_KEY"  # outside the vault (vault import-env)


def check_signing_key(pem: str) -> str | None:
    """What is wrong with a signing key entered in the vault page, or None: it must be a
    private key in PEM without a passphrase (the worker signs unattended)."""
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    try:
        load_pem_private_key(pem.strip().encode(), password=None)
    except (ValueError, TypeError) as error:
        return f"Not a private key in PEM without a passphrase ({error})."
    return None
