package org.crmbulk.worker.smtp;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.NamedParameterSpec;
import java.util.Arrays;

/** The public half of an Ed25519 private key, for the DNS record (the JDK 17 API has no derivation of its own). */
final class Ed25519Keys {

    private Ed25519Keys() {
    }

    /**
     * The 32-byte public key. The JDK's Ed25519 key pair generator draws exactly the 32-byte private key from its random
     * source (RFC 8032 5.1.5), so it is given this key's bytes; a signature made with the key and checked with the result
     * proves the derivation, and a key it does not prove is refused.
     */
    static byte[] publicKey(EdECPrivateKey key) throws GeneralSecurityException {
        byte[] seed = key.getBytes().orElseThrow(() -> new GeneralSecurityException("the Ed25519 key's bytes cannot be read"));
        KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
        generator.initialize(NamedParameterSpec.ED25519, new SecureRandom() {
            @Override
            public void nextBytes(byte[] bytes) {
                System.arraycopy(seed, 0, bytes, 0, Math.min(seed.length, bytes.length));
            }
        });
        KeyPair pair = generator.generateKeyPair();
        byte[] probe = "DKIM key check".getBytes(StandardCharsets.US_ASCII);
        Signature sign = Signature.getInstance("Ed25519");
        sign.initSign(key);
        sign.update(probe);
        Signature verify = Signature.getInstance("Ed25519");
        verify.initVerify(pair.getPublic());
        verify.update(probe);
        if (!verify.verify(sign.sign())) {
            throw new GeneralSecurityException("the public half of the Ed25519 key could not be derived");
        }
        byte[] spki = pair.getPublic().getEncoded(); // SubjectPublicKeyInfo: a fixed 12-byte prefix, then the key
        return Arrays.copyOfRange(spki, spki.length - 32, spki.length);
    }
}
