package org.crmbulk.contract;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class EmailAddressesTest {

    @ParameterizedTest
    @ValueSource(strings = {"jana.novakova@example.cz", "o'brien+news@mail.example.com", "x@xn--hkyrky-ptac70bc.cz",
            "UPPER@Example.COM"})
    void deliverable_addresses_are_accepted(String address) {
        assertThat(EmailAddresses.problem(address)).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "no-at-sign.example.cz                     | local-part@domain",
            "two@@example.cz                           | local-part@domain",
            "jana@háčkyčárky.cz                        | xn--",
            "jůlie@example.cz                          | non-ASCII local part",
            "jana..novak@example.cz                    | dot-atom",
            "jana@localhost                            | two labels",
            "jana@-bad-.cz                             | not valid"})
    void undeliverable_addresses_are_refused_with_the_reason(String address, String reason) {
        assertThat(EmailAddresses.problem(address)).get().asString().contains(reason);
    }

    @org.junit.jupiter.api.Test
    void header_injection_through_an_address_is_refused() {
        assertThat(EmailAddresses.problem("jana@example.cz\r\nBcc: victim@example.com")).get().asString()
                .contains("control characters");
        assertThat(EmailAddresses.problem("jana@example.cz\u0000")).get().asString().contains("control characters");
    }

    @org.junit.jupiter.api.Test
    void over_long_addresses_are_refused() {
        assertThat(EmailAddresses.problem("a".repeat(65) + "@example.cz")).get().asString().contains("64");
        assertThat(EmailAddresses.problem("a@" + "b".repeat(63) + "." + "c".repeat(63) + "." + "d".repeat(63) + "."
                + "e".repeat(63) + ".cz")).get().asString().contains("254");
    }
}
