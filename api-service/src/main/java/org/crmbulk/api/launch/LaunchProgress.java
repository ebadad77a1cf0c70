package org.crmbulk.api.launch;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.crmbulk.contract.status.LaunchStatus;

import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Multi;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/** Live progress of one launch: the launch each time its counters or status change, until it is final. */
@ApplicationScoped
public class LaunchProgress {

    private final ScheduledExecutorService poller = Executors.newScheduledThreadPool(2, r -> {
        Thread t = new Thread(r, "launch-progress");
        t.setDaemon(true);
        return t;
    });

    @Inject
    LaunchService launches;

    public Multi<LaunchView> stream(long id, long intervalMillis) {
        return Multi.createFrom().emitter(emitter -> {
            AtomicReference<LaunchView> last = new AtomicReference<>();
            AtomicReference<ScheduledFuture<?>> task = new AtomicReference<>();
            task.set(poller.scheduleWithFixedDelay(() -> {
                try {
                    LaunchView now = launches.find(id).orElse(null);
                    if (now == null) {
                        emitter.complete();
                    } else if (!now.equals(last.getAndSet(now))) {
                        emitter.emit(now);
                        if (LaunchStatus.valueOf(now.status()).isFinal()) {
                            emitter.complete();
                        }
                    }
                } catch (RuntimeException e) {
                    emitter.fail(e);
                }
            }, 0, intervalMillis, TimeUnit.MILLISECONDS));
            emitter.onTermination(() -> task.get().cancel(false));
        });
    }

    void onStop(@Observes ShutdownEvent event) {
        poller.shutdownNow();
    }
}
