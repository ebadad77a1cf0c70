package org.crmbulk.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SendJobsTest {

    @Test
    void a_job_survives_the_round_trip_through_json() {
        SendJobV1 job = SendJobV1.launch(42);

        assertThat(SendJobs.fromJson(SendJobs.toJson(job))).isEqualTo(job);
    }

    @Test
    void a_newer_producer_may_add_fields_an_older_consumer_ignores() {
        String json = "{\"jobId\":\"6f1c1c2e-1d7e-4a57-9a0e-0c1c3c1b2a10\",\"kind\":\"LAUNCH\",\"targetId\":7,"
                + "\"enqueuedAt\":\"2026-01-01T00:00:00Z\",\"priority\":\"high\"}";

        assertThat(SendJobs.fromJson(json).targetId()).isEqualTo(7);
    }

    @Test
    void a_payload_without_a_job_id_is_refused() {
        assertThatThrownBy(() -> SendJobs.fromJson("{\"kind\":\"LAUNCH\",\"targetId\":1}"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void jobs_of_one_launch_share_a_partition_key() {
        assertThat(SendJobV1.launch(9).key()).isEqualTo(SendJobV1.launch(9).key()).isEqualTo("launch-9");
    }
}
