// DecryptStream / EncryptStream (filled in by the next commit).
