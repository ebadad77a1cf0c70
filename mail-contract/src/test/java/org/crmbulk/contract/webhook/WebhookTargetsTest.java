package org.crmbulk.contract.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The SSRF guard: every spelling of an address the public internet does not route to is refused. */
class WebhookTargetsTest {

    private final WebhookTargets strict = new WebhookTargets(false, List.of());

    @ParameterizedTest
    @ValueSource(strings = {
            "http://127.0.0.1/hook", "http://127.1/hook", "http://localhost:8080/hook", "http://[::1]/hook", "http://0.0.0.0/",
            "http://10.1.2.3/", "http://172.16.0.1/", "http://172.31.255.255/", "http://192.168.1.1/", "http://169.254.169.254/latest",
            "http://100.64.0.1/", "http://198.18.0.1/", "http://192.0.0.8/", "http://224.0.0.1/", "http://255.255.255.255/",
            "http://[fe80::1]/", "http://[fc00::1]/", "http://[fd12:3456::1]/", "http://[::ffff:127.0.0.1]/", "http://[::ffff:10.0.0.1]/",
            "http://[::127.0.0.1]/", "http://[64:ff9b::a9fe:a9fe]/", "http://[2002:c0a8:0101::1]/", "http://[::]/",
            "http://2130706433/", "http://0x7f000001/"})
    void private_loopback_link_local_and_reserved_targets_are_refused(String url) {
        assertThat(strict.problem(url)).isPresent();
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://93.184.215.14/hook", "http://8.8.8.8:8080/events", "https://[2606:4700:4700::1111]/x"})
    void public_addresses_are_targets(String url) {
        assertThat(strict.problem(url)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://8.8.8.8/", "file:///etc/passwd", "8.8.8.8/hook", "http://user:pw@8.8.8.8/", "http://8.8.8.8/#x",
            "http:///nohost", "http://exa mple.com/", "gopher://8.8.8.8/", "", " "})
    void what_is_no_http_url_or_carries_credentials_is_refused(String url) {
        assertThat(strict.problem(url)).isPresent();
    }

    @Test
    void a_name_that_does_not_resolve_is_refused() {
        assertThat(strict.problem("https://no-such-host.invalid/hook")).contains("its host does not resolve");
    }

    @Test
    void configuration_allows_exactly_the_networks_it_names() {
        WebhookTargets tests = new WebhookTargets(false, List.of("127.0.0.1", "10.20.0.0/16"));
        assertThat(tests.problem("http://127.0.0.1:9000/hook")).isEmpty();
        assertThat(tests.problem("http://10.20.7.7/hook")).isEmpty();
        assertThat(tests.problem("http://127.0.0.2/hook")).isPresent();
        assertThat(tests.problem("http://10.21.0.1/hook")).isPresent();
        assertThat(tests.problem("http://[::1]/hook")).isPresent();
        assertThat(tests.problem("http://169.254.169.254/")).isPresent();
        assertThatThrownBy(() -> new WebhookTargets(false, List.of("10.0.0.0/33"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void https_only_when_required() {
        WebhookTargets prod = new WebhookTargets(true, List.of());
        assertThat(prod.problem("http://8.8.8.8/hook")).contains("must be an https URL");
        assertThat(prod.problem("https://8.8.8.8/hook")).isEmpty();
    }
}
