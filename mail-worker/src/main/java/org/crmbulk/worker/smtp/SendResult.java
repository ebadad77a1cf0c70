package org.crmbulk.worker.smtp;

/** The relay's answer to one message, sorted by what the worker must do next. */
public record SendResult(Kind kind, String reply) {

    public enum Kind {
        /** The relay took responsibility for the message (2xx after DATA). */
        ACCEPTED,
        /** 4xx, timeout, dropped or refused connection: try again later. */
        TEMPORARY,
        /** 5xx: the relay will never take it; retrying only repeats the refusal. */
        PERMANENT
    }

    public static SendResult accepted(String reply) {
        return new SendResult(Kind.ACCEPTED, reply);
    }

    public static SendResult temporary(String reply) {
        return new SendResult(Kind.TEMPORARY, reply);
    }

    public static SendResult permanent(String reply) {
        return new SendResult(Kind.PERMANENT, reply);
    }
}
