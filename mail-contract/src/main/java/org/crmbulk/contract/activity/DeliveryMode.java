package org.crmbulk.contract.activity;

import java.util.List;
import java.util.Optional;

/**
 * How a mail task's mail goes out, read from codebook OMAILUL (key: the task ID). Missing, empty or
 * one space: INDIVIDUAL; "0": BULK; "1": CLIENT. Any other value is refused when written and never
 * guessed at when read.
 */
public enum DeliveryMode {

    /** The server sends one message per recipient. */
    INDIVIDUAL,
    /** The server sends one message to all recipients (split only where the relay's recipient limit forces it). */
    BULK,
    /** Nothing is sent: the caller gets a draft (mailto: URI and .eml) for the user's desktop mail client. */
    CLIENT;

    public static final String CODEBOOK = "OMAILUL";

    /** The values OMAILUL accepts, as a user would type them. */
    public static final List<String> CODEBOOK_VALUES = List.of(" ", "", "0", "1");

    /** @return empty when the value is not one OMAILUL allows */
    public static Optional<DeliveryMode> fromCodebook(String value) {
        if (value == null || value.isEmpty() || value.equals(" ")) {
            return Optional.of(INDIVIDUAL);
        }
        return switch (value) {
            case "0" -> Optional.of(BULK);
            case "1" -> Optional.of(CLIENT);
            default -> Optional.empty();
        };
    }
}
