package org.crmbulk.contract.consent;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
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
 * Configured as {@code id=secret,id2=secret2} (each secret at least 32 characters). The same keys sign the VERP return
 * paths of messages ({@link #signReturnPath}) and the {@code mailto:} unsubscribe addresses ({@link #signMailUnsubscribe}),
 * each under its own label, so no token can stand for another kind.
 */
public final class UnsubscribeTokens {

    private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9_-]{1,16}");
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final int MAC_BYTES = 16;
    private static final int BODY_CHARS = 32; // 24 bytes in unpadded base64url
    private static final int MIN_SECRET = 32;
    private static final int HEX_MAC_BYTES = 10;
    /** The length of a return-path or {@code mailto:} token: 18 bytes in hex. */
    public static final int HEX_TOKEN_CHARS = 2 * (8 + HEX_MAC_BYTES);
    private static final String RETURN_PATH = "crm-return-path:v1:";
    private static final String MAIL_UNSUBSCRIBE = "crm-mail-unsubscribe:v1:";
    private static final Pattern HEX = Pattern.compile("[0-9A-Fa-f]+");

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

    /**
     * The token of a message's return path ({@code bounces+<token>@bounce domain}): lower-case hex of (delivery ID, 8 bytes |
     * HMAC-SHA256, 10 bytes) signed by the first key. Hex, and no key ID, because mail servers may change the case of a
     * local part on the way back; every key is tried when it is read.
     */
    public String signReturnPath(long deliveryId) {
        return signHex(RETURN_PATH, deliveryId);
    }

    /** The delivery a return-path token names, when one of the keys signed it (any case); empty for anything else. */
    public OptionalLong verifyReturnPath(String token) {
        return verifyHex(RETURN_PATH, token);
    }

    /** The token of a delivery's {@code mailto:} unsubscribe address: as a return path's, under its own label. */
    public String signMailUnsubscribe(long deliveryId) {
        return signHex(MAIL_UNSUBSCRIBE, deliveryId);
    }

    /** The delivery a {@code mailto:} unsubscribe token names, when one of the keys signed it (any case); empty otherwise. */
    public OptionalLong verifyMailUnsubscribe(String token) {
        return verifyHex(MAIL_UNSUBSCRIBE, token);
    }

    private String signHex(String label, long deliveryId) {
        ByteBuffer body = ByteBuffer.allocate(8 + HEX_MAC_BYTES).putLong(deliveryId);
        body.put(hexMac(signingKey, label, deliveryId));
        return HexFormat.of().formatHex(body.array());
    }

    private OptionalLong verifyHex(String label, String token) {
        if (token == null || token.length() != HEX_TOKEN_CHARS || !HEX.matcher(token).matches()) {
            return OptionalLong.empty();
        }
        ByteBuffer buffer = ByteBuffer.wrap(HexFormat.of().parseHex(token.toLowerCase(java.util.Locale.ROOT)));
        long deliveryId = buffer.getLong();
        byte[] given = new byte[HEX_MAC_BYTES];
        buffer.get(given);
        for (String keyId : keys.keySet()) {
            if (MessageDigest.isEqual(given, hexMac(keyId, label, deliveryId))) {
                return OptionalLong.of(deliveryId);
            }
        }
        return OptionalLong.empty();
    }

    private byte[] hexMac(String keyId, String label, long deliveryId) {
        return mac(keyId, label + deliveryId, HEX_MAC_BYTES);
    }

    private byte[] mac(String keyId, long deliveryId) {
        return mac(keyId, "crm-unsubscribe:v1:" + keyId + ":" + deliveryId, MAC_BYTES);
    }

    private byte[] mac(String keyId, String label, int bytes) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(keys.get(keyId));
            byte[] full = mac.doFinal(label.getBytes(StandardCharsets.UTF_8));
            byte[] truncated = new byte[bytes];
            System.arraycopy(full, 0, truncated, 0, bytes);
            return truncated;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
