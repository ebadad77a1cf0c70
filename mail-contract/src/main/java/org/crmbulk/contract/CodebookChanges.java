package org.crmbulk.contract;

/**
 * The compacted topic of codebook changes: key {@code <codebook>/<key>}, value the entry as JSON
 * ({@code {"codebook":…,"key":…,"value":…,"description":…}}), or no value (a tombstone) once deleted.
 * Any replica or system reads the current codebooks from it.
 */
public final class CodebookChanges {

    public static final String DEFAULT_TOPIC = "crm.codebooks";

    private CodebookChanges() {
    }

    public static String key(String codebook, String key) {
        return codebook + "/" + key;
    }
}
