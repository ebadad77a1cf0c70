package org.crmbulk.worker.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.stream.IntStream;

import org.crmbulk.contract.SendJobV1.Kind;
import org.crmbulk.worker.work.WorkRef;
import org.junit.jupiter.api.Test;

/** One Message-ID rule for every kind of work: the configured domain wins over the sender's. */
class MessageIdsTest {

    @Test
    void ids_name_the_delivery_and_its_work_and_are_unique_under_the_senders_domain() {
        MessageIds ids = new MessageIds(new WorkRef(Kind.ACTIVITY_MAIL, 42), Optional.empty(), "Jana <Jana@Shop.Example.CZ>");
        assertThat(ids.forDelivery(7)).matches("<7\\.a42\\.[0-9a-f]{12}@shop\\.example\\.cz>");
        assertThat(IntStream.range(0, 1000).mapToObj(ids::forDelivery).distinct()).hasSize(1000);
        // Another run of the same work (or another installation) draws another random part.
        assertThat(IntStream.range(0, 100).mapToObj(i -> new MessageIds(new WorkRef(Kind.ACTIVITY_MAIL, 42), Optional.empty(), "a@b.cz")
                .forDelivery(7)).distinct()).hasSize(100);
    }

    @Test
    void the_configured_domain_is_used_for_every_kind() {
        for (Kind kind : Kind.values()) {
            assertThat(new MessageIds(new WorkRef(kind, 1), Optional.of("mail.crm.example"), "news@shop.example.cz").forDelivery(3))
                    .endsWith("@mail.crm.example>");
        }
    }

    @Test
    void a_sender_without_a_domain_falls_back_to_a_local_one() {
        assertThat(new MessageIds(WorkRef.launch(1), Optional.empty(), "nobody").domain()).isEqualTo("crm-bulk.local");
    }
}
