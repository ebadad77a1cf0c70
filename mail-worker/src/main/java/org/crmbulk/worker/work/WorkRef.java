package org.crmbulk.worker.work;

import java.util.Locale;

import org.crmbulk.contract.SendJobV1;

/** One piece of mail work, named as its send job names it: a launch, an activity's mail job or a test send. */
public record WorkRef(SendJobV1.Kind kind, long id) {

    public static WorkRef of(SendJobV1 job) {
        return new WorkRef(job.kind(), job.targetId());
    }

    public static WorkRef launch(long id) {
        return new WorkRef(SendJobV1.Kind.LAUNCH, id);
    }

    @Override
    public String toString() {
        return kind.name().toLowerCase(Locale.ROOT).replace('_', ' ') + " " + id;
    }
}
