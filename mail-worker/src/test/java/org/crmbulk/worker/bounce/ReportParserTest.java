package org.crmbulk.worker.bounce;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.crmbulk.testing.BounceCorpus;
import org.crmbulk.worker.bounce.ReportParser.BounceClass;
import org.crmbulk.worker.bounce.ReportParser.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Each returned message of the corpus (test-support's resources/bounces) read as what it is, in the format it is in. */
class ReportParserTest {

    static final String RECIPIENT = "jana.novakova@example.cz";
    static final String MESSAGE_ID = "<1234.5678.launch42@shop.example.cz>";
    static final String RETURN_PATH = "bounces+00000000000000070123456789abcdef0123@bounces.shop.example.cz";

    static ReportParser.Report parse(String name) throws IOException {
        return ReportParser.parse(BounceCorpus.fixture(name, RECIPIENT, RETURN_PATH, MESSAGE_ID));
    }

    static java.util.stream.Stream<BounceCorpus.Expected> corpus() {
        return BounceCorpus.expected().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void each_format_is_read_with_its_class_status_and_recipient(BounceCorpus.Expected expected) throws IOException {
        ReportParser.Report report = parse(expected.file());

        assertThat(report.kind()).isEqualTo(Kind.valueOf(expected.kind()));
        assertThat(report.format()).isEqualTo(expected.format());
        assertThat(report.findings()).as("one recipient, the one that failed").hasSize(1);
        ReportParser.Finding f = report.findings().get(0);
        assertThat(f.address()).isEqualTo(RECIPIENT);
        assertThat(f.cls()).isEqualTo(BounceClass.valueOf(expected.cls()));
        assertThat(f.status()).isEqualTo(expected.status());
        assertThat(report.text()).as("the return path is in the text it is looked for in").contains(RETURN_PATH);
    }

    @ParameterizedTest
    @CsvSource({"postfix-dsn.eml", "gmail-dsn.eml", "office365-dsn.eml", "exim.eml", "qmail.eml", "yahoo.eml", "sendmail-dsn.eml",
            "groupwise.eml", "amazon-ses-dsn.eml", "arf-yahoo.eml", "arf-microsoft-jmrp.eml"})
    void the_returned_message_id_is_found_for_linking_without_a_return_path(String file) throws IOException {
        assertThat(parse(file).originalMessageId()).isEqualTo(MESSAGE_ID);
    }

    @Test
    void a_complaint_whose_recipient_is_redacted_names_nobody_and_is_linked_by_its_returned_headers() throws IOException {
        ReportParser.Report report = parse("arf-microsoft-jmrp.eml");

        assertThat(report.kind()).isEqualTo(Kind.COMPLAINT);
        assertThat(report.findings()).singleElement().satisfies(f -> {
            assertThat(f.address()).isNull();
            assertThat(f.cls()).isEqualTo(BounceClass.COMPLAINT);
            assertThat(f.diagnostic()).isEqualTo("feedback report: abuse");
        });
        assertThat(report.text()).contains(RETURN_PATH);
    }

    @ParameterizedTest
    @CsvSource({"autoreply.eml", "unknown-format.eml"})
    void what_no_format_explains_is_unclassified_never_guessed_a_bounce(String file) throws IOException {
        ReportParser.Report report = parse(file);

        assertThat(report.kind()).isEqualTo(Kind.UNCLASSIFIED);
        assertThat(report.findings()).isEmpty();
    }

    @Test
    void a_delivery_status_report_that_says_failed_but_neither_how_nor_why_is_not_guessed_a_bounce() {
        String dsn = """
                From: MAILER-DAEMON@mx.example.org\r
                To: bounces@example.cz\r
                Subject: failure\r
                MIME-Version: 1.0\r
                Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r
                \r
                --b\r
                Content-Type: message/delivery-status\r
                \r
                Reporting-MTA: dns; mx.example.org\r
                \r
                Final-Recipient: rfc822; someone@example.org\r
                Action: failed\r
                Diagnostic-Code: x-local; see the log\r
                \r
                --b--\r
                """;

        ReportParser.Report report = ReportParser.parse(dsn.getBytes(StandardCharsets.UTF_8));

        assertThat(report.kind()).isEqualTo(Kind.UNCLASSIFIED);
        assertThat(report.findings()).isEmpty();
    }

    @Test
    void garbage_is_unclassified() {
        assertThat(ReportParser.parse(new byte[] {0, 1, 2, (byte) 0xff}).kind()).isEqualTo(Kind.UNCLASSIFIED);
        assertThat(ReportParser.parse("Content-Type: multipart/report; boundary=\"x\"\r\n\r\n--x\r\nbroken".getBytes(StandardCharsets.UTF_8))
                .kind()).isEqualTo(Kind.UNCLASSIFIED);
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(nullValues = "-", delimiter = '|', textBlock = """
            5.1.1  | 550 user unknown                                           | HARD
            5.2.1  | mailbox disabled                                           | HARD
            5.4.4  | unable to route                                            | HARD
            5.7.1  | 550 5.7.1 Client host blocked using a blocklist            | SOFT
            5.7.26 | unauthenticated, DMARC policy                              | SOFT
            5.2.2  | mailbox full                                               | SOFT
            5.3.4  | message too big                                            | SOFT
            4.2.2  | over quota                                                 | SOFT
            5.0.0  | 550 Requested action not taken: mailbox unavailable        | HARD
            5.0.0  | 554 rejected for policy reasons, your IP is on a blocklist | SOFT
            -      | 550 No such user                                           | HARD
            -      | 452 too many connections                                   | SOFT
            -      | user not found                                             | HARD
            -      | thanks for your message                                    | -
            """)
    void rfc3463_classes_permanent_is_hard_only_when_it_is_about_the_address(String status, String diagnostic, BounceClass expected) {
        assertThat(ReportParser.classify(status, diagnostic)).isEqualTo(expected);
    }
}
