package org.crmbulk.contract.consent;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The token of an unsubscribe link: {@code <key id>.<base64url(delivery ID, 8 bytes | HMAC-SHA256, 16 bytes)>}. It names
 * one delivery and carries no address; without the key it can be neither forged nor guessed from another. The
 * first key signs, every configured key verifies, so a key can be rotated without breaking links in sent mail.
 * Configured as {@code id=secret,id2=secret2} (each secret at least 32 characters).
 */
public final class UnsubscribeTokens {

    private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9_-]{1,16}");
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final int MAC_BYTES = 16;
    private static final int BODY_CHARS = 32; // 24 bytes in unpadded base64url
    private static final int MIN_SECRET = 32;

    private final String signingKey;
    private final Map<String, SecretKeySpec> keys;

    private UnsubscribeTokens(String signingKey, Map<String, SecretKeySpec> keys) {
        this.signingKey = signingKey;
        this.keys = keys;
    }

    /** @throws IllegalArgumentException naming what is wrong with the configured keys (never a secret) */
    public static UnsubscribeTokens parse(String configured) {
        Map<String, SecretKeySpec> keys = new LinkedHashMap<>();
        for (String entry : configured.split(",")) {
            int eq = entry.indexOf('=');
            String id = eq < 0 ? entry.trim() : entry.substring(0, eq).trim();
            if (eq < 0 || !KEY_ID.matcher(id).matches()) {
                throw new IllegalArgumentException("unsubscribe keys: each entry is <id>=<secret>, the id 1-16 of A-Z a-z 0-9 _ -");
            }
            byte[] secret = entry.substring(eq + 1).trim().getBytes(StandardCharsets.UTF_8);
            if (secret.length < MIN_SECRET) {
                throw new IllegalArgumentException("unsubscribe keys: the secret of key " + id + " is shorter than " + MIN_SECRET + " characters");
            }
            if (keys.put(id, new SecretKeySpec(secret, "HmacSHA256")) != null) {
                throw new IllegalArgumentException("unsubscribe keys: key " + id + " is given twice");
            }
        }
        return new UnsubscribeTokens(keys.keySet().iterator().next(), Map.copyOf(keys));
    }

    public String sign(long deliveryId) {
        ByteBuffer body = ByteBuffer.allocate(8 + MAC_BYTES).putLong(deliveryId);
        body.put(mac(signingKey, deliveryId));
        return signingKey + "." + ENCODER.encodeToString(body.array());
    }

    /** The delivery a token names, when one of the keys signed it; empty for anything else. */
    public OptionalLong verify(String token) {
        if (token == null || token.length() > 64) {
            return OptionalLong.empty();
        }
        int dot = token.indexOf('.');
        if (dot < 0 || !keys.containsKey(token.substring(0, dot)) || token.length() - dot - 1 != BODY_CHARS) {
            return OptionalLong.empty();
        }
        byte[] body;
        try {
            body = Base64.getUrlDecoder().decode(token.substring(dot + 1));
        } catch (IllegalArgumentException e) {
            return OptionalLong.empty();
        }
        ByteBuffer buffer = ByteBuffer.wrap(body);
        long deliveryId = buffer.getLong();
        byte[] given = new byte[MAC_BYTES];
        buffer.get(given);
        // Re-encoding must give the same text: base64 has more than one spelling of the last character's spare bits.
        boolean canonical = ENCODER.encodeToString(body).equals(token.substring(dot + 1));
        return canonical && MessageDigest.isEqual(given, mac(token.substring(0, dot), deliveryId))
                ? OptionalLong.of(deliveryId) : OptionalLong.empty();
    }

    private byte[] mac(String keyId, long deliveryId) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(keys.get(keyId));
            byte[] full = mac.doFinal(("crm-unsubscribe:v1:" + keyId + ":" + deliveryId).getBytes(StandardCharsets.UTF_8));
            byte[] truncated = new byte[MAC_BYTES];
            System.arraycopy(full, 0, truncated, 0, MAC_BYTES);
            return truncated;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
