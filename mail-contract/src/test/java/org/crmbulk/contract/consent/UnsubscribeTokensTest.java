package org.crmbulk.contract.consent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;

class UnsubscribeTokensTest {

    private static final String KEY_A = "a=" + "s".repeat(40);
    private static final String KEY_B = "b=" + "t".repeat(40);
    private final UnsubscribeTokens tokens = UnsubscribeTokens.parse(KEY_A);

    @Test
    void a_token_names_its_delivery_and_carries_no_address() {
        String token = tokens.sign(123_456_789L);
        assertThat(tokens.verify(token)).hasValue(123_456_789L);
        assertThat(token).matches("a\\.[A-Za-z0-9_-]{32}").doesNotContain("@");
        assertThat(tokens.sign(1)).isNotEqualTo(tokens.sign(2));
    }

    @Test
    void its_signature_is_hmac_sha256_as_an_independent_implementation_computes_it() throws Exception {
        String token = tokens.sign(42);
        byte[] body = Base64.getUrlDecoder().decode(token.substring(2));
        String mac = HexFormat.of().formatHex(body, 8, 24);
        Process python = new ProcessBuilder("python3", "-c", "import hmac,hashlib,sys; "
                + "print(hmac.new(sys.argv[1].encode(), sys.argv[2].encode(), hashlib.sha256).hexdigest()[:32])",
                "s".repeat(40), "crm-unsubscribe:v1:a:42").redirectErrorStream(true).start();
        String expected = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(python.waitFor()).isZero();
        assertThat(mac).isEqualTo(expected);
        assertThat(HexFormat.of().formatHex(body, 0, 8)).isEqualTo("000000000000002a");
    }

    @Test
    void every_single_character_changed_is_refused() {
        String token = tokens.sign(987);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";
        for (int i = 0; i < token.length(); i++) {
            for (char c : alphabet.toCharArray()) {
                if (c != token.charAt(i)) {
                    String tampered = token.substring(0, i) + c + token.substring(i + 1);
                    assertThat(tokens.verify(tampered)).as(tampered).isEmpty();
                }
            }
        }
    }

    @Test
    void another_delivery_cannot_be_reached_by_changing_the_id_part() {
        String token = tokens.sign(1000);
        byte[] body = Base64.getUrlDecoder().decode(token.substring(2));
        body[7] = (byte) (body[7] + 1);
        assertThat(tokens.verify("a." + Base64.getUrlEncoder().withoutPadding().encodeToString(body))).isEmpty();
    }

    @Test
    void a_key_of_the_same_name_with_another_secret_is_refused_and_a_retired_key_still_verifies() {
        UnsubscribeTokens foreign = UnsubscribeTokens.parse("a=" + "x".repeat(40));
        assertThat(tokens.verify(foreign.sign(5))).isEmpty();
        // Rotation: b signs new links, a still verifies the links already sent.
        UnsubscribeTokens rotated = UnsubscribeTokens.parse(KEY_B + "," + KEY_A);
        assertThat(rotated.verify(tokens.sign(5))).hasValue(5);
        assertThat(rotated.sign(5)).startsWith("b.");
        assertThat(tokens.verify(rotated.sign(5))).as("a key it does not have").isEmpty();
    }

    @Test
    void malformed_tokens_are_refused_without_an_exception() {
        List<String> bad = new ArrayList<>(List.of("", ".", "a.", "a", "a..", "zz." + tokens.sign(1).substring(2), "a.====",
                "a." + "A".repeat(31), "a." + "A".repeat(33), "a." + "!".repeat(32), "a/" + tokens.sign(1).substring(2),
                tokens.sign(1) + "=", tokens.sign(1) + "\n", " " + tokens.sign(1), "x".repeat(10_000), "a.%00%00",
                "a." + "\u00e9".repeat(32)));
        bad.forEach(t -> assertThat(tokens.verify(t)).as(t).isEmpty());
        assertThat(tokens.verify(null)).isEqualTo(OptionalLong.empty());
    }

    @Test
    void a_weak_or_malformed_key_configuration_is_refused_at_start_without_showing_the_secret() {
        assertThatThrownBy(() -> UnsubscribeTokens.parse("a=short-secret")).hasMessageContaining("shorter than 32")
                .hasMessageNotContaining("short-secret");
        assertThatThrownBy(() -> UnsubscribeTokens.parse("no-equals-sign")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> UnsubscribeTokens.parse("bad id=" + "s".repeat(40))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> UnsubscribeTokens.parse(KEY_A + "," + KEY_A)).hasMessageContaining("twice");
    }

    @Test
    void return_path_and_mailto_tokens_are_hex_read_in_any_case_and_neither_stands_for_the_other_or_a_link() {
        String path = tokens.signReturnPath(77);
        String mailto = tokens.signMailUnsubscribe(77);
        assertThat(path).matches("[0-9a-f]{" + UnsubscribeTokens.HEX_TOKEN_CHARS + "}");
        assertThat(mailto).matches("[0-9a-f]{" + UnsubscribeTokens.HEX_TOKEN_CHARS + "}").isNotEqualTo(path);
        assertThat(tokens.verifyReturnPath(path.toUpperCase())).hasValue(77);
        assertThat(tokens.verifyMailUnsubscribe(mailto.toUpperCase())).hasValue(77);
        assertThat(tokens.verifyReturnPath(mailto)).isEmpty();
        assertThat(tokens.verifyMailUnsubscribe(path)).isEmpty();
        assertThat(tokens.verify(mailto)).isEmpty();
    }

    @Test
    void a_mailto_token_changed_in_any_place_or_signed_by_an_unknown_key_names_nothing() {
        String mailto = tokens.signMailUnsubscribe(5);
        for (int i = 0; i < mailto.length(); i++) {
            char flipped = mailto.charAt(i) == '0' ? '1' : '0';
            assertThat(tokens.verifyMailUnsubscribe(mailto.substring(0, i) + flipped + mailto.substring(i + 1))).as("position " + i).isEmpty();
        }
        assertThat(UnsubscribeTokens.parse(KEY_B).verifyMailUnsubscribe(mailto)).isEmpty();
        assertThat(UnsubscribeTokens.parse(KEY_B + "," + KEY_A).verifyMailUnsubscribe(mailto)).as("a rotated-out key still reads").hasValue(5);
        assertThat(tokens.verifyMailUnsubscribe(null)).isEmpty();
        assertThat(tokens.verifyMailUnsubscribe(mailto + "0")).isEmpty();
        assertThat(tokens.verifyMailUnsubscribe("z".repeat(UnsubscribeTokens.HEX_TOKEN_CHARS))).isEmpty();
    }
}
