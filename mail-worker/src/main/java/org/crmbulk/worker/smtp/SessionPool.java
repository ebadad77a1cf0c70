package org.crmbulk.worker.smtp;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

/**
 * The sessions open to the relay, as many as it lets us have. A refused connection or a 421 greeting while other
 * sessions are open is the relay's concurrency limit speaking: the pool shrinks to what is open, and the message
 * waits for a session rather than failing; it grows back by one at a time after a quiet interval. A relay that
 * refuses the first session is not limiting us but unreachable: that is the caller's failure to count.
 */
final class SessionPool {

    private static final Logger LOG = Logger.getLogger(SessionPool.class);

    /** What opening a session can tell: refused as back-pressure, or any other failure. */
    static final class Refused extends Exception {
        Refused(String message, Throwable cause) {
            super(message, cause);
        }
    }

    @FunctionalInterface
    interface Opener {
        RelaySession open() throws Refused, jakarta.mail.MessagingException;
    }

    private final int max;
    private final long regrowMillis;
    private final long idleMillis;
    private final Deque<RelaySession> idle = new ArrayDeque<>();
    private int allowed;
    private int open;
    private long quietSince = System.currentTimeMillis();

    SessionPool(int max, long regrowMillis, long idleMillis) {
        this.max = max;
        this.allowed = max;
        this.regrowMillis = regrowMillis;
        this.idleMillis = idleMillis;
    }

    /**
     * A session to send on: an idle one, a new one while under the allowance, or the next one given back; null when
     * none came before {@code deadlineMillis}.
     *
     * @throws Refused when the relay refuses a session and none is open (unreachable, not limiting)
     */
    RelaySession borrow(Opener opener, long deadlineMillis, Supplier<Boolean> cancelled) throws Refused, jakarta.mail.MessagingException,
            InterruptedException {
        while (System.currentTimeMillis() < deadlineMillis && !cancelled.get()) {
            boolean mayOpen = false;
            synchronized (this) {
                while (!idle.isEmpty()) {
                    RelaySession s = idle.pop();
                    if (System.currentTimeMillis() - s.lastUsed > idleMillis) {
                        closeQuietly(s); // relays close idle sessions; a fresh one beats a failed attempt
                        open--;
                        continue;
                    }
                    return s;
                }
                if (open < allowed) {
                    open++;
                    mayOpen = true;
                } else {
                    wait(Math.max(1, Math.min(250, deadlineMillis - System.currentTimeMillis())));
                    continue;
                }
            }
            try {
                return opener.open();
            } catch (Refused e) {
                boolean othersOpen;
                synchronized (this) {
                    open--;
                    othersOpen = open > 0;
                    if (othersOpen && allowed > open) {
                        LOG.warnf("the relay refuses more than %d sessions (%s); sending on those", open, e.getMessage());
                        allowed = open;
                    }
                    quietSince = System.currentTimeMillis();
                    notifyAll();
                }
                if (!othersOpen) {
                    throw e;
                }
                Thread.sleep(100);
            } catch (RuntimeException | jakarta.mail.MessagingException e) {
                synchronized (this) {
                    open--;
                    notifyAll();
                }
                throw e;
            }
        }
        return null;
    }

    /** Takes a session back after a message; a broken one, or one over a shrunk allowance, is closed. */
    synchronized void giveBack(RelaySession s, boolean usable) {
        s.lastUsed = System.currentTimeMillis();
        if (!usable || open > allowed) {
            closeQuietly(s);
            open--;
        } else {
            idle.push(s);
        }
        long now = System.currentTimeMillis();
        if (allowed < max && now - quietSince >= regrowMillis) {
            allowed++;
            quietSince = now;
        }
        notifyAll();
    }

    synchronized int allowed() {
        return allowed;
    }

    synchronized void closeAll() {
        idle.forEach(SessionPool::closeQuietly);
        open -= idle.size();
        idle.clear();
    }

    private static void closeQuietly(RelaySession s) {
        try {
            s.close();
        } catch (jakarta.mail.MessagingException e) {
            // already gone
        }
    }
}
