package org.crmbulk.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import java.util.List;

import org.crmbulk.contract.status.DeliveryStatus;
import org.crmbulk.contract.status.LaunchStatus;
import org.crmbulk.contract.status.Lifecycle;
import org.crmbulk.contract.status.MailJobStatus;
import org.crmbulk.contract.status.TestSendStatus;
import org.crmbulk.contract.status.Transition;
import org.crmbulk.contract.status.WorkStatus;
import org.junit.jupiter.api.Test;

/** The status enums are the one owner of statuses and their transitions; a refused transition cannot even be declared. */
class StatusesTest {

    @Test
    void a_transition_the_lifecycle_does_not_allow_cannot_be_declared() {
        assertThatThrownBy(() -> Transition.from(LaunchStatus.COMPLETED).to(LaunchStatus.RUNNING))
                .isInstanceOf(IllegalStateException.class).hasMessage("LaunchStatus COMPLETED cannot become RUNNING");
        assertThatThrownBy(() -> Transition.from(DeliveryStatus.SENT, DeliveryStatus.SENDING).to(DeliveryStatus.PENDING))
                .hasMessageContaining("SENT cannot become PENDING");
        assertThat(Transition.from(DeliveryStatus.PENDING, DeliveryStatus.SENDING).to(DeliveryStatus.SENDING).fromNames())
                .containsExactly("PENDING", "SENDING");
    }

    @Test
    void the_user_may_pause_only_what_has_not_finished_and_resume_only_what_is_paused() {
        assertThat(Lifecycle.before(LaunchStatus.PAUSED)).containsExactlyInAnyOrder(LaunchStatus.SCHEDULED, LaunchStatus.QUEUED,
                LaunchStatus.RUNNING);
        assertThat(Lifecycle.before(LaunchStatus.CANCELLED)).containsExactlyInAnyOrder(LaunchStatus.SCHEDULED, LaunchStatus.QUEUED,
                LaunchStatus.RUNNING, LaunchStatus.PAUSED);
        assertThat(EnumSet.allOf(LaunchStatus.class)).filteredOn(LaunchStatus::isFinal)
                .containsExactlyInAnyOrder(LaunchStatus.COMPLETED, LaunchStatus.COMPLETED_WITH_ERRORS, LaunchStatus.CANCELLED);
    }

    @Test
    void every_kind_of_work_is_open_while_queued_or_started_and_final_states_are_closed() {
        List<List<? extends Enum<?>>> kinds = List.of(List.of(LaunchStatus.values()), List.of(MailJobStatus.values()),
                List.of(TestSendStatus.values()));
        for (List<? extends Enum<?>> statuses : kinds) {
            for (Enum<?> s : statuses) {
                WorkStatus w = (WorkStatus) s;
                Lifecycle<?> l = (Lifecycle<?>) s;
                assertThat(!w.isStarted() || w.isOpen()).as(s + ": started implies open").isTrue();
                assertThat(!l.isFinal() || !w.isOpen()).as(s + ": final implies closed").isTrue();
            }
        }
        assertThat(DeliveryStatus.PENDING.isOpen()).isTrue();
        assertThat(EnumSet.allOf(DeliveryStatus.class)).filteredOn(DeliveryStatus::isOpen)
                .containsExactlyInAnyOrder(DeliveryStatus.PENDING, DeliveryStatus.SENDING);
    }
}
