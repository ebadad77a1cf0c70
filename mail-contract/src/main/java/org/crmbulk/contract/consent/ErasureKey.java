package org.crmbulk.contract.consent;

import java.nio.charset.StandardCharsets;

/**
 * The key of the keyed hash that is all the suppression list keeps of an erased address: PostgreSQL's
 * {@code address_hash(email, key)} = HMAC-SHA256(key, lower(email)), so a copy of the database alone cannot confirm
 * a guessed address. Unlike the unsubscribe keys it can never be rotated (the addresses to hash again are gone).
 */
public record ErasureKey(byte[] bytes) {

    /** The domain an erased address is replaced with: .invalid never resolves (RFC 2606), and nothing is ever sent to it. */
    public static final String PLACEHOLDER_DOMAIN = "erased.invalid";

    private static final int MIN_SECRET = 32;

    /** @throws IllegalArgumentException naming what is wrong (never the secret) */
    public static ErasureKey parse(String configured) {
        byte[] secret = configured.trim().getBytes(StandardCharsets.UTF_8);
        if (secret.length < MIN_SECRET) {
            throw new IllegalArgumentException("erasure key: shorter than " + MIN_SECRET + " characters");
        }
        return new ErasureKey(secret);
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public String toString() {
        return "ErasureKey[hidden]";
    }
}
