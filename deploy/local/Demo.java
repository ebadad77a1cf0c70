import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The HTTP side of ./crm, with nothing but the JDK:
 *   java Demo.java wait URL SECONDS      waits until URL answers 200
 *   java Demo.java run API_URL           runs a demo campaign through the API, as a user would
 *   java Demo.java mails CATCHER_URL     lists what the mail catcher received
 *   java Demo.java keys DIR              makes the demo's JWT key pair (DIR/private.pem, DIR/public.pem) once
 *   java Demo.java token DIR NAME ROLE.. prints a bearer token for NAME with ROLEs, valid 12 hours
 * The demo is its own identity provider: api-service trusts DIR/public.pem and the issuer below.
 */
public class Demo {

    static final String ISSUER = "https://crm-demo.local";
    static final String AUDIENCE = "crm-bulk-activities";

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    // The demo campaign runs as a campaign manager; CRM_TOKEN (from ./crm) carries it.
    private static final String BEARER = "Bearer " + System.getenv().getOrDefault("CRM_TOKEN", "");

    static void keys(Path dir) throws Exception {
        if (Files.exists(dir.resolve("private.pem"))) {
            return;
        }
        Files.createDirectories(dir);
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        var pair = rsa.generateKeyPair();
        Files.writeString(dir.resolve("public.pem"), pem("PUBLIC KEY", pair.getPublic().getEncoded()));
        Files.writeString(dir.resolve("private.pem"), pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
    }

    /** A DKIM signing key (RSA-2048, or Ed25519 when asked; PKCS#8 PEM, as the worker reads it), made once. */
    static void dkimKey(Path file, String algorithm) throws Exception {
        if (Files.exists(file)) {
            return;
        }
        Files.createDirectories(file.getParent());
        KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm.equalsIgnoreCase("ed25519") ? "Ed25519" : "RSA");
        if (!algorithm.equalsIgnoreCase("ed25519")) {
            generator.initialize(2048);
        }
        Files.writeString(file, pem("PRIVATE KEY", generator.generateKeyPair().getPrivate().getEncoded()));
    }

    private static PrivateKey dkimPrivateKey(Path file) throws Exception {
        var der = new PKCS8EncodedKeySpec(Base64.getDecoder().decode(Files.readString(file).replaceAll("-----[A-Z ]+-----|\\s", "")));
        try {
            return KeyFactory.getInstance("RSA").generatePrivate(der);
        } catch (java.security.spec.InvalidKeySpecException notRsa) {
            return KeyFactory.getInstance("Ed25519").generatePrivate(der);
        }
    }

    /** The DNS TXT record that publishes a DKIM key's public half, in zone-file form (strings of at most 255 characters). */
    static String dkimRecord(String domain, String selector, Path file) throws Exception {
        PrivateKey any = dkimPrivateKey(file);
        String value;
        if (any instanceof java.security.interfaces.RSAPrivateCrtKey key) {
            byte[] pub = KeyFactory.getInstance("RSA").generatePublic(new java.security.spec.RSAPublicKeySpec(key.getModulus(),
                    key.getPublicExponent())).getEncoded();
            value = "v=DKIM1; k=rsa; p=" + Base64.getEncoder().encodeToString(pub);
        } else {
            // RFC 8463: the bare 32-byte key. The JDK's generator draws exactly the private key from its random source.
            byte[] seed = ((java.security.interfaces.EdECPrivateKey) any).getBytes().orElseThrow();
            KeyPairGenerator ed = KeyPairGenerator.getInstance("Ed25519");
            ed.initialize(java.security.spec.NamedParameterSpec.ED25519, new java.security.SecureRandom() {
                @Override
                public void nextBytes(byte[] bytes) {
                    System.arraycopy(seed, 0, bytes, 0, bytes.length);
                }
            });
            byte[] spki = ed.generateKeyPair().getPublic().getEncoded();
            value = "v=DKIM1; k=ed25519; p=" + Base64.getEncoder().encodeToString(java.util.Arrays.copyOfRange(spki, spki.length - 32, spki.length));
        }
        StringBuilder strings = new StringBuilder();
        for (int i = 0; i < value.length(); i += 255) {
            strings.append(" \"").append(value, i, Math.min(value.length(), i + 255)).append('"');
        }
        return selector + "._domainkey." + domain + ". IN TXT (" + strings + " )";
    }

    /**
     * Bare signing rate of a DKIM key on one thread over a message's ~1 kB of signed header fields, for 3 s: SHA256withRSA,
     * or Ed25519 over the SHA-256 of them (RFC 8463).
     */
    static long dkimRate(Path file) throws Exception {
        PrivateKey key = dkimPrivateKey(file);
        boolean rsa = key.getAlgorithm().equals("RSA");
        byte[] headers = "x".repeat(1024).getBytes(StandardCharsets.US_ASCII);
        long count = 0;
        long start = System.nanoTime();
        long end = start + Duration.ofSeconds(3).toNanos();
        while (System.nanoTime() < end) {
            Signature s = Signature.getInstance(rsa ? "SHA256withRSA" : "Ed25519");
            s.initSign(key);
            s.update(rsa ? headers : java.security.MessageDigest.getInstance("SHA-256").digest(headers));
            s.sign();
            count++;
        }
        return count * 1_000_000_000L / (System.nanoTime() - start);
    }

    static String token(Path dir, String name, String... roles) throws Exception {
        long now = Instant.now().getEpochSecond();
        String claims = "{\"iss\":\"" + ISSUER + "\",\"aud\":\"" + AUDIENCE + "\",\"sub\":\"" + name + "\",\"upn\":\"" + name
                + "\",\"groups\":[" + String.join(",", java.util.Arrays.stream(roles).map(r -> "\"" + r + "\"").toList())
                + "],\"iat\":" + now + ",\"exp\":" + (now + 12 * 3600) + "}";
        Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
        String input = url.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + url.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
        String pem = Files.readString(dir.resolve("private.pem")).replaceAll("-----[A-Z ]+-----|\\s", "");
        PrivateKey key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
        Signature rs256 = Signature.getInstance("SHA256withRSA");
        rs256.initSign(key);
        rs256.update(input.getBytes(StandardCharsets.US_ASCII));
        return input + "." + url.encodeToString(rs256.sign());
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "wait" -> System.exit(waitFor(args[1], Integer.parseInt(args[2])) ? 0 : 1);
            case "run" -> System.exit(runDemo(args[1]));
            case "mails" -> listMails(args[1]);
            case "keys" -> keys(Path.of(args[1]));
            case "token" -> System.out.println(token(Path.of(args[1]), args[2], java.util.Arrays.copyOfRange(args, 3, args.length)));
            case "dkim-key" -> dkimKey(Path.of(args[1]), args.length > 2 ? args[2] : "rsa");
            case "dkim-record" -> System.out.println(dkimRecord(args[1], args[2], Path.of(args[3])));
            case "dkim-rate" -> System.out.println(dkimRate(Path.of(args[1])));
            default -> throw new IllegalArgumentException("unknown command " + args[0]);
        }
    }

    static boolean waitFor(String url, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return true;
                }
            } catch (java.io.IOException e) {
                // not up yet
            }
            Thread.sleep(250);
        }
        return false;
    }

    static int runDemo(String api) throws Exception {
        String run = Long.toString(System.currentTimeMillis() % 1_000_000);
        String[][] people = {
                {"Jana", "Nováková", "jana.novakova"}, {"Petr", "Dvořák", "petr.dvorak"}, {"Eliška", "Černá", "eliska.cerna"},
                {"Tomáš", "Horák", "tomas.horak"}, {"Lucie", "Procházková", "lucie.prochazkova"}};
        List<String> contactIds = new ArrayList<>();
        for (String[] p : people) {
            String body = "{\"email\":\"" + p[2] + "+" + run + "@demo.example.cz\",\"firstName\":\"" + p[0]
                    + "\",\"lastName\":\"" + p[1] + "\",\"company\":\"Demo s.r.o.\",\"language\":\"cs\",\"customFields\":{\"city\":\"Brno\"}}";
            contactIds.add(field(post(api + "/api/v1/contacts", body, 201), "id"));
        }
        String listId = field(post(api + "/api/v1/lists", "{\"name\":\"Demo customers " + run + "\"}", 201), "id");
        post(api + "/api/v1/lists/" + listId + "/members", "{\"contactIds\":[" + String.join(",", contactIds) + "]}", 200);
        String actionId = field(post(api + "/api/v1/bulk-actions", """
                {"name":"Jarní nabídka","from":"obchod@demo.example.cz",
                 "subject":"Jarní nabídka pro {contact.firstName}",
                 "textBody":"Dobrý den, {contact.firstName} {contact.lastName},\\n\\nmáme pro vás jarní nabídku v {contact.custom.city}.\\n\\nDemo s.r.o."}""", 201), "id");
        HttpResponse<String> accepted = send(HttpRequest.newBuilder(URI.create(api + "/api/v1/launches"))
                .header("Content-Type", "application/json").header("Authorization", BEARER)
                .POST(HttpRequest.BodyPublishers.ofString("{\"bulkActionId\":" + actionId + ",\"listIds\":[" + listId + "]}"))
                .build(), 202);
        String location = accepted.headers().firstValue("Location").orElseThrow();
        String launchUrl = location.startsWith("http") ? location : api + location;
        System.out.println("demo: launched " + launchUrl);
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            String launch = send(HttpRequest.newBuilder(URI.create(launchUrl)).header("Authorization", BEARER).build(), 200).body();
            String status = field(launch, "status");
            if (status.startsWith("COMPLETED") || status.equals("CANCELLED")) {
                System.out.println("demo: launch " + field(launch, "id") + " " + status + " sent=" + field(launch, "sent")
                        + " failed=" + field(launch, "failed"));
                return status.equals("COMPLETED") ? 0 : 1;
            }
            Thread.sleep(250);
        }
        System.out.println("demo: launch did not finish within 120 s; see ./crm status and .crm/logs/");
        return 1;
    }

    static void listMails(String catcher) throws Exception {
        String json = send(HttpRequest.newBuilder(URI.create(catcher + "/messages")).build(), 200).body();
        Matcher m = Pattern.compile("\\{\"n\":(\\d+),\"from\":\"(.*?)\",\"to\":\"(.*?)\",\"subject\":\"(.*?)\",\"messageId\":\"(.*?)\"").matcher(json);
        int count = 0;
        while (m.find()) {
            System.out.printf("%4s  %-45s  %s%n", m.group(1), m.group(3), m.group(4));
            count++;
        }
        System.out.println(count + " message(s); raw: " + catcher + "/messages/<n>");
    }

    private static String post(String url, String json, int expected) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json").header("Authorization", BEARER)
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), expected).body();
    }

    private static HttpResponse<String> send(HttpRequest request, int expected) throws Exception {
        HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != expected) {
            throw new IllegalStateException(request.method() + " " + request.uri() + " answered " + r.statusCode() + ": " + r.body());
        }
        return r;
    }

    private static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":\"?([^\",}]*)").matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("no " + name + " in " + json);
        }
        return m.group(1);
    }
}
