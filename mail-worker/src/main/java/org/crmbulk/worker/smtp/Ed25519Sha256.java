package org.crmbulk.worker.smtp;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Security;
import java.security.Signature;
import java.security.SignatureException;
import java.security.SignatureSpi;

/**
 * DKIM's ed25519-sha256 (RFC 8463 3): PureEdDSA Ed25519 over the SHA-256 hash of the canonicalised header data, for the
 * jDKIM signer, which asks the JCA for {@code SHA256withED25519} (hash "with" key type, from the a= tag). The hash and the
 * signature are the JDK's own; only their composition, which the RFC fixes, is here.
 */
public final class Ed25519Sha256 extends SignatureSpi {

    static final String ALGORITHM = "SHA256withEd25519";

    private static final Provider PROVIDER = new Provider("CrmDkim", "1.0", "DKIM ed25519-sha256 (RFC 8463)") {
        {
            put("Signature." + ALGORITHM, Ed25519Sha256.class.getName());
        }
    };

    /** Makes the algorithm known to the JCA (once; later calls do nothing). */
    static synchronized void register() {
        if (Security.getProvider(PROVIDER.getName()) == null) {
            Security.addProvider(PROVIDER);
        }
    }

    private final MessageDigest sha256;
    private PrivateKey privateKey;
    private PublicKey publicKey;

    public Ed25519Sha256() throws NoSuchAlgorithmException {
        this.sha256 = MessageDigest.getInstance("SHA-256");
    }

    @Override
    protected void engineInitSign(PrivateKey key) throws InvalidKeyException {
        requireEd25519(key.getAlgorithm());
        privateKey = key;
        publicKey = null;
        sha256.reset();
    }

    @Override
    protected void engineInitVerify(PublicKey key) throws InvalidKeyException {
        requireEd25519(key.getAlgorithm());
        publicKey = key;
        privateKey = null;
        sha256.reset();
    }

    private static void requireEd25519(String algorithm) throws InvalidKeyException {
        if (!"Ed25519".equalsIgnoreCase(algorithm) && !"EdDSA".equalsIgnoreCase(algorithm)) {
            throw new InvalidKeyException("ed25519-sha256 needs an Ed25519 key, not " + algorithm);
        }
    }

    @Override
    protected void engineUpdate(byte b) {
        sha256.update(b);
    }

    @Override
    protected void engineUpdate(byte[] b, int off, int len) {
        sha256.update(b, off, len);
    }

    @Override
    protected byte[] engineSign() throws SignatureException {
        try {
            Signature ed25519 = Signature.getInstance("Ed25519");
            ed25519.initSign(privateKey);
            ed25519.update(sha256.digest());
            return ed25519.sign();
        } catch (GeneralSecurityException e) {
            throw new SignatureException(e);
        }
    }

    @Override
    protected boolean engineVerify(byte[] signature) throws SignatureException {
        try {
            Signature ed25519 = Signature.getInstance("Ed25519");
            ed25519.initVerify(publicKey);
            ed25519.update(sha256.digest());
            return ed25519.verify(signature);
        } catch (GeneralSecurityException e) {
            throw new SignatureException(e);
        }
    }

    @Override
    @Deprecated
    protected void engineSetParameter(String param, Object value) {
        throw new UnsupportedOperationException();
    }

    @Override
    @Deprecated
    protected Object engineGetParameter(String param) {
        throw new UnsupportedOperationException();
    }
}
