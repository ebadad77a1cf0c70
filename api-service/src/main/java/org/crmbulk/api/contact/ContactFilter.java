package org.crmbulk.api.contact;

/** Search criteria; null means "any". {@code name} and {@code company} match as case-insensitive prefixes. */
public record ContactFilter(String email, String name, String company, String externalId, Boolean optedOut) {
}
