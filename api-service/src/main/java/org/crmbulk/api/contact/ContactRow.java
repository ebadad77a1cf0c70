package org.crmbulk.api.contact;

import java.util.Map;

/** One valid row on its way into the database; null fields keep what an existing contact has. */
record ContactRow(long line, String externalId, String email, String firstName, String lastName, String company,
        String language, Map<String, Object> customFields, Boolean optedOut) {
}
