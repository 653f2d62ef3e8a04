"""Electronic digital signatures: the NCA certificate profile, a test/demo CA, key files,
revocation checking and one CMS verifier that login and document filing both rely on."""
