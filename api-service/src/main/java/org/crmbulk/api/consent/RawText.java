package org.crmbulk.api.consent;

/**
 * A public page's parameter as it came: not held to the API's text rules (which answer problem+json), because a
 * public page answers every bad value with its own page and names nothing.
 */
public record RawText(String value) {

    public static RawText valueOf(String value) {
        return new RawText(value);
    }
}
