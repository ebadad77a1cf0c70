package org.crmbulk.worker.smtp;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import org.apache.james.jdkim.DKIMSigner;
import org.apache.james.jdkim.api.BodyHasher;
import org.apache.james.jdkim.api.Headers;
import org.apache.james.jdkim.exceptions.PermFailException;
import org.jboss.logging.Logger;

import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * DKIM signatures (RFC 6376, relaxed/relaxed) of the messages this worker sends, with the key of the From domain (or of
 * its nearest parent domain that has one): rsa-sha256 for an RSA key, ed25519-sha256 (RFC 8463) for an Ed25519 key.
 * Apache jDKIM canonicalises and signs; the message's bytes, composed once, are only split into header fields and their
 * body fed to the body hash, never parsed or written again.
 */
@ApplicationScoped
@Startup // a bad key stops the worker at start, and the records to publish are in its log from the first line on
public class DkimSigning {

    private static final Logger LOG = Logger.getLogger(DkimSigning.class);

    /** Signed when present: the addresses, subject, date, IDs, MIME structure and the opt-out headers. */
    static final List<String> SIGNED = List.of("from", "to", "cc", "reply-to", "subject", "date", "message-id", "mime-version",
            "content-type", "content-transfer-encoding", "list-unsubscribe", "list-unsubscribe-post", "list-id");

    /** One domain's key: its algorithm (a= tag), the signer, and the DNS TXT record that publishes its public half. */
    record Key(String domain, String selector, String algorithm, DKIMSigner signer, String dnsName, String txtRecord) {
    }

    static {
        Ed25519Sha256.register();
    }

    private final Map<String, Key> keys;
    private final Set<String> unsignedDomains = ConcurrentHashMap.newKeySet();

    @Inject
    public DkimSigning(DkimConfig config) {
        this(parse(config.keys().orElse("")));
        keys.values().forEach(k -> LOG.infof("DKIM: signing mail from %s with selector %s; publish %s TXT \"%s\"", k.domain(), k.selector(),
                k.dnsName(), k.txtRecord()));
    }

    DkimSigning(Map<String, Key> keys) {
        this.keys = keys;
    }

    /** The keys as configured, by domain. @throws IllegalArgumentException naming the entry that is wrong (never a key) */
    static Map<String, Key> parse(String configured) {
        Map<String, Key> keys = new LinkedHashMap<>();
        for (String entry : configured.split(",")) {
            if (entry.isBlank()) {
                continue;
            }
            String[] p = entry.trim().split(":", 3);
            if (p.length != 3 || !p[0].matches("[A-Za-z0-9.-]+") || !p[1].matches("[A-Za-z0-9._-]+")) {
                throw new IllegalArgumentException("DKIM keys: each entry is <domain>:<selector>:<PEM file>; not " + p[0]);
            }
            String domain = p[0].toLowerCase(Locale.ROOT);
            keys.put(domain, key(domain, p[1], Path.of(p[2])));
        }
        return Map.copyOf(keys);
    }

    static Key key(String domain, String selector, Path pem) {
        try {
            String text = Files.readString(pem, StandardCharsets.US_ASCII);
            if (!text.contains("-----BEGIN PRIVATE KEY-----")) {
                throw new IllegalArgumentException("DKIM key of " + domain + " (" + pem + "): not a PKCS#8 PEM private key "
                        + "(openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 makes one)");
            }
            String base64 = text.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            PKCS8EncodedKeySpec der = new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64));
            PrivateKey key;
            String algorithm;
            String txt;
            try {
                key = KeyFactory.getInstance("RSA").generatePrivate(der);
                RSAPrivateCrtKey rsa = (RSAPrivateCrtKey) key;
                byte[] publicKey = KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(rsa.getModulus(),
                        rsa.getPublicExponent())).getEncoded();
                algorithm = "rsa-sha256";
                txt = "v=DKIM1; k=rsa; p=" + Base64.getEncoder().encodeToString(publicKey);
            } catch (java.security.spec.InvalidKeySpecException notRsa) {
                key = KeyFactory.getInstance("Ed25519").generatePrivate(der);
                algorithm = "ed25519-sha256";
                // RFC 8463 4.2: p= is the bare 32-byte public key, not its SubjectPublicKeyInfo.
                txt = "v=DKIM1; k=ed25519; p=" + Base64.getEncoder().encodeToString(Ed25519Keys.publicKey((java.security.interfaces.EdECPrivateKey) key));
            }
            // The signer's own template serves only its sign(InputStream); each message gets its own (see template()).
            return new Key(domain, selector, algorithm, new DKIMSigner(template(algorithm, domain, selector, SIGNED, false), key),
                    selector + "._domainkey." + domain, txt);
        } catch (IOException e) {
            throw new IllegalArgumentException("DKIM key of " + domain + ": cannot read " + pem + ": " + e.getMessage(), e);
        } catch (GeneralSecurityException | ClassCastException | IllegalArgumentException e) {
            if (e instanceof IllegalArgumentException iae && iae.getMessage().startsWith("DKIM")) {
                throw iae;
            }
            throw new IllegalArgumentException("DKIM key of " + domain + " (" + pem + "): neither an RSA nor an Ed25519 private key", e);
        }
    }

    /** The keys in use, by domain: what the DNS must publish. */
    Map<String, Key> keys() {
        return keys;
    }

    /**
     * The {@code DKIM-Signature} header line (with its CRLF) to put before the message, or an empty array when its From
     * domain has no key. {@code message}: the composed message's segments in order (CRLF line ends, before dot-stuffing),
     * its header section within the first.
     */
    byte[] signature(List<ComposedMessage.Segment> message, String fromAddress) {
        Key key = keyFor(fromAddress.substring(fromAddress.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT));
        if (key == null) {
            return new byte[0];
        }
        byte[] head = message.get(0).bytes();
        int split = headerEnd(head);
        try {
            List<String> fields = fields(head, split);
            BodyHasher hasher = key.signer().newBodyHasher(key.signer().newSignatureRecordTemplate(template(key.algorithm(), key.domain(), key.selector(),
                    present(fields), blank(message, split + 2))));
            try (OutputStream body = hasher.getOutputStream()) {
                body.write(head, split + 2, head.length - split - 2);
                for (ComposedMessage.Segment s : message.subList(1, message.size())) {
                    body.write(s.bytes());
                }
            }
            String header = key.signer().sign(new Fields(fields), hasher);
            return (fold(header) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        } catch (PermFailException | IOException e) {
            throw new IllegalStateException("DKIM signing failed for " + key.domain() + ": " + e.getMessage(), e);
        }
    }

    private Key keyFor(String domain) {
        for (String d = domain; d.contains("."); d = d.substring(d.indexOf('.') + 1)) {
            Key key = keys.get(d);
            if (key != null) {
                return key;
            }
        }
        if (!keys.isEmpty() && unsignedDomains.add(domain)) {
            LOG.warnf("DKIM: no key for %s (nor a parent domain): its mail goes out unsigned", domain);
        }
        return null;
    }

    /**
     * A signature template covering these headers. A blank body is canonicalised "simple": jDKIM hashes a blank relaxed
     * body as CRLF where RFC 6376 3.4.4 says empty.
     */
    private static String template(String algorithm, String domain, String selector, List<String> headers, boolean blankBody) {
        return "v=1; a=" + algorithm + "; c=relaxed/" + (blankBody ? "simple" : "relaxed") + "; d=" + domain + "; s=" + selector
                + "; h=" + String.join(":", headers) + "; bh=; b=;";
    }

    /** The signed headers this message has, in SIGNED's order (h= lists what the verifier must find). */
    private static List<String> present(List<String> fields) {
        Set<String> names = fields.stream().map(f -> f.substring(0, f.indexOf(':')).trim().toLowerCase(Locale.ROOT))
                .collect(Collectors.toSet());
        return SIGNED.stream().filter(names::contains).toList();
    }

    /** Whether the body (from this index of the first segment on) holds nothing but line breaks, spaces and tabs. */
    private static boolean blank(List<ComposedMessage.Segment> message, int from) {
        for (int s = 0; s < message.size(); s++) {
            byte[] m = message.get(s).bytes();
            for (int i = s == 0 ? from : 0; i < m.length; i++) {
                if (m[i] != '\r' && m[i] != '\n' && m[i] != ' ' && m[i] != '\t') {
                    return false;
                }
            }
        }
        return true;
    }

    /** Where the header section ends: the index of the CRLF that ends its last field (the empty line follows). */
    private static int headerEnd(byte[] m) {
        for (int i = 0; i + 3 < m.length; i++) {
            if (m[i] == '\r' && m[i + 1] == '\n' && m[i + 2] == '\r' && m[i + 3] == '\n') {
                return i + 2;
            }
        }
        throw new IllegalStateException("a composed message has a header section and a body");
    }

    /** The header fields as written, each with its folded lines and without its final CRLF (what jDKIM canonicalises). */
    private static List<String> fields(byte[] m, int end) {
        List<String> fields = new ArrayList<>();
        // Header fields are ASCII (RFC 2047 words), which jDKIM turns back into the same bytes whatever the default charset.
        String section = new String(m, 0, end, StandardCharsets.US_ASCII);
        StringBuilder field = null;
        for (String line : section.split("\r\n")) {
            if (!line.isEmpty() && (line.charAt(0) == ' ' || line.charAt(0) == '\t') && field != null) {
                field.append("\r\n").append(line);
            } else {
                if (field != null) {
                    fields.add(field.toString());
                }
                field = new StringBuilder(line);
            }
        }
        if (field != null) {
            fields.add(field.toString());
        }
        return fields;
    }

    /** Folds the signature's long value at its tag separators, so no line comes near SMTP's 998-character limit. */
    private static String fold(String header) {
        return header.replace("; ", ";\r\n\t");
    }

    private record Fields(List<String> all) implements Headers {

        @Override
        public List<String> getFields() {
            return all;
        }

        @Override
        public List<String> getFields(String name) {
            return all.stream().filter(f -> f.length() > name.length() && f.regionMatches(true, 0, name, 0, name.length())
                    && f.substring(name.length()).stripLeading().startsWith(":")).toList();
        }
    }
}
