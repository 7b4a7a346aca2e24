// CheckPublicKey and SelfSignedCertificate (filled in by the next commit).
