package org.crmbulk.contract.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class WebhookSignaturesTest {

    @Test
    void signs_the_standard_webhooks_example_as_its_specification_does() {
        // The specification's example (Python's hmac module computes the same value).
        String signature = WebhookSignatures.sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330L,
                "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8));
        assertThat(signature).isEqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    @Test
    void new_secrets_are_valid_and_different_and_bad_ones_are_named() {
        String one = WebhookSignatures.newSecret();
        assertThat(WebhookSignatures.problem(one)).isEmpty();
        assertThat(one).isNotEqualTo(WebhookSignatures.newSecret());
        assertThat(WebhookSignatures.problem("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")).contains("must start with whsec_");
        assertThat(WebhookSignatures.problem("whsec_not base64!")).isPresent();
        assertThat(WebhookSignatures.problem("whsec_c2hvcnQ=")).contains("its key must have 24 to 64 bytes");
    }
}
