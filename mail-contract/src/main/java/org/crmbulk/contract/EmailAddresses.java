package org.crmbulk.contract;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The one place that says what a deliverable e-mail address is: an RFC 5322 dot-atom addr-spec
 * within RFC 5321 length limits, ASCII only (an internationalized domain must be given in its
 * xn-- form, since SMTPUTF8 relays cannot be assumed), with no control characters.
 */
public final class EmailAddresses {

    private static final Pattern ATOM = Pattern.compile("[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+");
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?");

    private EmailAddresses() {
    }

    /** Why the address is not deliverable, or empty when it is. */
    public static Optional<String> problem(String address) {
        if (address == null || address.isEmpty()) {
            return Optional.of("must not be empty");
        }
        for (int i = 0; i < address.length(); i++) {
            char c = address.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return Optional.of("must not contain control characters (CR, LF, NUL, ...)");
            }
        }
        if (address.length() > 254) {
            return Optional.of("must be at most 254 characters");
        }
        int at = address.lastIndexOf('@');
        if (at <= 0 || at == address.length() - 1 || address.indexOf('@') != at) {
            return Optional.of("must have the form local-part@domain");
        }
        String local = address.substring(0, at);
        String domain = address.substring(at + 1);
        if (!address.chars().allMatch(c -> c < 0x80)) {
            return Optional.of(local.chars().allMatch(c -> c < 0x80)
                    ? "internationalized domain: give it in its ASCII (xn--) form"
                    : "non-ASCII local part is not supported");
        }
        if (local.length() > 64) {
            return Optional.of("local part must be at most 64 characters");
        }
        for (String atom : local.split("\\.", -1)) {
            if (!ATOM.matcher(atom).matches()) {
                return Optional.of("local part is not a valid dot-atom");
            }
        }
        String[] labels = domain.split("\\.", -1);
        if (labels.length < 2) {
            return Optional.of("domain must have at least two labels");
        }
        for (String label : labels) {
            if (!LABEL.matcher(label).matches()) {
                return Optional.of("domain label '" + label + "' is not valid");
            }
        }
        return Optional.empty();
    }

    public static boolean isValid(String address) {
        return problem(address).isEmpty();
    }

    /** The form used to compare addresses: case-insensitive, as stored addresses keep their case. */
    public static String normalized(String address) {
        return address.toLowerCase(Locale.ROOT);
    }
}
