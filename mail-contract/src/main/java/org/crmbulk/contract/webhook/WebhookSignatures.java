package org.crmbulk.contract.webhook;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Webhook signatures the Standard Webhooks way (standardwebhooks.com): a secret {@code whsec_<base64 key>}, and
 * {@code webhook-signature: v1,<base64 HMAC-SHA256 of "{webhook-id}.{webhook-timestamp}.{body}">}, so receivers can use
 * any of its libraries.
 */
public final class WebhookSignatures {

    public static final String SECRET_PREFIX = "whsec_";
    /** Key lengths a secret may have: at least 192 bits, as the specification asks, and no more than 512. */
    public static final int MIN_KEY_BYTES = 24;
    public static final int MAX_KEY_BYTES = 64;
    private static final SecureRandom RANDOM = new SecureRandom();

    private WebhookSignatures() {
    }

    /** A new random secret of 32 bytes. */
    public static String newSecret() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return SECRET_PREFIX + Base64.getEncoder().encodeToString(key);
    }

    /** Why the secret cannot be used, if it cannot. */
    public static Optional<String> problem(String secret) {
        if (secret == null || !secret.startsWith(SECRET_PREFIX)) {
            return Optional.of("must start with " + SECRET_PREFIX);
        }
        byte[] key;
        try {
            key = Base64.getDecoder().decode(secret.substring(SECRET_PREFIX.length()));
        } catch (IllegalArgumentException e) {
            return Optional.of("must be " + SECRET_PREFIX + " followed by base64");
        }
        if (key.length < MIN_KEY_BYTES || key.length > MAX_KEY_BYTES) {
            return Optional.of("its key must have " + MIN_KEY_BYTES + " to " + MAX_KEY_BYTES + " bytes");
        }
        return Optional.empty();
    }

    /** The {@code webhook-signature} header's value for one attempt. */
    public static String sign(String secret, String webhookId, long timestampSeconds, byte[] body) {
        return signer(secret).sign(webhookId, timestampSeconds, body);
    }

    /** Signs with one secret's key, set up once (a provider lookup and key schedule cost more than a signature). */
    public static Signer signer(String secret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring(SECRET_PREFIX.length())), "HmacSHA256"));
            return new Signer(mac);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    /** One secret's signer; safe across threads (each signature works on its own copy of the keyed MAC). */
    public static final class Signer {
        private final Mac keyed;

        private Signer(Mac keyed) {
            this.keyed = keyed;
        }

        public String sign(String webhookId, long timestampSeconds, byte[] body) {
            Mac mac;
            try {
                mac = (Mac) keyed.clone();
            } catch (CloneNotSupportedException e) {
                throw new IllegalStateException("the JDK's HmacSHA256 can be cloned", e);
            }
            mac.update((webhookId + "." + timestampSeconds + ".").getBytes(StandardCharsets.UTF_8));
            return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body));
        }
    }
}
