package org.crmbulk.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Signs bearer tokens the way an identity provider would, with a key pair that exists for tests only
 * ({@code crm-test-jwt/*.pem}); api-service under test verifies them with the public half.
 */
public final class TestTokens {

    public static final String ISSUER = "https://identity.test.crmbulk.org";
    public static final String AUDIENCE = "crm-bulk-activities";
    public static final String PUBLIC_KEY_RESOURCE = "crm-test-jwt/public.pem";

    public static final String READER = "crm-reader";
    public static final String MANAGER = "campaign-manager";
    public static final String CODEBOOK_ADMIN = "codebook-admin";
    public static final String PRIVACY_OFFICER = "privacy-officer";
    public static final String MAIL_INTAKE = "mail-intake";
    public static final String WEBHOOK_ADMIN = "webhook-admin";

    private static final Base64.Encoder URL = Base64.getUrlEncoder().withoutPadding();

    private TestTokens() {
    }

    /** A token of someone who holds every role: what the tests of behaviour (not of access) call with. */
    public static String everyRole(String caller) {
        return token(caller, ISSUER, AUDIENCE, Instant.now().plusSeconds(3600), READER, MANAGER, CODEBOOK_ADMIN, PRIVACY_OFFICER, MAIL_INTAKE,
                WEBHOOK_ADMIN);
    }

    public static String withRoles(String caller, String... roles) {
        return token(caller, ISSUER, AUDIENCE, Instant.now().plusSeconds(3600), roles);
    }

    public static String token(String caller, String issuer, String audience, Instant expiresAt, String... roles) {
        long now = Instant.now().getEpochSecond();
        String groups = Stream.of(roles).map(r -> '"' + r + '"').collect(Collectors.joining(",", "[", "]"));
        String claims = "{\"iss\":\"" + issuer + "\",\"aud\":\"" + audience + "\",\"sub\":\"" + caller
                + "\",\"upn\":\"" + caller + "\",\"groups\":" + groups + ",\"iat\":" + now
                + ",\"exp\":" + expiresAt.getEpochSecond() + ",\"jti\":\"" + UUID.randomUUID() + "\"}";
        String signingInput = encode("{\"alg\":\"RS256\",\"typ\":\"JWT\"}") + "." + encode(claims);
        try {
            Signature rs256 = Signature.getInstance("SHA256withRSA");
            rs256.initSign(privateKey());
            rs256.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + URL.encodeToString(rs256.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a test token", e);
        }
    }

    /** The verification key as a file, for services started as processes (CRM_JWT_PUBLIC_KEY_LOCATION). */
    public static Path publicKeyFile() {
        try {
            Path file = Files.createTempFile("crm-test-jwt", ".pem");
            Files.writeString(file, resource(PUBLIC_KEY_RESOURCE));
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String encode(String json) {
        return URL.encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    private static PrivateKey privateKey() throws GeneralSecurityException {
        String pem = resource("crm-test-jwt/private.pem").replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
    }

    private static String resource(String name) {
        try (InputStream in = TestTokens.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is missing from test-support");
            }
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
